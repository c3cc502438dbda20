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
import { std } from './network';

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
  /** The lectures' sanity check: the standard deviation of the first pass's scores, and the same net's loss and score spread with its weights redrawn small, N(0, SMALL_STD²). */
  sanity: { scoreStd: number; smallLoss: number; smallScoreStd: number; chance: number };
}

/** The lectures' small initial weights, W = 0.01 · randn. */
export const SMALL_STD = 0.01;

/**
 * The loss and score spread of the net built with the same seed but every weight redrawn from
 * N(0, SMALL_STD²) (biases stay 0): scores ≈ 0, softmax ≈ uniform, loss ≈ ln C.
 */
function smallInitLoss(d: number, h: number, c: number, seed: number, feeds: { x: Tensor; y: Tensor }): { loss: number; scoreStd: number } {
  const g = new ComputationalGraph(createGatesContainer());
  build(g, d, h, c, seed);
  const rng = new Random(seed + 1);
  for (const name of ['fc1', 'fc2']) {
    const w = ((g.group(name).gate as Linear).weight.value as Tensor).data;
    for (let i = 0; i < w.length; i++) w[i] = rng.normal(0, SMALL_STD);
  }
  const loss = g.forward(feeds).item();
  return { loss, scoreStd: std(g.node('fc2').value as Tensor) };
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
  const chance = Math.log(c);
  const scoreStd = std(g.node('fc2').value as Tensor);
  const small = smallInitLoss(d, h, c, seed, feeds);
  const sanity = { scoreStd, smallLoss: small.loss, smallScoreStd: small.scoreStd, chance };
  log(`initial loss ${loss.toFixed(4)} (chance level ln ${c} = ${chance.toFixed(4)})`);
  log(
    `  why above chance: He initialisation (std √(2/fan_in)) gives scores spread ${scoreStd.toFixed(4)} (their std), so the softmax is far from uniform ` +
      `and the confident wrong answers cost more than ln ${c}`,
  );
  log(
    `  sanity check of the lectures: with small weights, W = ${SMALL_STD}·randn, the scores are near 0 (spread ${small.scoreStd.toFixed(4)}), ` +
      `every class gets probability ≈ 1/${c} and the loss is ${small.loss.toFixed(4)} ≈ ln ${c} = ${chance.toFixed(4)}; a first loss far from ln C with small weights means a bug`,
  );
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
  return { graph: g, feeds, loss, params, losses, sanity };
}

/** The same function under the name the examples registry uses for the others (runAddMultiply, …). */
export const runTwoLayerNet = run;

if (require.main === module) run();
