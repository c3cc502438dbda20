import { NonFiniteError, GradientContractError } from './errors';
import { Gate } from './gate';
import { addInto, alreadyChecked, checkGradients, checkLeafGradients, locate, rememberChecked, rethrowAt, summarize } from './graph-checks';
import type { GraphNode } from './graph-node';
import { shapesEqual } from './shape';
import { tensorBeside } from './kernels/kernel-tensor';
import { Tensor, TypedArray } from './tensor';

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

/** Counts backward passes, so a node knows whether this pass has written its work buffer yet (`node.gradPass`). */
let passes = 0;

/**
 * Runs the gates in reverse order from dL/d(out) = seed (default 1), summing gradients at branches
 * into each node's work buffer, and commits (swaps the buffers in as `node.grad`) only when every
 * gate has succeeded. `strict` (strictGates) holds the copy of each dout that checks it is unchanged.
 *
 * No pass is wasted: the first gradient a node receives in a pass is copied into its work buffer
 * (marked with the pass number) and later ones are added, so no buffer is zeroed only to be
 * added to; only a node that receives nothing (not connected to the output) is zero-filled. The work
 * buffers are never the committed gradients, so a gate that throws still changes no `node.grad`.
 */
export function backwardPass(
  order: readonly GraphNode[],
  out: GraphNode,
  seed: Tensor | undefined,
  accumulate: boolean,
  finiteCheck: boolean,
  strict: { doutCopy?: Tensor } | undefined,
): void {
  const pass = ++passes;
  // An output that depends on nothing with a gradient still commits (zero) gradients below.
  if (out.needsGrad) {
    const outGrad = workBuffer(out, pass);
    if (seed) copyInto(outGrad, seed);
    else outGrad.data[0] = 1;
  }
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k];
    if (node.kind !== 'gate' || !node.needsGrad) continue;
    // A gate node no consumer reached (a branch off the output) gets dout = 0, as PyTorch would give it.
    const dout = node.gradPass === pass ? (node.scratch as Tensor) : zeroBuffer(node, pass);
    if (finiteCheck && !dout.isFinite()) {
      throw locate(new NonFiniteError(`${node.describe()}: its upstream gradient holds NaN or Infinity (made by the gate that consumes it)`), node);
    }
    if (strict) strict.doutCopy = Tensor.reuse(strict.doutCopy, dout.shape, dout.dtype).copyFrom(dout);
    let grads: Tensor[];
    try {
      grads = (node.gate as Gate).backward(dout);
      if (finiteCheck || strict !== undefined || !alreadyChecked(node, grads)) {
        checkGradients(node, grads, dout, finiteCheck, strict?.doutCopy);
        rememberChecked(node, grads);
      }
    } catch (e) {
      throw rethrowAt(e, node.describe(), node);
    }
    const inputs = node.inputNodes;
    for (let j = 0; j < inputs.length; j++) {
      const input = inputs[j];
      if (!input.needsGrad) continue;
      if (input.gradPass === pass) addInto(input.scratch as Tensor, grads[j]);
      else copyInto(workBuffer(input, pass, grads[j].data), grads[j]); // the first contribution is written, not added to zeros
    }
  }
  if (finiteCheck) {
    // The leaf check reads every leaf's work buffer: give the ones no consumer reached their zeros first.
    for (let k = 0; k < order.length; k++) if (order[k].needsGrad && order[k].gradPass !== pass) zeroBuffer(order[k], pass);
    checkLeafGradients(order, accumulate);
  }
  // Commit: every buffer computed, so swap them in (no copy, no allocation).
  for (let k = 0; k < order.length; k++) {
    const node = order[k];
    if (!node.needsGrad) continue;
    const work = node.gradPass === pass ? (node.scratch as Tensor) : zeroBuffer(node, pass);
    const g = node.grad;
    if (accumulate && g && shapesEqual(g.shape, work.shape)) addInto(work, g);
    node.grad = work;
    node.scratch = g;
  }
}

/**
 * The node's work buffer in its value's shape and dtype (contents undefined), marked as written in
 * this pass. Given the first contribution's array `near`, a large buffer goes where that array lives
 * (a kernel's memory: see tensorBeside); small ones, scalar graphs' above all, skip the look-up.
 */
function workBuffer(node: GraphNode, pass: number, near?: TypedArray): Tensor {
  const v = node.value as Tensor;
  node.gradPass = pass;
  return (node.scratch = near !== undefined && near.length >= BESIDE_MIN ? tensorBeside(near, node.scratch, v.shape, v.dtype) : Tensor.reuse(node.scratch, v.shape, v.dtype));
}

/** Elements below which a gradient buffer is not worth placing in a kernel's memory. */
const BESIDE_MIN = 256;

/** The node's work buffer set to zero: the gradient of a node that received none in this pass. */
function zeroBuffer(node: GraphNode, pass: number): Tensor {
  const t = workBuffer(node, pass);
  const d = t.data;
  if (d.length === 1) d[0] = 0; // scalar graphs: skip the fill() call
  else d.fill(0);
  return t;
}

/**
 * into = from, where `from` has into's shape: the first contribution is written (a native copy, about
 * 5× faster than an element loop on W1's 100,352-element weight gradient), where zero-filling and
 * adding took two passes. Like PyTorch, which takes a leaf's first gradient as it comes, the bits are
 * kept as the gate made them, −0 included.
 */
function copyInto(into: Tensor, from: Tensor): void {
  const a = into.data;
  const b = from.data;
  if (a.length === 1) a[0] = b[0]; // scalar graphs: no call
  else (a as Float64Array).set(b as Float64Array);
}
