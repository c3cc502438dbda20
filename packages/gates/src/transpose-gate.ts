import { expectDout, expectInputs, formatShape, Gate, GATE_OPTIONS, readOptions, ShapeError, stridesOf, Tensor, TypedArray, GateDescription } from '@chainrule/core';
import { inject, injectable, optional } from 'inversify';
import { gradBuffer } from './grad-buffer';

export interface TransposeOptions {
  /** A permutation of the input's axes (negative axes count from the end); default: reverse them all (xᵀ for a matrix). */
  axes?: number[];
}

/**
 * z = xᵀ, or a permutation of axes: z.shape[i] = x.shape[axes[i]] (numpy's `transpose`).
 * Backward permutes dout back with the inverse permutation. Both directions copy into reused
 * buffers (a blocked loop for matrices).
 */
@injectable()
export class TransposeGate implements Gate {
  static readonly description: GateDescription<TransposeGate> = {
    arity: 1,
    shape: ([x], g) => {
      const rank = x.length;
      const perm = g.axes === undefined ? x.map((_, i) => rank - 1 - i) : g.axes.map((a) => (a < 0 ? a + rank : a));
      if (perm.length !== rank || new Set(perm).size !== rank || perm.some((a) => a < 0 || a >= rank)) {
        throw new ShapeError(`axes [${(g.axes ?? []).join(', ')}] are not a permutation of the ${rank} axes of the input`);
      }
      return perm.map((a) => x[a]);
    },
  };
  axes: number[] | undefined;
  private perm: number[] = [];
  private inverse: number[] = [];
  private input: Tensor | undefined;
  private output: Tensor | undefined;
  private readonly grads: Tensor[] = [];

  constructor(@inject(GATE_OPTIONS) @optional() options: TransposeOptions = {}) {
    this.axes = readOptions<TransposeOptions>('TransposeGate', options, { axes: 'integer[]' }).axes;
  }

  forward(...inputs: Tensor[]): Tensor {
    expectInputs('TransposeGate', inputs, 1);
    const x = inputs[0];
    const rank = x.rank;
    const perm = this.resolve(x.shape);
    const outShape = perm.map((a) => x.shape[a]);
    const out = (this.output = Tensor.reuse(this.output, outShape, x.dtype));
    this.input = x;
    this.perm = perm;
    this.inverse = new Array<number>(rank);
    for (let i = 0; i < rank; i++) this.inverse[perm[i]] = i;
    permute(x.data, x.shape, perm, out.data);
    return out;
  }

  backward(dout: Tensor): Tensor[] {
    const x = this.input;
    expectDout('TransposeGate', x, dout, this.output?.shape);
    const dx = gradBuffer(this.grads, 0, x);
    permute(dout.data, dout.shape, this.inverse, dx.data);
    return this.grads;
  }

  private resolve(shape: readonly number[]): number[] {
    const rank = shape.length;
    if (this.axes === undefined) return Array.from({ length: rank }, (_, i) => rank - 1 - i);
    const perm = this.axes.map((a) => (a < 0 ? a + rank : a));
    const seen = new Set(perm);
    if (perm.length !== rank || seen.size !== rank || perm.some((a) => a < 0 || a >= rank)) {
      throw new ShapeError(
        `TransposeGate.forward: axes [${this.axes.join(', ')}] are not a permutation of the ${rank} axes of input ${formatShape(shape)}`,
      );
    }
    return perm;
  }
}



/** dst = src with its axes permuted: dst.shape[i] = shape[perm[i]]. No allocation for ranks ≤ 2. */
function permute(src: TypedArray, shape: readonly number[], perm: readonly number[], dst: TypedArray): void {
  const rank = shape.length;
  if (dst.length === 0) return;
  if (rank < 2 || perm.every((a, i) => a === i)) {
    dst.set(src);
    return;
  }
  if (rank === 2) {
    transpose2d(src, shape[0], shape[1], dst);
    return;
  }
  const outShape = perm.map((a) => shape[a]);
  const srcStrides = stridesOf(shape);
  const step = perm.map((a) => srcStrides[a]); // source stride of each output axis
  const counter = new Array<number>(rank).fill(0);
  const last = rank - 1;
  const lastLen = outShape[last];
  const lastStep = step[last];
  let s = 0;
  for (let o = 0; o < dst.length; o += lastLen) {
    for (let j = 0; j < lastLen; j++) dst[o + j] = src[s + j * lastStep];
    // Odometer over every output axis but the last.
    for (let axis = last - 1; axis >= 0; axis--) {
      counter[axis]++;
      s += step[axis];
      if (counter[axis] < outShape[axis]) break;
      s -= step[axis] * counter[axis];
      counter[axis] = 0;
    }
  }
}

/** dst[c×r] = src[r×c]ᵀ, in 32×32 tiles so both sides stay in cache. */
function transpose2d(src: TypedArray, r: number, c: number, dst: TypedArray): void {
  const B = 32;
  for (let i0 = 0; i0 < r; i0 += B) {
    const iEnd = Math.min(i0 + B, r);
    for (let j0 = 0; j0 < c; j0 += B) {
      const jEnd = Math.min(j0 + B, c);
      for (let i = i0; i < iEnd; i++) {
        const row = i * c;
        for (let j = j0; j < jEnd; j++) dst[j * r + i] = src[row + j];
      }
    }
  }
}
