/**
 * The lectures' 3-layer network forward pass, built as a graph:
 *
 *   f = lambda x: 1.0 / (1.0 + np.exp(-x))   # sigmoid activation
 *   x = np.random.randn(3, 1)                # random input vector of three numbers
 *   h1 = f(np.dot(W1, x) + b1)               # first hidden layer (4 units)
 *   h2 = f(np.dot(W2, h1) + b2)              # second hidden layer (4 units)
 *   out = np.dot(W3, h2) + b3                # output neuron (1 number)
 *
 * with W1 [4, 3], W2 [4, 4], W3 [1, 4] and biases b1 [4], b2 [4], b3 [1], all drawn from core's
 * seeded Random, then the backward pass from d(out)/d(out) = 1, printing every gradient's shape
 * and values. Vectors are 1-D ([3] rather than numpy's [3, 1] column); MatMulGate computes
 * matrix · vector as np.dot does.
 *
 *   npm run build && node examples/dist/three-layer-network.js
 */
import 'reflect-metadata';
import { ComputationalGraph, Random, Tensor } from '@chainrule/core';
import { AddGate, createGatesContainer, MatMulGate, SigmoidGate } from '@chainrule/gates';

export interface ThreeLayerResult {
  /** The graph, after forward and backward (for further checks). */
  graph: ComputationalGraph;
  x: number[];
  h1: number[];
  h2: number[];
  out: number[];
  /** Value and gradient of every parameter and of x, by name (W1, b1, W2, b2, W3, b3, x). */
  nodes: Record<string, { shape: number[]; value: number[]; grad: number[] }>;
}

export function run(log: (line: string) => void = console.log, seed = 2024): ThreeLayerResult {
  const rng = new Random(seed);
  const g = new ComputationalGraph(createGatesContainer());
  const x = g.input('x', { shape: [3] });
  const W1 = g.parameter('W1', rng.randn([4, 3]));
  const b1 = g.parameter('b1', rng.randn([4]));
  const W2 = g.parameter('W2', rng.randn([4, 4]));
  const b2 = g.parameter('b2', rng.randn([4]));
  const W3 = g.parameter('W3', rng.randn([1, 4]));
  const b3 = g.parameter('b3', rng.randn([1]));

  const h1 = g.gate(SigmoidGate, [g.gate(AddGate, [g.gate(MatMulGate, [W1, x], { name: 'W1·x' }), b1], { name: 'W1·x+b1' })], { name: 'h1' });
  const h2 = g.gate(SigmoidGate, [g.gate(AddGate, [g.gate(MatMulGate, [W2, h1], { name: 'W2·h1' }), b2], { name: 'W2·h1+b2' })], { name: 'h2' });
  g.gate(AddGate, [g.gate(MatMulGate, [W3, h2], { name: 'W3·h2' }), b3], { name: 'out' });

  const xValue = rng.randn([3]);
  const out = g.forward({ x: xValue });
  g.backward(); // out has one element, so the seed d(out)/d(out) = 1 is implicit

  const values = (t: Tensor | undefined) => Array.from((t as Tensor).data);
  const fmt = (v: number[]) => `[${v.map((n) => n.toFixed(4)).join(', ')}]`;
  log(`x   = ${fmt(values(xValue))}`);
  log(`h1  = f(W1·x + b1)  = ${fmt(values(h1.value))}`);
  log(`h2  = f(W2·h1 + b2) = ${fmt(values(h2.value))}`);
  log(`out = W3·h2 + b3    = ${fmt(values(out))}`);
  log('backward from d(out)/d(out) = 1:');
  const nodes: ThreeLayerResult['nodes'] = {};
  for (const name of ['W1', 'b1', 'W2', 'b2', 'W3', 'b3', 'x']) {
    const n = g.node(name);
    const value = name === 'x' ? xValue : (n.value as Tensor);
    const grad = n.grad as Tensor;
    nodes[name] = { shape: grad.shape.slice(), value: values(value), grad: values(grad) };
    log(`  d(out)/d${name.padEnd(2)} shape [${grad.shape.join(', ')}]: ${fmt(values(grad))}`);
  }
  return { graph: g, x: values(xValue), h1: values(h1.value), h2: values(h2.value), out: values(out), nodes };
}

/** The same function under the name the examples registry uses for the others (runAddMultiply, …). */
export const runThreeLayerNetwork = run;

if (require.main === module) run();
