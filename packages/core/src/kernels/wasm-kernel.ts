import { DType, TypedArray } from '../tensor';
import { GemmInstance } from './gemm-instance';
import { HelperSpawner, HelperThread } from './helper-thread';
import type { ManagedKernel } from './create-kernel';
import { KernelInfo } from './kernel';
import { matmul, matmulTransA, matmulTransB, MatmulFn } from './matmul';
import { now } from './clock';
import { SplitPolicy, THREAD_MIN_DEPTH } from './split-policy';
import { loadGemmModule, WasmApi } from './wasm-module';

/**
 * The WebAssembly SIMD kernel: one GemmInstance (its own memory) per kernel object, so kernels of
 * different containers never share state. Products it does not take run on the plain-JS loops:
 * mixed dtypes always, and with `minMacs` > 0 ('auto') products too small to repay the copies.
 *
 * With a helper thread, products of at least `threadMinMacs[dtype]` multiply-adds may split C's
 * rows (where SplitPolicy's timing shows it pays): the helper computes the bottom part over the
 * same shared memory. Each output row is computed by
 * the same code on either thread, so results are bit-identical to one thread's. When the helper is
 * lost (dead or stuck, see helper-thread.ts) the product is finished on one thread, a warning is
 * printed once, and the kernel stays on one thread from then on.
 */

export interface WasmKernelOptions {
  /** Products below this many multiply-adds run on the JS loops (0: every same-dtype product on wasm). */
  minMacs: number;
  /** With a spawner, a helper thread takes part in large products. */
  spawnHelper?: HelperSpawner;
  /** Minimum multiply-adds (m·k·n) before the helper may take part, per dtype. */
  threadMinMacs: { float32: number; float64: number };
  /** 'measured': above the minimum, split only where timing shows it pays (SplitPolicy); 'always': split every product above it. */
  split: 'measured' | 'always';
  /** How long past the caller's own share a taken job may run before the helper is declared lost. */
  helperTimeoutMs: number;
}

export class WasmKernel implements ManagedKernel {
  private gemm_: GemmInstance;
  private helper: HelperThread | undefined;
  private lossReported = false;
  /** Why a kernel asked for two threads has one from the start. */
  private whyOneThread: string | undefined;
  private readonly minMacs: number;
  private readonly threadMinMacs: WasmKernelOptions['threadMinMacs'];
  private readonly policy: SplitPolicy | undefined;

  private constructor(private readonly api: WasmApi, private readonly module: object, shared: boolean, o: WasmKernelOptions) {
    this.minMacs = o.minMacs;
    this.threadMinMacs = o.threadMinMacs;
    this.policy = o.split === 'measured' ? new SplitPolicy() : undefined;
    this.gemm_ = new GemmInstance(api, module, shared, shared ? 2 : 1);
  }

  /**
   * A kernel, or the reason it cannot be made here. With a spawner, the shared-memory module is
   * tried first; when that fails (no SharedArrayBuffer) the result is a one-thread kernel that says why.
   * Without one, too, the shared-memory module is preferred (it measured faster), the plain one the fallback.
   */
  static create(o: WasmKernelOptions): { kernel: WasmKernel; threadsWhyNot?: string } | { reason: string } {
    if (o.spawnHelper) {
      const shared = loadGemmModule(true);
      if (shared.module) {
        const kernel = new WasmKernel(shared.api, shared.module, true, o);
        try {
          kernel.helper = new HelperThread(o.spawnHelper, shared.module, kernel.gemm_.memory, o.helperTimeoutMs);
          return { kernel };
        } catch (e) {
          kernel.whyOneThread = `the helper thread did not start (${(e as Error)?.message})`;
          return { kernel, threadsWhyNot: kernel.whyOneThread };
        }
      }
      const plain = loadGemmModule(false);
      if (plain.module) {
        const kernel = new WasmKernel(plain.api, plain.module, false, o);
        kernel.whyOneThread = shared.reason;
        return { kernel, threadsWhyNot: shared.reason };
      }
      return { reason: plain.reason };
    }
    // One thread still prefers the shared-memory build: W1 measured 9 % faster on it than on the
    // plain build (issue 11, docs/performance.md "One thread on shared memory"); where there is no
    // SharedArrayBuffer (a page without cross-origin isolation) the plain build serves.
    const sharedOne = loadGemmModule(true);
    if (sharedOne.module) return { kernel: new WasmKernel(sharedOne.api, sharedOne.module, true, o) };
    const plain = loadGemmModule(false);
    return plain.module ? { kernel: new WasmKernel(plain.api, plain.module, false, o) } : { reason: plain.reason };
  }

  get name(): string {
    return this.helper && this.helper.lost === undefined ? 'wasm-simd x2' : 'wasm-simd';
  }

