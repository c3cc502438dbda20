/**
 * The sigmoid neuron of the lectures: f(w, x) = σ(w0·x0 + w1·x1 + w2) at w = [2, −3, −3], x = [−1, −2].
 * Built twice: from the primitive gates the slides draw (·, +, ·(−1), exp, +1, 1/x), and with one
 * SigmoidGate whose backward is σ(1 − σ). Both give f = 0.73, df/dw = [−0.20, −0.39, 0.20] and
 * df/dx = [0.39, −0.59].
 */
import 'reflect-metadata';
import { ComputationalGraph } from '@chainrule/core';
import {
  AddConstantGate,
  AddGate,
  createGatesContainer,
  ExpGate,
  MultiplyGate,
  ReciprocalGate,
  ScaleGate,
  SigmoidGate,
} from '@chainrule/gates';

export const W = [2, -3, -3];
export const X = [-1, -2];

/** The weighted sum w0·x0 + w1·x1 + w2, shared by both versions. */
function weightedSum(g: ComputationalGraph) {
  const [w0, w1, w2] = ['w0', 'w1', 'w2'].map((n) => g.input(n));
  const [x0, x1] = ['x0', 'x1'].map((n) => g.input(n));
  const m0 = g.gate(MultiplyGate, [w0, x0], { name: 'w0*x0' });
  const m1 = g.gate(MultiplyGate, [w1, x1], { name: 'w1*x1' });
  const s = g.gate(AddGate, [m0, m1], { name: 'sum' });
  return g.gate(AddGate, [s, w2], { name: 'dot' });
}

/** σ spelled out in the lectures' gates: 1 / (1 + exp(−1 · s)). */
export function buildPrimitiveNeuron(): ComputationalGraph {
  const g = new ComputationalGraph(createGatesContainer());
  const dot = weightedSum(g);
  const neg = g.gate(ScaleGate, [dot], { name: '*-1', options: { a: -1 } });
  const e = g.gate(ExpGate, [neg], { name: 'exp' });
  const plus = g.gate(AddConstantGate, [e], { name: '+1', options: { c: 1 } });
  g.gate(ReciprocalGate, [plus], { name: '1/x' });
  return g;
}

export function buildSigmoidNeuron(): ComputationalGraph {
  const g = new ComputationalGraph(createGatesContainer());
  g.gate(SigmoidGate, [weightedSum(g)], { name: 'sigmoid' });
  return g;
}

export interface NeuronResult {
  output: number;
  dw: number[];
  dx: number[];
}

export function evaluateNeuron(g: ComputationalGraph): NeuronResult {
  const feeds = { w0: W[0], w1: W[1], w2: W[2], x0: X[0], x1: X[1] };
  const output = g.forward(feeds).item();
  g.backward();
  const grad = (n: string) => g.node(n).grad!.item();
  return { output, dw: ['w0', 'w1', 'w2'].map(grad), dx: ['x0', 'x1'].map(grad) };
}

const fmt = (v: number) => v.toFixed(2);

export function runSigmoidNeuron(log: (line: string) => void = console.log) {
  const primitive = buildPrimitiveNeuron();
  const fused = buildSigmoidNeuron();
  const a = evaluateNeuron(primitive);
  const b = evaluateNeuron(fused);
  log('f(w, x) = 1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))   at w = [2, -3, -3], x = [-1, -2]');
  for (const [label, r, g] of [
    ['primitive gates (*, +, *-1, exp, +1, 1/x)', a, primitive],
    ['one SigmoidGate, backward σ(1 − σ)       ', b, fused],
  ] as const) {
    log(`${label}: f = ${fmt(r.output)}, df/dw = [${r.dw.map(fmt).join(', ')}], df/dx = [${r.dx.map(fmt).join(', ')}]`);
    log(`    wire values: ${g.topologicalOrder().map((n) => `${n.name}=${fmt(n.value!.item())}`).join(' ')}`);
  }
  log(`largest difference between the two: ${Math.max(...[...a.dw, ...a.dx].map((v, i) => Math.abs(v - [...b.dw, ...b.dx][i]))).toExponential(1)}`);
  return { primitive: a, sigmoid: b, graphs: { primitive, sigmoid: fused } };
}

if (require.main === module) runSigmoidNeuron();
