import { GEMM_WASM_BASE64, GEMM_WASM_SHARED_BASE64 } from './gemm-wasm.generated';

/**
 * Compiles the WebAssembly SIMD GEMM from the bytes embedded in gemm-wasm.generated.ts (written by
 * scripts/build-wasm.js at install), synchronously and with no file lookup, so the same code loads
 * it in Node, in a browser and inside a bundle. Only the standard WebAssembly API and atob are used.
 *
 * When it cannot load, the result says why, in the words kernel reports use: the build was skipped
 * ('missing'), the bytes do not decode or validate ('corrupt'), or the engine lacks WebAssembly,
 * SIMD or shared memory.
 */

/** The subset of the WebAssembly JS API used by the kernels (the project's TypeScript libs do not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(pages: number): number;
}
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (desc: { initial: number; maximum: number; shared?: boolean }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}

export type WasmLoad = { readonly api: WasmApi; readonly module: object } | { readonly module?: undefined; readonly reason: string };

/**
 * A 31-byte module whose one function uses a SIMD instruction (i8x16.popcnt): the feature probe of
 * the wasm-feature-detect package, inlined because that package only answers asynchronously and the
 * kernel loads synchronously. It separates "this engine has no SIMD" from "our bytes are corrupt".
 */
const SIMD_PROBE = [0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11];

// Compiled modules are immutable code, so one compilation per process serves every kernel (the
// kernels themselves, their memories and helper threads, are per container).
const compiled = new Map<boolean, WasmLoad>();

/** The compiled GEMM module: `shared` for the variant whose memory a helper thread shares. */
export function loadGemmModule(shared: boolean): WasmLoad {
  let r = compiled.get(shared);
  if (r === undefined) compiled.set(shared, (r = compileGemmModule(shared ? GEMM_WASM_SHARED_BASE64 : GEMM_WASM_BASE64, shared)));
  return r;
}

/** Decodes, validates and compiles GEMM bytes given as base64; never throws (the reason is in the result). */
export function compileGemmModule(base64: string, shared: boolean): WasmLoad {
  const g = globalThis as { WebAssembly?: WasmApi; atob?: (s: string) => string; SharedArrayBuffer?: unknown };
  const api = g.WebAssembly;
  if (!api) return { reason: 'WebAssembly unavailable in this engine' };
  if (!api.validate(Uint8Array.from(SIMD_PROBE))) return { reason: 'WebAssembly SIMD unavailable in this engine' };
  if (shared && g.SharedArrayBuffer === undefined) return { reason: 'SharedArrayBuffer unavailable (a browser page needs cross-origin isolation)' };
  if (base64.length === 0) {
    return { reason: 'WebAssembly kernel missing: it was not built at install (run `npm run build:wasm -w @chainrule/core`, which needs assemblyscript)' };
  }
  if (!g.atob) return { reason: 'atob unavailable in this engine (needed to decode the embedded WebAssembly kernel)' };
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(g.atob(base64), (c) => c.charCodeAt(0));
  } catch (e) {
    return { reason: `WebAssembly kernel corrupt: its embedded base64 does not decode (${(e as Error).message})` };
  }
  if (!api.validate(bytes)) return { reason: `WebAssembly kernel corrupt: ${bytes.length} bytes that do not validate (rebuild with \`npm run build:wasm -w @chainrule/core\`)` };
  try {
    return { api, module: new api.Module(bytes) };
  } catch (e) {
    return { reason: `WebAssembly kernel corrupt: it does not compile (${(e as Error).message})` };
  }
}

