import { GateClass, GateId, GradientContractError, InvalidArgumentError, ChainruleError, Tensor } from '@chainrule/core';
import { EagerContext } from './context';
import { FreedTapeError } from './errors';
import { CONST, LEAF, SCALAR_OP, Tape, TENSOR_OP, TensorOp } from './tape';
import { Operand, Value } from './value';

/**
 * Recording: each eager operation becomes one tape entry applying a gate. Float64 scalars through
 * an elementwise gate take the scalar path (one shared kernel, numbers in the tape's arrays, one
 * small Value object per node); everything else takes the tensor path (its own gate instance, as a
 * graph node has).
 */

/** The tape index of an operand, adding an entry for a number or for a leaf's first use on this record. */
function slot(tape: Tape, v: Operand, where: string, i: number): number {
  if (typeof v === 'number') {
    const k = tape.push(CONST, true, false);
    tape.val[k] = v;
    return k;
  }
  if (!(v instanceof Value)) {
    throw new InvalidArgumentError(`${where}: input ${i} must be a Value or a number, got ${v === null ? 'null' : typeof v}`);
  }
  const leaf = v.leaf;
  if (v.tape === tape && v.generation === tape.generation) {
    if (leaf === undefined) return v.index;
    // A leaf keeps one entry per record unless its value or flag changed since (an in-place update).
    const k = v.index;
    if (tape.needs[k] === (leaf.requiresGrad ? 1 : 0) && (!v.scalar || tape.val[k] === (v.data as Tensor).data[0])) return k;
  } else if (leaf === undefined) {
    throw new FreedTapeError(
      `${where}: input ${i} (${v.describe()}) was recorded on a tape that backward() has since freed; ` +
        'detach() it to use its value as data, or call backward({ retainGraph: true }) to keep the tape',
    );
  }
  const data = v.data as Tensor;
  const k = tape.push(LEAF, v.scalar, (leaf as { requiresGrad: boolean }).requiresGrad);
  tape.objs[k] = v;
  if (v.scalar) tape.val[k] = data.data[0];
  v.tape = tape;
  v.index = k;
  v.generation = tape.generation;
  return k;
}

/** One-input elementwise gate with a known kernel (-1: none). */
export function record1(ctx: EagerContext, kernel: number, id: GateClass, options: Record<string, unknown> | undefined, a: Operand, where: string): Value {
  if (kernel < 0 || !ctx.gradEnabled) return apply(ctx, id, options, [a], where);
  const tape = ctx.tape;
  const ia = slot(tape, a, where, 0);
  return tape.scalar[ia] === 1 ? scalar1(tape, ctx, kernel, ia) : recordTensor(ctx, id, options, [ia], where);
}

/** Two-input elementwise gate with a known kernel (-1: none). */
export function record2(ctx: EagerContext, kernel: number, id: GateClass, a: Operand, b: Operand, where: string): Value {
  if (kernel < 0 || !ctx.gradEnabled) return apply(ctx, id, undefined, [a, b], where);
  const tape = ctx.tape;
  const ia = slot(tape, a, where, 0);
  const ib = slot(tape, b, where, 1);
  return tape.scalar[ia] === 1 && tape.scalar[ib] === 1 ? scalar2(tape, ctx, kernel, ia, ib) : recordTensor(ctx, id, undefined, [ia, ib], where);
}

function scalar1(tape: Tape, ctx: EagerContext, kernel: number, ia: number): Value {
  const out = ctx.kernels[kernel].forward1(tape.val[ia]);
  const k = tape.push(SCALAR_OP, true, tape.needs[ia] === 1);
  tape.op[k] = kernel;
  tape.in0[k] = ia;
  tape.in1[k] = -1;
  tape.val[k] = out;
  return new Value(tape, k, tape.generation, out, undefined, undefined, true);
}

function scalar2(tape: Tape, ctx: EagerContext, kernel: number, ia: number, ib: number): Value {
  const out = ctx.kernels[kernel].forward2(tape.val[ia], tape.val[ib]);
  const k = tape.push(SCALAR_OP, true, (tape.needs[ia] | tape.needs[ib]) === 1);
  tape.op[k] = kernel;
  tape.in0[k] = ia;
  tape.in1[k] = ib;
  tape.val[k] = out;
  return new Value(tape, k, tape.generation, out, undefined, undefined, true);
}

