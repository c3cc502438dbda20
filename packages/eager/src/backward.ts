import { formatShape, GradientContractError, shapesEqual, ShapeError, Tensor } from '@chainrule/core';
import { FreedTapeError, NoGradientError } from './errors';
import { rethrowAt } from './record';
import { ScalarKernel } from './scalar-kernel';
import { LEAF, SCALAR_OP, Tape, TENSOR_OP, TensorOp } from './tape';
import type { Value } from './value';

export interface BackwardOptions {
  /** dL/d(result); default 1, which needs a one-element result. */
  seed?: Tensor | number;
  /**
   * Keep the tape after this pass (PyTorch's retain_graph). By default backward frees it, so a second
   * backward on the same result throws FreedTapeError instead of silently double-counting (micrograd
   * issue #25); with retainGraph a second pass recomputes every intermediate gradient from zero and
   * adds its leaf gradients to the first pass's, as PyTorch does.
   */
  retainGraph?: boolean;
}

/**
 * Reverse-mode sweep over the tape from `result` down to entry 0: the tape's order is the order the
 * operations ran, so it is already topological and no sort is needed. Only entries on a path from
 * the result that need a gradient are visited (`mark`). Intermediate gradients start at zero on every
 * pass; leaf gradients are added to the leaves only after the whole pass succeeded, so a gate that
 * throws leaves every `.grad` as it was.
 */
export function backward(result: Value, options: BackwardOptions): void {
  const tape = result.tape;
  if (result.leaf !== undefined) {
    // A leaf's gradient with respect to itself is the seed.
    const seed = seedTensor(result.value, options.seed);
    commitLeaf(result, seed);
    return;
  }
  if (tape === undefined || tape.generation !== result.generation) {
    throw new FreedTapeError(
      `backward: ${result.describe()} was recorded on a tape that an earlier backward() freed (backward twice on one result, ` +
        'or on a result of an earlier step): pass { retainGraph: true } to the first backward to run it again',
    );
  }
  const r = result.index;
  if (tape.needs[r] !== 1) {
    throw new NoGradientError(`backward: ${result.describe()} depends on no leaf that requires a gradient (make parameters with value(), data with constant())`);
  }
  const { kind, needs, mark, grad, val, in0, in1, op, objs, tgrad } = tape;
  const kernels = tape.kernels;
  // −0 is addition's exact identity (−0 + x is x, bits and sign of zero included), so each sum
  // starts as its first contribution, as the graph's backward and PyTorch take it.
  grad.fill(-0, 0, r + 1);
  mark.fill(0, 0, r + 1);
  for (let k = 0; k <= r; k++) tgrad[k] = undefined;
  if (tape.scalar[r] === 1) {
    grad[r] = options.seed === undefined ? 1 : seedTensor(result.value, options.seed).data[0];
  } else {
    tgrad[r] = seedTensor(result.value, options.seed).clone();
  }
  mark[r] = 1;
  tape.gradsReady = false;

  let k = r;
  try {
    for (; k >= 0; k--) {
      if (mark[k] === 0) continue;
      const kk = kind[k];
      if (kk === SCALAR_OP) {
        const kernel = kernels[op[k]];
        const a = in0[k];
        if (kernel.unary) {
          if (needs[a] === 1) {
            grad[a] += kernel.backward1(val[a], val[k], grad[k]);
            mark[a] = 1;
          }
        } else {
          const b = in1[k];
          kernel.backward2(val[a], val[b], val[k], grad[k]);
          if (needs[a] === 1) {
            grad[a] += ScalarKernel.gradX();
            mark[a] = 1;
          }
          if (needs[b] === 1) {
            grad[b] += ScalarKernel.gradY();
            mark[b] = 1;
          }
        }
      } else if (kk === TENSOR_OP) {
        backwardTensor(tape, k, objs[k] as TensorOp);
      }
    }
  } catch (e) {
    // Tensor-path errors arrive prefixed; a scalar kernel's is prefixed here. No leaf has changed yet.
    throw kind[k] === SCALAR_OP ? rethrowAt(e, `backward through ${kernels[op[k]].id.name} (result #${k})`) : e;
  }
  for (let k = 0; k <= r; k++) {
    if (mark[k] === 1 && kind[k] === LEAF) commitLeaf(objs[k] as Value, tape.scalar[k] === 1 ? grad[k] : (tgrad[k] as Tensor));
  }
  tape.gradsReady = true;
  if (options.retainGraph !== true) tape.free();
}

