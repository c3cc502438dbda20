import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { TypedArray } from '../tensor';

/**
 * The WebAssembly SIMD matrix-multiply kernel (packages/core/assembly/gemm.ts, compiled by asc
 * during `npm install`/`npm ci` into packages/core/wasm/gemm.wasm), loaded synchronously:
 * `new WebAssembly.Module(readFileSync(...))` works from CommonJS with no await.
 *
 * The gates keep their tensors in ordinary JavaScript typed arrays, so each call copies the two
 * operands into the module's linear memory and the product out again: O(mk + kn + mn) copies
 * against O(mkn) multiply-adds, a few percent at 1024² and still a win at W1's 64×784·784×128.
 *
 * The linear memory is shared (SharedArrayBuffer-backed), so a worker thread can instantiate the
 * same module over the same memory and compute half of C's rows (setMatmulThreads(2)).
 */

/** The subset of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(pages: number): number;
}
interface GemmExports {
  heapBase(): number;
  packBytes(elem: number): number;
  gemm32(ta: number, tb: number, m: number, k: number, n: number, a: number, b: number, c: number, acc: number, r0: number, r1: number, pack: number): void;
  gemm64(ta: number, tb: number, m: number, k: number, n: number, a: number, b: number, c: number, acc: number, r0: number, r1: number, pack: number): void;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (desc: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}

const PAGE = 65536;
const MAX_PAGES = 16384; // 1 GiB: must match --maximumMemory of the asc build
const ALIGN = 64;
/** Below this many multiply-adds a product stays on one thread: waking the helper costs more than it saves. */
const THREAD_MIN_MACS = 1 << 22;

/** Where the build puts the module: packages/core/wasm/, two levels above both src/kernels and dist/kernels. */
export const WASM_GEMM_PATH = join(__dirname, '..', '..', 'wasm', 'gemm.wasm');

const align = (x: number): number => Math.ceil(x / ALIGN) * ALIGN;

/** The worker thread's code: instantiate the module over the shared memory, then serve row ranges. */
const WORKER_SOURCE = `
const { workerData } = require('worker_threads');
const { module, memory, ctrl } = workerData;
const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
const f = new Float64Array(ctrl.buffer, 64, 16);
Atomics.store(ctrl, 3, 1);
for (;;) {
  Atomics.wait(ctrl, 0, 0);
  const job = Atomics.load(ctrl, 0);
  if (job === 2) break;
  const fn = f[0] === 4 ? ex.gemm32 : ex.gemm64;
  try { fn(f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12]); } catch (e) { Atomics.store(ctrl, 2, 1); }
  Atomics.store(ctrl, 0, 0);
  Atomics.store(ctrl, 1, 1);
  Atomics.notify(ctrl, 1);
}
`;

interface Helper {
  worker: { unref(): void; terminate(): Promise<number> };
  ctrl: Int32Array;
  args: Float64Array;
}

/** One loaded instance of the kernel with its memory and (optionally) a helper thread. */
export class WasmGemm {
  private readonly memory: WasmMemory;
  private readonly ex: GemmExports;
  private readonly module: object;
  private readonly base: number;
  private readonly packSize: number;
  private sab!: ArrayBufferLike;
  private byteLength = 0;
  private f32!: Float32Array;
  private f64!: Float64Array;
  private readonly views32 = new Map<number, Map<number, TypedArray>>();
  private readonly views64 = new Map<number, Map<number, TypedArray>>();
  private helper: Helper | undefined;
  private threadCount = 1;

  private constructor(api: WasmApi, module: object) {
    this.module = module;
    this.memory = new api.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
    this.ex = new api.Instance(module, { env: { memory: this.memory } }).exports as GemmExports;
    this.base = align(this.ex.heapBase());
    this.packSize = align(this.ex.packBytes(8));
    this.refresh();
  }

  /** Loads the module; undefined (never a throw) when WebAssembly, SIMD or the built file is missing. */
  static load(path: string = WASM_GEMM_PATH): WasmGemm | undefined {
    const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (!api || typeof SharedArrayBuffer === 'undefined' || !existsSync(path)) return undefined;
    try {
      const bytes = new Uint8Array(readFileSync(path));
      if (!api.validate(bytes)) return undefined;
      return new WasmGemm(api, new api.Module(bytes));
    } catch {
      return undefined;
    }
  }

  get threads(): number {
    return this.threadCount;
  }

  /** Whether the helper thread has started and instantiated the module (until then products run on one thread). */
  get helperReady(): boolean {
    return this.helper !== undefined && Atomics.load(this.helper.ctrl, 3) === 1;
  }

  /** 1, or 2 to split C's rows with a worker thread over the shared memory (started now, on first use of 2). */
  setThreads(threads: number): void {
    const t = Math.max(1, Math.min(2, Math.floor(threads)));
    if (t === 2 && !this.helper) this.helper = this.startHelper();
    this.threadCount = t;
  }