  get info(): KernelInfo {
    const lost = this.helper?.lost ?? this.whyOneThread;
    return {
      name: this.name,
      threads: this.helper !== undefined && lost === undefined ? 2 : 1,
      reason: lost !== undefined ? `WebAssembly SIMD on one thread: ${lost}` : this.helper ? 'WebAssembly SIMD with a helper thread for large products' : 'WebAssembly SIMD',
    };
  }

  async threadsReady(ms = 10000): Promise<boolean> {
    const t0 = now();
    while (this.helper && this.helper.lost === undefined && !this.helper.ready && now() - t0 < ms) {
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.helper !== undefined && this.helper.ready;
  }

  /** A zeroed array in the kernel's memory, which products read and write in place (undefined when the memory is not shared). */
  alloc(dtype: DType, length: number): TypedArray | undefined {
    return this.gemm_.alloc(dtype === 'float32', length);
  }

  /** Gives an array from alloc back for reuse. */
  release(data: TypedArray): void {
    this.gemm_.release(data);
  }

  dispose(): void {
    this.lossReported = true;
    this.helper?.giveUp('the kernel was disposed');
  }

  gemm(a: TypedArray, b: TypedArray, out: TypedArray, m: number, k: number, n: number, accumulate = false): void {
    this.product(false, false, matmul, a, b, out, m, k, n, accumulate);
  }

  gemmTransA(a: TypedArray, b: TypedArray, out: TypedArray, m: number, k: number, n: number, accumulate = false): void {
    this.product(true, false, matmulTransA, a, b, out, m, k, n, accumulate);
  }

  gemmTransB(a: TypedArray, b: TypedArray, out: TypedArray, m: number, k: number, n: number, accumulate = false): void {
    this.product(false, true, matmulTransB, a, b, out, m, k, n, accumulate);
  }

  private product(ta: boolean, tb: boolean, js: MatmulFn, a: TypedArray, b: TypedArray, out: TypedArray, m: number, k: number, n: number, accumulate: boolean): void {
    const c = out.constructor;
    const macs = m * k * n;
    if (a.constructor !== c || b.constructor !== c || macs < this.minMacs || !GemmInstance.fits(m, k, n, out.BYTES_PER_ELEMENT)) {
      js(a, b, out, m, k, n, accumulate);
      return;
    }
    const g = this.gemm_;
    const h = this.helper;
    const elem = out.BYTES_PER_ELEMENT;
    if (h === undefined || m < 8 || k < THREAD_MIN_DEPTH || macs < (elem === 4 ? this.threadMinMacs.float32 : this.threadMinMacs.float64)) {
      const j = g.load(ta, tb, a, b, out, m, k, n, accumulate);
      g.run(j, 0, m, 0);
      g.store(j, out);
      return;
    }
    const p = this.policy;
    const slot = p === undefined ? 0 : p.slot(elem, ta, tb, m, k, n);
    const split1 = p === undefined || p.split(slot);
    // Split on a multiple of 4 rows (the micro-kernel's height); the helper takes the bottom part,
    // which load stages when C is a tensor's own array (a helper lost mid-product could still write
    // there afterwards).
    const split = Math.round(m / 8) * 4;
    const j = g.load(ta, tb, a, b, out, m, k, n, accumulate, split1 ? split : -1);
    const t0 = now();
    if (!split1) {
      g.run(j, 0, m, 0);
      (p as SplitPolicy).record(slot, false, now() - t0);
      g.store(j, out);
      return;
    }
    if (!h.post(j.elem, j.ta, j.tb, m, k, n, j.aAt, j.bAt, j.helperCAt, j.acc, split, m, g.packAt(1))) {
      this.noteLoss(h);
      g.run(j, 0, m, 0);
      g.store(j, out);
      return;
    }
    g.run(j, 0, split, 0);
    const outcome = h.finish(now() - t0);
    if (outcome === 'done') g.helperRowsIn(j);
    else if (outcome === 'revoked') g.run(j, split, m, 0); // the helper was late: that too is what splitting cost
    else if (outcome === 'failed') {
      if (accumulate) g.restoreRows(j, out, split, m);
      g.run(j, split, m, 0);
    } else {
      // Lost: the stopped helper may still write into this memory (into staging, never into a
      // tensor): redo the whole product in a fresh one.
      this.noteLoss(h);
      this.gemm_ = new GemmInstance(this.api, this.module, true, 2);
      this.product(ta, tb, js, a, b, out, m, k, n, accumulate);
      return;
    }
    if (p !== undefined && outcome !== 'failed') p.record(slot, true, now() - t0);
    g.store(j, out);
  }

  private noteLoss(h: HelperThread): void {
    if (h.lost === undefined || this.lossReported) return;
    this.lossReported = true;
    console.warn(`chainrule: the matmul kernel continues on one thread: ${h.lost}`);
  }
}
