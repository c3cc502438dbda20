import { ChainruleError, FeedError, DTypeError, GradientContractError, InvalidArgumentError, NonFiniteError, ShapeError } from './errors';
import type { Feed, GraphNode } from './graph-node';
import { formatShape, shapesEqual } from './shape';
import { Tensor } from './tensor';

// The checks the graph runs on feeds, gate outputs and gradients, and how it names the place of an
// error. Each has an allocation-free fast path: they run on every forward and backward.

export function checkedTensor(value: unknown, where: string, node: string): Tensor {
  if (!(value instanceof Tensor)) throw locate(new InvalidArgumentError(`${where}: expected a Tensor, got ${typeof value}`), { name: node });
  return value;
}

/** Whether a gate returned one Tensor per input with that input's shape and dtype (checkGradients' allocation-free fast path). */
export function gradientsMatch(node: GraphNode, grads: Tensor[]): boolean {
  if (!Array.isArray(grads) || grads.length !== node.inputNodes.length) return false;
  for (let j = 0; j < grads.length; j++) {
    const g = grads[j];
    const v = node.inputNodes[j].value as Tensor;
    if (!(g instanceof Tensor) || g.dtype !== v.dtype || !shapesEqual(g.shape, v.shape)) return false;
  }
  return true;
}

/**
 * Throws GradientContractError (or NonFiniteError in finite-check mode) unless `grads` holds one
 * gradient per input with its shape and dtype, and, given `doutCopy` (strict mode), dout is unchanged.
 */
export function checkGradients(node: GraphNode, grads: Tensor[], dout: Tensor, finiteCheck: boolean, doutCopy: Tensor | undefined): void {
  if (!finiteCheck && doutCopy === undefined && gradientsMatch(node, grads)) return;
  const where = `${node.describe()}.backward`;
  if (!Array.isArray(grads)) {
    throw new GradientContractError(`${where}: must return an array of ${node.inputNodes.length} gradients, got ${typeof grads}`);
  }
  if (grads.length !== node.inputNodes.length) {
    throw new GradientContractError(`${where}: returned ${grads.length} gradients for ${node.inputNodes.length} inputs (one per input, in order)`);
  }
  for (let j = 0; j < grads.length; j++) {
    const g = grads[j];
    const input = node.inputNodes[j];
    const v = input.value as Tensor;
    if (!(g instanceof Tensor)) {
      throw new GradientContractError(`${where}: gradient ${j} (for '${input.name}') is not a Tensor`);
    }
    if (!shapesEqual(g.shape, v.shape)) {
      throw new GradientContractError(
        `${where}: gradient ${j} (for '${input.name}') has shape ${formatShape(g.shape)}, expected the input's shape ${formatShape(v.shape)}`,
      );
    }
    if (g.dtype !== v.dtype) {
      throw new GradientContractError(`${where}: gradient ${j} (for '${input.name}') is ${g.dtype}, expected the input's dtype ${v.dtype}`);
    }
    if (finiteCheck && input.needsGrad && !g.isFinite()) {
      throw new NonFiniteError(`${where}: produced NaN or Infinity in the gradient for '${input.name}' (the first gate to do so)`);
    }
  }
  if (doutCopy !== undefined) {
    const a = doutCopy.data;
    const b = dout.data;
    for (let i = 0; i < a.length; i++) {
      if (!Object.is(a[i], b[i])) throw new GradientContractError(`${where}: changed its upstream gradient dout at element ${i} (gates must not mutate dout)`);
    }
  }
}

/**
 * Finite-check mode, after every gate's backward and before the commit: throws NonFiniteError when a
 * leaf's (a parameter's or a differentiable input's) gradient, summed over its consumers and, with
 * `accumulate`, the gradient it already holds, contains NaN or Infinity. Each consumer's gradient
 * was already checked; this catches finite gradients whose sum overflows. Nothing is committed.
 */
export function checkLeafGradients(order: readonly GraphNode[], accumulate: boolean): void {
  for (let k = 0; k < order.length; k++) {
    const node = order[k];
    if (node.kind === 'gate' || !node.needsGrad) continue;
    const s = (node.scratch as Tensor).data;
    const held = accumulate && node.grad && node.grad.size === s.length ? node.grad.data : undefined;
    for (let i = 0; i < s.length; i++) {
      const v = held ? s[i] + held[i] : s[i];
      if (v - v === 0) continue; // finite
      throw locate(new NonFiniteError(
        `backward: the gradient of ${node.describe()} is ${v} at index ${i} (the sum of finite gradients from its consumers${held ? ' and the accumulated gradient' : ''} overflowed); no gradient was committed`,
      ), node);
    }
  }
}

