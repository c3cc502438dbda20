import { DType, TypedArray } from '../tensor';

/**
 * The matrix-product service that gates receive by constructor injection (MatMulGate, and any gate
 * that lowers its work to products). A container binds one under MATMUL_KERNEL (kernelModule() does),
 * so the choice of kernel is a binding per container; a gate made with `new` and no container uses
 * defaultKernel.
 *
 * Every method computes out[m×n] = A·B (or adds it to out with accumulate), row-major:
 * - gemm: A = a [m×k], B = b [k×n];
 * - gemmTransA: A = aᵀ with a stored [k×m];
 * - gemmTransB: B = bᵀ with b stored [n×k].
 */
export interface MatmulKernel {
  /** Which implementation runs products ('js', 'wasm-simd', 'wasm-simd x2', …), for reports. */
  readonly name: string;
  /** What runs and why (kernels made by createKernel have it; see kernelInfo()). */
  readonly info?: KernelInfo;
  gemm(a: TypedArray, b: TypedArray, out: TypedArray, m: number, k: number, n: number, accumulate?: boolean): void;
  gemmTransA(a: TypedArray, b: TypedArray, out: TypedArray, m: number, k: number, n: number, accumulate?: boolean): void;
  gemmTransB(a: TypedArray, b: TypedArray, out: TypedArray, m: number, k: number, n: number, accumulate?: boolean): void;
  /**
   * Optional: a zeroed array that products read and write where it is (in the WebAssembly kernel's
   * shared memory, so nothing is copied in or out), or undefined when the kernel has none to give.
   * Gates get their output and gradient buffers through kernelTensor(), which falls back to an
   * ordinary array.
   */
  alloc?(dtype: DType, length: number): TypedArray | undefined;
  /** Optional: takes back an array from alloc that its owner no longer uses (for a later alloc of that size). */
  release?(data: TypedArray): void;
}

/** Which kernel runs and why: e.g. { name: 'js', threads: 1, reason: 'js: WebAssembly SIMD unavailable in this engine' }. */
export interface KernelInfo {
  readonly name: string;
  /** Threads that large products run on now (2 only while a helper thread is alive). */
  readonly threads: number;
  readonly reason: string;
}

/** The container key gates inject their kernel under: `@inject(MATMUL_KERNEL) @optional()`. */
export const MATMUL_KERNEL = Symbol.for('chainrule.MatmulKernel');
