import { broadcastShapes, Shape, shapesEqual, sizeOf, stridesOf } from './shape';
import { TypedArray } from './tensor';

/** Identity plans read no index map; one shared empty array spares two allocations per plan. */
const NO_INDEX = new Int32Array(0);

/**
 * How two operands of a binary elementwise gate map onto their broadcast result.
 *
 * Built once per pair of input shapes and kept by the gate, so steady-state steps reuse it.
 * `identity` means both operands already have the output's shape and kernels can run a plain
 * `o[i] = f(a[i], b[i])` loop. Otherwise `aIndex[i]` / `bIndex[i]` give, for output element i,
 * the element of a / b it reads: one integer lookup per element, no index arithmetic in the loop.
 */
export class BroadcastPlan {
  readonly outShape: readonly number[];
  readonly size: number;
  readonly identity: boolean;
  readonly aIndex: Int32Array;
  readonly bIndex: Int32Array;

  private constructor(readonly aShape: Shape, readonly bShape: Shape, context: string) {
    this.outShape = broadcastShapes(aShape, bShape, context);
    this.size = sizeOf(this.outShape);
    this.identity = shapesEqual(aShape, this.outShape) && shapesEqual(bShape, this.outShape);
    this.aIndex = this.identity ? NO_INDEX : indexMap(aShape, this.outShape);
    this.bIndex = this.identity ? NO_INDEX : indexMap(bShape, this.outShape);
  }

  /** `previous` when it was made for these shapes, else a new plan (which throws ShapeError when they do not broadcast). */
  static for(previous: BroadcastPlan | undefined, aShape: Shape, bShape: Shape, context: string): BroadcastPlan {
    if (previous && shapesEqual(previous.aShape, aShape) && shapesEqual(previous.bShape, bShape)) return previous;
    return new BroadcastPlan(aShape, bShape, context);
  }

  /** out (a's shape) = grad (the output's shape) summed over the axes along which a was broadcast. */
  reduceToA(grad: TypedArray, out: TypedArray): void {
    reduceInto(grad, this.identity ? null : this.aIndex, out);
  }

  reduceToB(grad: TypedArray, out: TypedArray): void {
    reduceInto(grad, this.identity ? null : this.bIndex, out);
  }
}

function reduceInto(grad: TypedArray, index: Int32Array | null, out: TypedArray): void {
  if (index === null || out.length === grad.length) {
    out.set(grad);
    return;
  }
  out.fill(0);
  for (let i = 0; i < grad.length; i++) out[index[i]] += grad[i];
}

/** For every element of `outShape`, the flat index of the element of `shape` that broadcasting reads. */
function indexMap(shape: Shape, outShape: Shape): Int32Array {
  const size = sizeOf(outShape);
  const map = new Int32Array(size);
  const rank = outShape.length;
  const offset = rank - shape.length;
  const srcStrides = stridesOf(shape);
  // Stride of each output axis in the source: 0 where the source has size 1 (or lacks the axis).
  const step = new Array<number>(rank).fill(0);
  for (let i = 0; i < shape.length; i++) step[i + offset] = shape[i] === 1 ? 0 : srcStrides[i];
  const counter = new Array<number>(rank).fill(0);
  let src = 0;
  for (let i = 0; i < size; i++) {
    map[i] = src;
    // Odometer increment over the output's axes, carrying from the last.
    for (let axis = rank - 1; axis >= 0; axis--) {
      counter[axis]++;
      src += step[axis];
      if (counter[axis] < outShape[axis]) break;
      src -= step[axis] * counter[axis];
      counter[axis] = 0;
    }
  }
  return map;
}