/** The feeds as Tensors in the order of `inputs`; throws FeedError for a name that is not an input, a missing feed or one that is not numbers. */
export function feedValues(inputs: readonly GraphNode[], feeds: Readonly<Record<string, Feed>>, isInput: (name: string) => boolean): Tensor[] {
  for (const name of Object.keys(feeds)) {
    if (!isInput(name)) throw new FeedError(`forward: '${name}' is not an input of this graph (inputs: ${inputs.map((i) => i.name).join(', ') || 'none'})`);
  }
  return inputs.map((n) => {
    const v = feeds[n.name];
    if (v === undefined) throw locate(new FeedError(`forward: no feed for ${n.describe()} (fed: ${Object.keys(feeds).join(', ') || 'nothing'})`), n);
    if (v instanceof Tensor) return v;
    if (typeof v !== 'number' && !Array.isArray(v)) {
      throw locate(new FeedError(`forward: the feed for ${n.describe()} is ${v === null ? 'null' : `a ${typeof v}`}, expected a Tensor, a number or nested arrays of numbers`), n);
    }
    try {
      return Tensor.from(v, { dtype: n.inputSpec?.dtype });
    } catch (e) {
      throw rethrowAt(e, `forward: the feed for ${n.describe()}`, n);
    }
  });
}

/** Throws ShapeError unless `seed` fits the output (or is absent and the output has one element). */
export function checkSeed(out: GraphNode, seed: Tensor | undefined): void {
  const outValue = out.value as Tensor;
  if (seed === undefined && outValue.size !== 1) {
    throw locate(new ShapeError(
      `backward: ${out.describe()} has shape ${formatShape(outValue.shape)}; an implicit seed dL/dL = 1 needs a one-element output, so pass { seed } of that shape`,
    ), out);
  }
  if (seed !== undefined && !shapesEqual(seed.shape, outValue.shape)) {
    throw locate(new ShapeError(`backward: seed must have the output's shape ${formatShape(outValue.shape)}, got ${formatShape(seed.shape)}`), out);
  }
}

/** Throws unless a feed fits its input node's declared shape and dtype (and is finite, in finite-check mode). */
export function checkFeed(node: GraphNode, value: Tensor, finiteCheck: boolean): void {
  if (!(value instanceof Tensor)) throw locate(new FeedError(`forward: the feed for ${node.describe()} is not a Tensor`), node);
  const spec = node.inputSpec;
  if (spec?.shape) {
    let ok = spec.shape.length === value.shape.length;
    for (let i = 0; ok && i < spec.shape.length; i++) ok = spec.shape[i] === null || spec.shape[i] === value.shape[i]; // a loop, not every(): no closure per feed
    if (!ok) {
      throw locate(new ShapeError(`forward: ${node.describe()} expects shape [${spec.shape.map((d) => (d === null ? '*' : d)).join(', ')}], got ${formatShape(value.shape)}`), node);
    }
  }
  if (spec?.dtype && spec.dtype !== value.dtype) {
    throw locate(new DTypeError(`forward: ${node.describe()} expects ${spec.dtype}, got ${value.dtype}`), node);
  }
  if (finiteCheck && !value.isFinite()) {
    throw locate(new NonFiniteError(`forward: the feed for ${node.describe()} holds NaN or Infinity`), node);
  }
}

/** into += from, where `from` has into's shape. */
export function addInto(into: Tensor, from: Tensor): void {
  const a = into.data;
  const b = from.data;
  if (a.length === 1) a[0] += b[0]; // scalar graphs: no loop
  else for (let i = 0; i < a.length; i++) a[i] += b[i];
}

/**
 * Re-throws an error with its place named in front and in the fields (`node`, `gate`); keeps
 * chainrule's error classes so callers can catch by kind. Errors of other kinds become ChainruleError
 * with the original as `cause`.
 */
export function rethrowAt(e: unknown, where: string, node?: { name: string; gateType?: string }): ChainruleError {
  let wrapped: ChainruleError;
  if (e instanceof ChainruleError) {
    if (e.message.startsWith(where)) wrapped = e;
    else {
      const Ctor = e.constructor as new (message: string) => ChainruleError;
      wrapped = new Ctor(`${where}: ${e.message}`);
      wrapped.node = e.node;
      wrapped.gate = e.gate;
      (wrapped as Error & { cause?: unknown }).cause = e;
    }
  } else {
    wrapped = new ChainruleError(`${where}: ${(e as Error)?.message ?? String(e)}`);
    (wrapped as Error & { cause?: unknown }).cause = e;
  }
  if (node !== undefined && wrapped.node === undefined) locate(wrapped, node);
  return wrapped;
}

/** Sets the error's node and gate fields, so callers read where it arose instead of parsing the message. */
export function locate<E extends ChainruleError>(e: E, node: { name: string; gateType?: string }): E {
  e.node = node.name;
  e.gate = node.gateType;
  return e;
}

/** A tensor in a few words for an error message: its values when small, else shape and range. */
export function summarize(t: Tensor): string {
  if (t.size <= 6) return JSON.stringify(Array.from(t.data));
  let lo = Infinity;
  let hi = -Infinity;
  let bad = 0;
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i];
    if (!Number.isFinite(v)) bad++;
    else {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return `${formatShape(t.shape)} min ${lo} max ${hi}${bad ? `, ${bad} non-finite` : ''}`;
}
