import { NonFiniteError, GradientContractError } from './errors';
import { Gate } from './gate';
import { addInto, checkGradients, checkLeafGradients, locate, rethrowAt, summarize } from './graph-checks';
import type { GraphNode } from './graph-node';
import { shapesEqual } from './shape';
import { Tensor } from './tensor';

// The two passes of the chain rule over a sorted graph: the hot loops of every training step, so
// they allocate nothing in steady state. ComputationalGraph checks feeds and seeds, then calls them.

/** Runs every gate node in `order` on its inputs' values, setting `node.value`. */
export function forwardPass(order: readonly GraphNode[], finiteCheck: boolean): void {
  for (let k = 0; k < order.length; k++) {
    const node = order[k];
    if (node.kind !== 'gate') continue;
    const args = node.args;
    for (let j = 0; j < args.length; j++) args[j] = node.inputNodes[j].value as Tensor;
    const gate = node.gate as Gate;
    let out: Tensor;
    try {
      // Called with the arguments spelled out for one or two inputs, so no array is made per call.
      out = args.length === 1 ? gate.forward(args[0]) : args.length === 2 ? gate.forward(args[0], args[1]) : gate.forward(...args);
    } catch (e) {
      throw rethrowAt(e, node.describe(), node);
    }
    if (!(out instanceof Tensor)) {
      throw locate(new GradientContractError(`${node.describe()}: forward must return a Tensor, got ${out === null ? 'null' : typeof out}`), node);
    }
    if (finiteCheck && !out.isFinite()) {
      throw locate(new NonFiniteError(
        `${node.describe()}: forward produced NaN or Infinity (the first gate to do so); inputs: ${args.map((a, j) => `${node.inputNodes[j].name}=${summarize(a)}`).join(', ')}`,
      ), node);
    }
    node.value = out;
  }
}

/**
 * Runs the gates in reverse order from dL/d(out) = seed (default 1), summing gradients at branches
 * into each node's work buffer, and commits (swaps the buffers in as `node.grad`) only when every
 * gate has succeeded. `strict` (strictGates) holds the copy of each dout that checks it is unchanged.
 */
export function backwardPass(
  order: readonly GraphNode[],
  out: GraphNode,
  seed: Tensor | undefined,
  accumulate: boolean,
  finiteCheck: boolean,
  strict: { doutCopy?: Tensor } | undefined,
): void {
  for (let k = 0; k < order.length; k++) {
    const node = order[k];
    if (!node.needsGrad) continue;
    const v = node.value as Tensor;
    const d = (node.scratch = Tensor.reuse(node.scratch, v.shape, v.dtype)).data;
    if (d.length === 1) d[0] = 0; // scalar graphs: skip the fill() call
    else d.fill(0);
  }
  // An output that depends on nothing with a gradient still commits (zero) gradients below.
  if (out.needsGrad) {
    const outGrad = out.scratch as Tensor;
    if (seed) addInto(outGrad, seed);
    else outGrad.data[0] += 1;
  }
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k];
    if (node.kind !== 'gate' || !node.needsGrad) continue;
    const dout = node.scratch as Tensor;
    if (finiteCheck && !dout.isFinite()) {
      throw locate(new NonFiniteError(`${node.describe()}: its upstream gradient holds NaN or Infinity (made by the gate that consumes it)`), node);
    }
    if (strict) strict.doutCopy = Tensor.reuse(strict.doutCopy, dout.shape, dout.dtype).copyFrom(dout);
    let grads: Tensor[];
    try {
      grads = (node.gate as Gate).backward(dout);
      checkGradients(node, grads, dout, finiteCheck, strict?.doutCopy);
    } catch (e) {
      throw rethrowAt(e, node.describe(), node);
    }
    for (let j = 0; j < node.inputNodes.length; j++) {
      const input = node.inputNodes[j];
      if (input.needsGrad) addInto(input.scratch as Tensor, grads[j]);
    }
  }
  if (finiteCheck) checkLeafGradients(order, accumulate);
  // Commit: every buffer computed, so swap them in (no copy, no allocation).
  for (let k = 0; k < order.length; k++) {
    const node = order[k];
    if (!node.needsGrad) continue;
    const g = node.grad;
    if (accumulate && g && shapesEqual(g.shape, (node.scratch as Tensor).shape)) addInto(node.scratch as Tensor, g);
    node.grad = node.scratch;
    node.scratch = g;
  }
}