/** Any gate on any operands: the scalar path when it can, else the tensor path; nothing recorded under noGrad(). */
export function apply(ctx: EagerContext, id: GateId, options: Record<string, unknown> | undefined, operands: readonly Operand[], where: string): Value {
  const tape = ctx.tape;
  if (!ctx.gradEnabled) {
    // Data in, data out: the gate runs on tensors and the result is a leaf that requires no gradient.
    const args = operands.map((o, i) => tensorOfOperand(o, operands, where, i));
    const out = forwardChecked(ctx.gate(id, options, args.map(() => false), where), args, where);
    return Value.leafOf(out, false, undefined);
  }
  const inputs = operands.map((o, i) => slot(tape, o, where, i));
  const kernel = operands.length <= 2 ? ctx.kernel(id, options) : -1;
  if (kernel >= 0 && ctx.kernels[kernel].unary === (inputs.length === 1) && inputs.every((k) => tape.scalar[k] === 1)) {
    return inputs.length === 1 ? scalar1(tape, ctx, kernel, inputs[0]) : scalar2(tape, ctx, kernel, inputs[0], inputs[1]);
  }
  return recordTensor(ctx, id, options, inputs, where);
}

/** The tensor path: a fresh gate instance forwards the inputs' tensors and is kept for backward. */
function recordTensor(ctx: EagerContext, id: GateId, options: Record<string, unknown> | undefined, inputs: readonly number[], where: string): Value {
  const tape = ctx.tape;
  const dtype = inputs.some((k) => tape.kind[k] !== CONST && !tape.scalar[k] && tensorAt(tape, k, 'float64').dtype === 'float32') ? 'float32' : 'float64';
  const args = inputs.map((k) => tensorAt(tape, k, dtype));
  const needs = inputs.map((k) => tape.needs[k] === 1);
  const gate = ctx.gate(id, options, needs, where);
  const out = forwardChecked(gate, args, where);
  const scalar = out.dtype === 'float64' && out.shape.length === 0;
  const k = tape.push(TENSOR_OP, scalar, needs.some((n) => n));
  const rec: TensorOp = { gate, id, options, inputs: inputs.slice(), args, value: out };
  tape.objs[k] = rec;
  if (scalar) tape.val[k] = out.data[0];
  return new Value(tape, k, tape.generation, scalar ? out.data[0] : NaN, out, undefined, scalar);
}

/** Entry k's value as a tensor; a number constant takes `dtype` (so `x32.mul(2)` stays float32). */
function tensorAt(tape: Tape, k: number, dtype: 'float32' | 'float64'): Tensor {
  switch (tape.kind[k]) {
    case LEAF:
      return (tape.objs[k] as Value).data as Tensor;
    case TENSOR_OP:
      return (tape.objs[k] as TensorOp).value;
    case CONST:
      return Tensor.from(tape.val[k], { dtype });
    default:
      return Tensor.from(tape.val[k]);
  }
}

function tensorOfOperand(o: Operand, all: readonly Operand[], where: string, i: number): Tensor {
  if (typeof o === 'number') {
    const f32 = all.some((x) => x instanceof Value && !x.scalar && x.value.dtype === 'float32');
    return Tensor.from(o, { dtype: f32 ? 'float32' : 'float64' });
  }
  if (!(o instanceof Value)) throw new InvalidArgumentError(`${where}: input ${i} must be a Value or a number, got ${o === null ? 'null' : typeof o}`);
  return o.value;
}

function forwardChecked(gate: { forward(...inputs: Tensor[]): Tensor }, args: Tensor[], where: string): Tensor {
  let out: Tensor;
  try {
    out = gate.forward(...args);
  } catch (e) {
    throw rethrowAt(e, where);
  }
  if (!(out instanceof Tensor)) throw new GradientContractError(`${where}: forward must return a Tensor, got ${out === null ? 'null' : typeof out}`);
  return out;
}

/** Prefixes a gate's error with the eager operation, keeping its class (so callers catch by kind). */
export function rethrowAt(e: unknown, where: string): ChainruleError {
  if (e instanceof ChainruleError) {
    if (e.message.startsWith(where)) return e;
    const Ctor = e.constructor as new (message: string) => ChainruleError;
    const wrapped = new Ctor(`${where}: ${e.message}`);
    (wrapped as Error & { cause?: unknown }).cause = e;
    wrapped.gate = e.gate;
    return wrapped;
  }
  const wrapped = new ChainruleError(`${where}: ${(e as Error)?.message ?? String(e)}`);
  (wrapped as Error & { cause?: unknown }).cause = e;
  return wrapped;
}
