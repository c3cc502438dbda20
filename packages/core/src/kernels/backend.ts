import { InvalidArgumentError } from '../errors';
import { TypedArray } from '../tensor';
import { matmul, matmulTransA, matmulTransB } from './matmul';
import { WasmGemm } from './wasm-gemm';

/**
 * Which matrix-multiply kernel the gates use.
 * - `'js'`: the plain TypeScript loops of matmul.ts (the reference; always available);
 * - `'wasm'`: the WebAssembly SIMD kernel (wasm-gemm.ts) for every product whose operands share a dtype;
 * - `'auto'` (default): wasm when it loaded and the product is big enough to repay the copies, js otherwise.
 *
 * Chosen by setMatmulBackend() or, at load, the environment variable CHAINRULE_MATMUL (js|wasm|auto);
 * CHAINRULE_MATMUL_THREADS=2 starts the kernel's helper thread (see setMatmulThreads).
 */
export type MatmulBackend = 'js' | 'wasm' | 'auto';

/** Below this many multiply-adds (m·k·n), 'auto' keeps to the JavaScript loops. */
export const WASM_MIN_MACS = 4096;

let backend: MatmulBackend = parseBackend(process.env.CHAINRULE_MATMUL, 'auto');
let wasm: WasmGemm | undefined | null = null; // null: not tried yet

function parseBackend(value: string | undefined, fallback: MatmulBackend): MatmulBackend {
  return value === 'js' || value === 'wasm' || value === 'auto' ? value : fallback;
}

/** The loaded WebAssembly kernel, or undefined when it cannot load here (no build, no SIMD). */
export function wasmGemm(): WasmGemm | undefined {
  if (wasm === null) {
    wasm = WasmGemm.load();
    const t = Number(process.env.CHAINRULE_MATMUL_THREADS);
    if (wasm && t > 1) wasm.setThreads(t);
  }
  return wasm;
}

/** Whether the WebAssembly SIMD kernel is available. */
export function wasmMatmulAvailable(): boolean {
  return wasmGemm() !== undefined;
}

/** Selects the kernel; 'wasm' throws when the WebAssembly kernel is not available. */
export function setMatmulBackend(value: MatmulBackend): void {
  if (value !== 'js' && value !== 'wasm' && value !== 'auto') {
    throw new InvalidArgumentError(`setMatmulBackend: expected 'js', 'wasm' or 'auto', got ${JSON.stringify(value)}`);
  }
  if (value === 'wasm' && !wasmMatmulAvailable()) {
    throw new InvalidArgumentError(
      "setMatmulBackend('wasm'): the WebAssembly kernel is not available (packages/core/wasm/gemm.wasm missing: run `npm run build:wasm -w @chainrule/core`)",
    );
  }
  backend = value;
}

export function getMatmulBackend(): MatmulBackend {
  return backend;
}

/** 1 (default) or 2: with 2, large products split their rows with a worker thread over shared wasm memory. */
export function setMatmulThreads(threads: number): void {
  const w = wasmGemm();
  if (w) w.setThreads(threads);
}

export function getMatmulThreads(): number {
  return wasm ? wasm.threads : 1;
}

function useWasm(a: TypedArray, b: TypedArray, out: TypedArray, macs: number): WasmGemm | undefined {
  if (backend === 'js') return undefined;
  const c = out.constructor;
  if (a.constructor !== c || b.constructor !== c) return undefined;
  if (backend === 'auto' && macs < WASM_MIN_MACS) return undefined;
  return wasm === null ? wasmGemm() : wasm;
}

/** out[m×n] (+)= a[m×k] · b[k×n], on the selected backend (same contract as matmul()). */
export function gemm(a: TypedArray, b: TypedArray, out: TypedArray, m: number, k: number, n: number, accumulate = false): void {
  const w = useWasm(a, b, out, m * k * n);
  if (w) w.gemm(false, false, a, b, out, m, k, n, accumulate);
  else matmul(a, b, out, m, k, n, accumulate);
}

/** out[m×n] (+)= aᵀ · b with a stored [k×m] (same contract as matmulTransA()). */
export function gemmTransA(a: TypedArray, b: TypedArray, out: TypedArray, m: number, k: number, n: number, accumulate = false): void {
  const w = useWasm(a, b, out, m * k * n);
  if (w) w.gemm(true, false, a, b, out, m, k, n, accumulate);
  else matmulTransA(a, b, out, m, k, n, accumulate);
}

/** out[m×n] (+)= a · bᵀ with b stored [n×k] (same contract as matmulTransB()). */
export function gemmTransB(a: TypedArray, b: TypedArray, out: TypedArray, m: number, k: number, n: number, accumulate = false): void {
  const w = useWasm(a, b, out, m * k * n);
  if (w) w.gemm(false, true, a, b, out, m, k, n, accumulate);
  else matmulTransB(a, b, out, m, k, n, accumulate);
}
