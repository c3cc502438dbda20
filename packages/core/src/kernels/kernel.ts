import { TypedArray } from '../tensor';
import { gemm, gemmTransA, gemmTransB, getMatmulBackend } from './backend';

/**
 * The matrix-product service that gates receive by constructor injection (MatMulGate, and any gate
 * that lowers its work to products). A container binds one under MATMUL_KERNEL, so the choice of
 * kernel is a binding per container; a gate made with `new` and no container uses defaultKernel.
 *
 * Every method computes out[m×n] = A·B (or adds it to out with accumulate), row-major:
 * - gemm: A = a [m×k], B = b [k×n];
 * - gemmTransA: A = aᵀ with a stored [k×m];
 * - gemmTransB: B = bᵀ with b stored [n×k].
 */
export interface MatmulKernel {
  /** Which implementation runs products of this size class ('js', 'wasm', …), for reports. */
  readonly name: string;
  gemm(a: TypedArray, b: TypedArray, out: TypedArray, m: number, k: number, n: number, accumulate?: boolean): void;
  gemmTransA(a: TypedArray, b: TypedArray, out: TypedArray, m: number, k: number, n: number, accumulate?: boolean): void;
  gemmTransB(a: TypedArray, b: TypedArray, out: TypedArray, m: number, k: number, n: number, accumulate?: boolean): void;
}

/** The container key gates inject their kernel under: `@inject(MATMUL_KERNEL) @optional()`. */
export const MATMUL_KERNEL = Symbol.for('chainrule.MatmulKernel');

/** The kernel of gates built without a container binding for MATMUL_KERNEL. */
export const defaultKernel: MatmulKernel = {
  get name(): string {
    return getMatmulBackend();
  },
  gemm,
  gemmTransA,
  gemmTransB,
};
