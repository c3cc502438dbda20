import { assertOptions, GateClass, GateId, InvalidArgumentError, NestedArray, Tensor } from '@chainrule/core';
import {
  AddGate,
  DivideGate,
  ExpGate,
  LogGate,
  LogSoftmaxGate,
  MatMulGate,
  MaxGate,
  MeanGate,
  MultiplyGate,
  NegateGate,
  PowGate,
  ReLUGate,
  ReshapeGate,
  SigmoidGate,
  SoftmaxCrossEntropyGate,
  SoftmaxGate,
  SubtractGate,
  SumGate,
  TanhGate,
  TransposeGate,
} from '@chainrule/gates';
import { eagerContext } from './context';
import { apply as applyIn, record1, record2 } from './record';
import { constant, Operand, Value } from './value';

/**
 * The eager operations: each applies one gate from @chainrule/gates (no derivative is written here).
 * Functions and Value methods are the same thing: `add(x, y)` is `x.add(y)`; numbers are constants.
 */

export interface ReduceOptions {
  axis?: number;
  keepDims?: boolean;
}

export interface SoftmaxOptions {
  axis?: number;
}

function binary(id: GateClass, a: Operand, b: Operand, where: string): Value {
  const ctx = eagerContext();
  return record2(ctx, ctx.kernel(id), id, a, b, where);
}

function unary(id: GateClass, a: Operand, where: string, options?: Record<string, unknown>): Value {
  const ctx = eagerContext();
  return record1(ctx, ctx.kernel(id, options), id, options, a, where);
}

export const add = (a: Operand, b: Operand): Value => binary(AddGate, a, b, 'add (AddGate)');
export const sub = (a: Operand, b: Operand): Value => binary(SubtractGate, a, b, 'sub (SubtractGate)');
export const mul = (a: Operand, b: Operand): Value => binary(MultiplyGate, a, b, 'mul (MultiplyGate)');
export const div = (a: Operand, b: Operand): Value => binary(DivideGate, a, b, 'div (DivideGate)');
/** Elementwise maximum; at a tie the gradient goes to `a` (MaxGate's rule). */
export const max = (a: Operand, b: Operand): Value => binary(MaxGate, a, b, 'max (MaxGate)');
export const neg = (a: Operand): Value => unary(NegateGate, a, 'neg (NegateGate)');
export const exp = (a: Operand): Value => unary(ExpGate, a, 'exp (ExpGate)');
export const log = (a: Operand): Value => unary(LogGate, a, 'log (LogGate)');
export const tanh = (a: Operand): Value => unary(TanhGate, a, 'tanh (TanhGate)');
export const sigmoid = (a: Operand): Value => unary(SigmoidGate, a, 'sigmoid (SigmoidGate)');
export const relu = (a: Operand): Value => unary(ReLUGate, a, 'relu (ReLUGate)');

/** a^p for a number p (PowGate with option p). */
export function pow(a: Operand, p: number): Value {
  if (typeof p !== 'number') throw new InvalidArgumentError(`pow (PowGate): the exponent must be a number, got ${p === null ? 'null' : typeof p}`);
  return unary(PowGate, a, 'pow (PowGate)', { p });
}

/** Matrix product of [n, k] and [k, m] (MatMulGate, with the container's matmul kernel). */
export function matmul(a: Value, b: Value): Value {
  return applyIn(eagerContext(), MatMulGate, undefined, [a, b], 'matmul (MatMulGate)');
}

export function sum(a: Value, options: ReduceOptions = {}): Value {
  return applyIn(eagerContext(), SumGate, reduceOptions(options), [a], 'sum (SumGate)');
}

export function mean(a: Value, options: ReduceOptions = {}): Value {
  return applyIn(eagerContext(), MeanGate, reduceOptions(options), [a], 'mean (MeanGate)');
}

export function softmax(a: Value, options: SoftmaxOptions = {}): Value {
  assertOptions(options, 'softmax');
  return applyIn(eagerContext(), SoftmaxGate, options.axis === undefined ? undefined : { axis: options.axis }, [a], 'softmax (SoftmaxGate)');
}

export function logSoftmax(a: Value, options: SoftmaxOptions = {}): Value {
  assertOptions(options, 'logSoftmax');
  return applyIn(eagerContext(), LogSoftmaxGate, options.axis === undefined ? undefined : { axis: options.axis }, [a], 'logSoftmax (LogSoftmaxGate)');
}

export function reshape(a: Value, shape: readonly number[]): Value {
  return applyIn(eagerContext(), ReshapeGate, { shape: shape.slice() }, [a], 'reshape (ReshapeGate)');
}

/** Reverses the axes, or permutes them by `axes` (TransposeGate). */
export function transpose(a: Value, axes?: readonly number[]): Value {
  return applyIn(eagerContext(), TransposeGate, axes === undefined ? undefined : { axes: axes.slice() }, [a], 'transpose (TransposeGate)');
}

/** Mean softmax cross-entropy of scores [N, C] against integer class labels [N] (SoftmaxCrossEntropyGate). */
export function crossEntropy(scores: Value, labels: Value | Tensor | NestedArray): Value {
  const l = labels instanceof Value ? labels : constant(labels, { dtype: scores.dtype });
  return applyIn(eagerContext(), SoftmaxCrossEntropyGate, undefined, [scores, l], 'crossEntropy (SoftmaxCrossEntropyGate)');
}

/**
 * Any gate, built-in or your own, on Values and numbers: `apply(MyGate, a, b)`, or with options
 * `apply(ScaleGate, [a], { a: 2 })`. The gate is resolved from the context's container (a class it
 * has not registered is constructed anyway, as a graph does), so a custom gate needs nothing else to
 * work eagerly.
 */
export function apply(id: GateId, ...inputs: Operand[]): Value;
export function apply(id: GateId, inputs: readonly Operand[], options?: Record<string, unknown>): Value;
export function apply(id: GateId, ...rest: unknown[]): Value {
  const name = typeof id === 'string' ? id : id.name;
  const where = `apply (${name})`;
  if (Array.isArray(rest[0])) {
    if (rest.length > 2) throw new InvalidArgumentError(`${where}: give the inputs as an array and then one options object, got ${rest.length} arguments`);
    return applyIn(eagerContext(), id, rest[1] as Record<string, unknown> | undefined, rest[0] as Operand[], where);
  }
  return applyIn(eagerContext(), id, undefined, rest as Operand[], where);
}

function reduceOptions(o: ReduceOptions): Record<string, unknown> | undefined {
  assertOptions(o, 'eager reduction');
  if (o.axis === undefined && o.keepDims === undefined) return undefined;
  const out: Record<string, unknown> = {};
  if (o.axis !== undefined) out.axis = o.axis;
  if (o.keepDims !== undefined) out.keepDims = o.keepDims;
  return out;
}
