import { Gate, GateId, Tensor } from '@chainrule/core';
import type { ScalarKernel } from './scalar-kernel';
import type { Value } from './value';

/** What a tape entry is. */
export const LEAF = 0;
export const CONST = 1;
export const SCALAR_OP = 2;
export const TENSOR_OP = 3;

/** A gate applied on the tensor path: its own gate instance (which keeps what its backward needs). */
export interface TensorOp {
  readonly gate: Gate;
  readonly id: GateId;
  readonly options: Record<string, unknown> | undefined;
  /** Tape indices of the inputs. */
  readonly inputs: readonly number[];
  /** The tensors forward was given (a number constant's tensor has the dtype it was given as). */
  readonly args: readonly Tensor[];
  readonly value: Tensor;
}

/**
 * The record of one eager computation, in the order it ran (which is a topological order, so
 * backward is one reverse sweep with no sort). Struct-of-arrays: entry k's kind, inputs, value and
 * gradient sit at index k of typed arrays that grow by doubling and are reused after `free()`, so a
 * scalar node costs no allocation here. Entries whose value is a float64 scalar (shape []) keep value
 * and gradient in `val`/`grad`; the others keep tensors in `tensors`/`tgrad`.
 */
export class Tape {
  length = 0;
  /** Bumped by free(): a Value whose generation differs refers to a freed record. */
  generation = 0;
  /** Whether a backward has run over this record (so `grad` and `mark` are meaningful). */
  gradsReady = false;
  kind = new Uint8Array(0);
  /** 1 when the entry's value is a float64 scalar held in val/grad. */
  scalar = new Uint8Array(0);
  /** 1 when backward must reach the entry (it depends on a leaf that requires a gradient). */
  needs = new Uint8Array(0);
  /** Scratch for backward: 1 when the entry lies on a path from the result. */
  mark = new Uint8Array(0);
  /** SCALAR_OP: index of its kernel in the context's kernel table. */
  op = new Int32Array(0);
  in0 = new Int32Array(0);
  in1 = new Int32Array(0);
  val = new Float64Array(0);
  grad = new Float64Array(0);
  /** LEAF: the leaf Value; TENSOR_OP: its TensorOp; CONST: the constant's tensor. */
  objs: (Value | TensorOp | Tensor | undefined)[] = [];
  /** Gradients of non-scalar entries, by index (undefined until backward reaches them). */
  tgrad: (Tensor | undefined)[] = [];

  constructor(
    /** The context's scalar kernels, which SCALAR_OP entries index. */
    readonly kernels: readonly ScalarKernel[],
    capacity = 1024,
  ) {
    this.grow(capacity);
  }

  /** Appends an entry and returns its index. */
  push(kind: number, scalar: boolean, needs: boolean): number {
    const k = this.length;
    if (k === this.kind.length) this.grow(2 * k);
    this.kind[k] = kind;
    this.scalar[k] = scalar ? 1 : 0;
    this.needs[k] = needs ? 1 : 0;
    this.mark[k] = 0;
    this.length = k + 1;
    return k;
  }

  /** Forgets every entry (PyTorch frees the graph after backward); the arrays are kept for the next record. */
  free(): void {
    for (let k = 0; k < this.length; k++) {
      this.objs[k] = undefined;
      this.tgrad[k] = undefined;
    }
    this.length = 0;
    this.generation++;
    this.gradsReady = false;
  }

  private grow(capacity: number): void {
    const n = Math.max(capacity, 16);
    const u8 = (a: Uint8Array): Uint8Array<ArrayBuffer> => {
      const b = new Uint8Array(n);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    const f64 = (a: Float64Array): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.kind = u8(this.kind);
    this.scalar = u8(this.scalar);
    this.needs = u8(this.needs);
    this.mark = u8(this.mark);
    this.op = i32(this.op);
    this.in0 = i32(this.in0);
    this.in1 = i32(this.in1);
    this.val = f64(this.val);
    this.grad = f64(this.grad);
  }
}
