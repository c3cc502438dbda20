/**
 * A two-layer net, affine – ReLU – affine – softmax cross-entropy, on a small seeded batch (the
 * lectures' two-layer classifier): x [N, D] → Linear(D, H) → ReLU → Linear(H, C) → scores [N, C],
 * loss = softmax cross-entropy against integer labels. Built with the mlp() builder (Linear
 * composite gates), it prints the initial loss and every parameter gradient's shape, then trains a
 * few steps of plain gradient descent on graph.parameters() to show the loss falling.
 *
 *   npm run build && node examples/dist/two-layer-net.js
 */
import 'reflect-metadata';
import { ComputationalGraph, GraphNode, Random, Tensor } from '@chainrule/core';
import { createGatesContainer, Linear, mlp, ReLUGate, SoftmaxCrossEntropyGate } from '@chainrule/gates';

export interface TwoLayerOptions {
  n?: number;
  d?: number;
  h?: number;
  c?: number;
  seed?: number;
  /** Gradient-descent steps after the first pass (default 25). */
  steps?: number;
  learningRate?: number;
}

export interface TwoLayerResult {
  graph: ComputationalGraph;
  feeds: { x: Tensor; y: Tensor };
  /** The loss and gradients of the first pass, at the initial parameters. */
  loss: number;
  /** Initial parameter values and their first-pass gradients: W1 [D, H], b1 [H], W2 [H, C], b2 [C]. */
  params: Record<'W1' | 'b1' | 'W2' | 'b2', { shape: number[]; value: Tensor; grad: Tensor }>;
  /** The loss after each training step. */
  losses: number[];
}

export function build(g: ComputationalGraph, d: number, h: number, c: number, seed: number): GraphNode {
  const scores = mlp(g, g.input('x', { shape: [null, d], requiresGrad: false }), [d, h, c], ReLUGate, { seed, name: 'fc' });
  return g.gate(SoftmaxCrossEntropyGate, [scores, g.input('y', { requiresGrad: false })], { name: 'loss' });
}

export function run(log: (line: string) => void = console.log, options: TwoLayerOptions = {}): TwoLayerResult {
  const { n = 5, d = 4, h = 10, c = 3, seed = 7, steps = 25, learningRate = 0.5 } = options;
  const rng = new Random(seed);
  const g = new ComputationalGraph(createGatesContainer());
  build(g, d, h, c, seed);
  const x = rng.randn([n, d]);
  const y = Tensor.zeros([n]);
  for (let i = 0; i < n; i++) y.data[i] = rng.int(c);
  const feeds = { x, y };

  const loss = g.forward(feeds).item();
  g.backward();
  const fc1 = g.group('fc1').gate as Linear;
  const fc2 = g.group('fc2').gate as Linear;
  const snap = (p: GraphNode | undefined) => ({ shape: (p?.value as Tensor).shape.slice(), value: (p?.value as Tensor).clone(), grad: (p?.grad as Tensor).clone() });
  const params = { W1: snap(fc1.weight), b1: snap(fc1.bias), W2: snap(fc2.weight), b2: snap(fc2.bias) };
  log(`two-layer net: x [${n}, ${d}] → Linear(${d}, ${h}) → ReLU → Linear(${h}, ${c}) → softmax cross-entropy`);
  log(`initial loss ${loss.toFixed(4)} (chance level ln ${c} = ${Math.log(c).toFixed(4)})`);
  for (const [name, p] of Object.entries(params)) {
    let norm = 0;
    for (const v of p.grad.data) norm += v * v;
    log(`  dL/d${name} shape [${p.shape.join(', ')}], norm ${Math.sqrt(norm).toFixed(4)}`);
  }

  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    for (const p of g.parameters()) {
      const v = (p.value as Tensor).data;
      const gr = (p.grad as Tensor).data;
      for (let i = 0; i < v.length; i++) v[i] -= learningRate * gr[i];
    }
    losses.push(g.forward(feeds).item());
    g.backward();
  }
  if (steps > 0) log(`after ${steps} steps of gradient descent (lr ${learningRate}): loss ${losses[losses.length - 1].toFixed(4)}`);
  g.forward(feeds); // leave the graph at its trained parameters, forward run
  return { graph: g, feeds, loss, params, losses };
}

/** The same function under the name the examples registry uses for the others (runAddMultiply, …). */
export const runTwoLayerNet = run;

if (require.main === module) run();