  /** Stops the helper thread (if any). */
  dispose(): void {
    if (this.helper) {
      Atomics.store(this.helper.ctrl, 0, 2);
      Atomics.notify(this.helper.ctrl, 0);
      void this.helper.worker.terminate();
      this.helper = undefined;
    }
    this.threadCount = 1;
  }

  /**
   * out[m×n] (+)= op(a)·op(b) as in matmul.ts; transA: a stored k×m; transB: b stored n×k.
   * a, b and out must share one dtype. Allocates nothing in steady state (views are cached).
   */
  gemm(transA: boolean, transB: boolean, a: TypedArray, b: TypedArray, out: TypedArray, m: number, k: number, n: number, accumulate: boolean): void {
    const f32 = out instanceof Float32Array;
    const elem = f32 ? 4 : 8;
    const packBase = this.base;
    const aAt = packBase + 2 * this.packSize;
    const bAt = align(aAt + m * k * elem);
    const cAt = align(bAt + k * n * elem);
    this.ensure(cAt + m * n * elem);
    const all = f32 ? this.f32 : this.f64;
    const shift = f32 ? 2 : 3; // element offsets by shifts: small integers, never boxed doubles
    copyIn(all, a, aAt >>> shift, m * k);
    copyIn(all, b, bAt >>> shift, k * n);
    const c = this.view(f32, cAt >>> shift, m * n);
    if (accumulate) copyIn(all, out, cAt >>> shift, m * n);
    const fn = f32 ? this.ex.gemm32 : this.ex.gemm64;
    const ta = transA ? 1 : 0;
    const tb = transB ? 1 : 0;
    const acc = accumulate ? 1 : 0;
    const h = this.helper;
    if (this.threadCount === 1 || h === undefined || m < 16 || m * n * k < THREAD_MIN_MACS || Atomics.load(h.ctrl, 3) === 0) {
      fn(ta, tb, m, k, n, aAt, bAt, cAt, acc, 0, m, packBase);
    } else {
      // Split on a multiple of 4 rows (the micro-kernel's height); the helper takes the bottom part.
      const split = Math.min(m, Math.max(4, Math.round(m / 8) * 4));
      const f = h.args;
      f[0] = elem; f[1] = ta; f[2] = tb; f[3] = m; f[4] = k; f[5] = n;
      f[6] = aAt; f[7] = bAt; f[8] = cAt; f[9] = acc; f[10] = split; f[11] = m; f[12] = packBase + this.packSize;
      Atomics.store(h.ctrl, 1, 0);
      Atomics.store(h.ctrl, 0, 1);
      Atomics.notify(h.ctrl, 0);
      fn(ta, tb, m, k, n, aAt, bAt, cAt, acc, 0, split, packBase);
      while (Atomics.load(h.ctrl, 1) === 0) Atomics.wait(h.ctrl, 1, 0, 1000);
      if (Atomics.load(h.ctrl, 2) !== 0) {
        Atomics.store(h.ctrl, 2, 0);
        fn(ta, tb, m, k, n, aAt, bAt, cAt, acc, split, m, packBase); // the helper failed: do its part here
      }
    }
    (out as Float64Array).set(c as Float64Array);
  }

  /** A cached view of `len` elements at element offset `at` (views are objects: caching keeps steps allocation-free). */
  private view(f32: boolean, at: number, len: number): TypedArray {
    const cache = f32 ? this.views32 : this.views64;
    let byLen = cache.get(at);
    if (byLen === undefined) cache.set(at, (byLen = new Map()));
    let v = byLen.get(len);
    if (v === undefined) {
      v = f32 ? new Float32Array(this.sab, at * 4, len) : new Float64Array(this.sab, at * 8, len);
      byLen.set(len, v);
    }
    return v;
  }

  private ensure(bytes: number): void {
    if (bytes > this.byteLength) {
      this.memory.grow(Math.ceil((bytes - this.byteLength) / PAGE));
      this.refresh();
    }
  }

  private refresh(): void {
    this.sab = this.memory.buffer;
    this.byteLength = this.sab.byteLength;
    this.f32 = new Float32Array(this.sab);
    this.f64 = new Float64Array(this.sab, 0, this.byteLength >> 3);
    this.views32.clear();
    this.views64.clear();
  }

  private startHelper(): Helper {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Worker } = require('worker_threads') as typeof import('worker_threads');
    const ctrlBuffer = new SharedArrayBuffer(64 + 16 * 8);
    const ctrl = new Int32Array(ctrlBuffer, 0, 16);
    const args = new Float64Array(ctrlBuffer, 64, 16);
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module: this.module, memory: this.memory, ctrl } });
    worker.unref();
    return { worker, ctrl, args };
  }
}

/** all[at .. at+len) = src[0 .. len) without allocating when src has exactly len elements. */
function copyIn(all: TypedArray, src: TypedArray, at: number, len: number): void {
  if (src.length === len) (all as Float64Array).set(src as Float64Array, at);
  else (all as Float64Array).set(src.subarray(0, len) as Float64Array, at);
}