function backwardTensor(tape: Tape, k: number, rec: TensorOp): void {
  const dout = tape.scalar[k] === 1 ? Tensor.from(tape.grad[k]) : (tape.tgrad[k] ?? Tensor.zeros(rec.value.shape, rec.value.dtype));
  const where = `backward through ${rec.gate.constructor.name} (result #${k})`;
  let grads: Tensor[];
  try {
    grads = rec.gate.backward(dout);
  } catch (e) {
    throw rethrowAt(e, where);
  }
  if (!Array.isArray(grads) || grads.length !== rec.inputs.length) {
    throw new GradientContractError(`${where}: returned ${Array.isArray(grads) ? grads.length : typeof grads} gradients for ${rec.inputs.length} inputs`);
  }
  for (let j = 0; j < rec.inputs.length; j++) {
    const i = rec.inputs[j];
    if (tape.needs[i] !== 1) continue;
    const g = grads[j];
    const expected = tape.scalar[i] === 1 ? [] : tensorShape(tape, i);
    if (!(g instanceof Tensor) || !shapesEqual(g.shape, expected)) {
      throw new GradientContractError(`${where}: gradient ${j} has ${g instanceof Tensor ? `shape ${formatShape(g.shape)}` : 'no tensor'}, expected the input's shape ${formatShape(expected)}`);
    }
    tape.mark[i] = 1;
    if (tape.scalar[i] === 1) tape.grad[i] += g.data[0];
    else {
      const acc = tape.tgrad[i];
      if (acc === undefined) tape.tgrad[i] = g.clone();
      else addInto(acc, g);
    }
  }
}

function tensorShape(tape: Tape, i: number): readonly number[] {
  const o = tape.objs[i];
  return tape.kind[i] === LEAF ? ((o as Value).data as Tensor).shape : (o as TensorOp).value.shape;
}

function seedTensor(out: Tensor, seed: Tensor | number | undefined): Tensor {
  if (seed === undefined) {
    if (out.size !== 1) {
      throw new ShapeError(`backward: the result has shape ${formatShape(out.shape)}; an implicit seed dL/dL = 1 needs a one-element result, so pass { seed } of that shape`);
    }
    return Tensor.ones(out.shape, out.dtype);
  }
  const s = typeof seed === 'number' ? Tensor.full(out.shape, seed, out.dtype) : seed;
  if (!shapesEqual(s.shape, out.shape)) throw new ShapeError(`backward: seed must have the result's shape ${formatShape(out.shape)}, got ${formatShape(s.shape)}`);
  return s.dtype === out.dtype ? s : s.astype(out.dtype);
}

/** leaf.grad += g, or leaf.grad = g for its first gradient (a number for a scalar leaf: no tensor made per leaf per pass). */
function commitLeaf(leaf: Value, g: Tensor | number): void {
  const state = leaf.leaf as { grad: Tensor | undefined };
  const data = leaf.data as Tensor;
  if (state.grad === undefined || !shapesEqual(state.grad.shape, data.shape) || state.grad.dtype !== data.dtype) {
    state.grad = Tensor.zeros(data.shape, data.dtype);
    if (typeof g === 'number') state.grad.data[0] = g;
    else (state.grad.data as Float64Array).set(g.data as Float64Array);
  } else if (typeof g === 'number') state.grad.data[0] += g;
  else addInto(state.grad, g);
}

function addInto(into: Tensor, from: Tensor): void {
  const a = into.data;
  const b = from.data;
  for (let i = 0; i < a.length; i++) a[i] += b[i];
}
