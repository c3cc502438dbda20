/** @jest-environment ./packages/onnx/test/ort-environment.js */
import 'reflect-metadata';
import { ComputationalGraph, Random, Tensor } from '@chainrule/core';
import { AddGate, createGatesContainer, Linear, MatMulGate, mlp, ReLUGate, SigmoidGate, SoftmaxCrossEntropyGate, TanhGate } from '@chainrule/gates';
import { buildAddMultiply } from '../../../examples/src/add-multiply';
import { ComposedSigmoidGate } from '../../../examples/src/composite-sigmoid';
import { buildPrimitiveNeuron, buildSigmoidNeuron } from '../../../examples/src/sigmoid-neuron';
import { exportOnnx, exportOnnxModel } from '../src';
import { chainruleOutput, maxRelDiff, runOrt } from './ort';

/**
 * The acceptance check: for the MLP and the lecture graphs, ONNX Runtime's outputs equal
 * chainrule's forward to 1e-5 (relative, absolute below 1) in float32 on random batches of 1, 7 and 64.
 */
const TOL = 1e-5;
const BATCHES = [1, 7, 64];

function mlpGraph(activation: typeof ReLUGate | typeof TanhGate | typeof SigmoidGate, dtype: 'float32' | 'float64' = 'float32') {
  const g = new ComputationalGraph(createGatesContainer());
  const x = g.input('x', { shape: [null, 20], dtype, requiresGrad: false });
  const scores = mlp(g, x, [20, 32, 16, 10], activation, { seed: 3, dtype });
  g.gate(SoftmaxCrossEntropyGate, [scores, g.input('labels', { requiresGrad: false })], { name: 'loss' });
  // Trained-looking parameters: non-zero biases too, so a dropped Add would show.
  const rng = new Random(11);
  for (const p of g.parameters()) p.value!.copyFrom(rng.randn(p.value!.shape, { dtype, std: 0.5 }));
  return { g, scores: scores.name };
}

test.each([
  ['ReLU', ReLUGate],
  ['Tanh', TanhGate],
  ['Sigmoid', SigmoidGate],
])('an MLP (%s) exported from input to scores runs on ONNX Runtime with chainrule’s outputs', async (_, activation) => {
  const { g, scores } = mlpGraph(activation);
  const model = exportOnnx(g, { inputs: ['x'], output: scores });
  const rng = new Random(5);
  for (const n of BATCHES) {
    const x = rng.randn([n, 20], { dtype: 'float32' });
    const labels = Tensor.zeros([n], 'float32');
    const expected = chainruleOutput(g, { x, labels }, scores);
    const got = await runOrt(model, { x });
    expect(got.shape).toEqual([n, 10]);
    expect(maxRelDiff(got, expected)).toBeLessThan(TOL);
  }
});

test('the MLP model declares a symbolic batch dimension, float32, opset 17, and its parameters as initializers', () => {
  const { g, scores } = mlpGraph(ReLUGate);
  const m = exportOnnxModel(g, { inputs: ['x'], output: scores });
  expect(m.opsetImport).toEqual([{ domain: '', version: 17 }]);
  const input = m.graph!.input![0];
  expect(input.name).toBe('x');
  expect(input.type!.tensorType!.elemType).toBe(1); // FLOAT
  expect(input.type!.tensorType!.shape!.dim).toEqual([{ dimParam: 'N' }, { dimValue: 20 }]);
  expect(m.graph!.output![0].name).toBe('fc3'); // the Linear layer's name, not its inner node's ('fc3/xW+b')
  const inits = m.graph!.initializer!.map((t) => [t.name, t.dims]);
  expect(inits).toEqual([
    ['fc1/W', [20, 32]],
    ['fc1/b', [32]],
    ['fc2/W', [32, 16]],
    ['fc2/b', [16]],
    ['fc3/W', [16, 10]],
    ['fc3/b', [10]],
  ]);
  expect(m.graph!.node!.map((n) => n.opType)).toEqual(['MatMul', 'Add', 'Relu', 'MatMul', 'Add', 'Relu', 'MatMul', 'Add']);
});

test('an MLP exports in float64 and ONNX Runtime matches it to 1e-12', async () => {
  const { g, scores } = mlpGraph(TanhGate, 'float64');
  const model = exportOnnx(g, { inputs: ['x'], output: scores, dtype: 'float64' });
  const x = new Random(2).randn([7, 20]);
  const expected = chainruleOutput(g, { x, labels: Tensor.zeros([7]) }, scores);
  expect(maxRelDiff(await runOrt(model, { x }), expected)).toBeLessThan(1e-12);
});

/** Scalar-input lecture graphs: every gate is elementwise, so a batch is a vector per input. */
async function checkElementwise(g: ComputationalGraph, names: string[]): Promise<number> {
  const model = exportOnnx(g);
  const rng = new Random(9);
  let worst = 0;
  for (const n of BATCHES) {
    const feeds = Object.fromEntries(names.map((name) => [name, rng.randn([n], { dtype: 'float32' })]));
    const got = await runOrt(model, feeds);
    worst = Math.max(worst, maxRelDiff(got, chainruleOutput(g, feeds)));
  }
  return worst;
}

test('the lecture graphs: (x + y)·z, the sigmoid neuron from primitive gates and with SigmoidGate', async () => {
  expect(await checkElementwise(buildAddMultiply(), ['x', 'y', 'z'])).toBeLessThan(TOL);
  const neuron = ['w0', 'w1', 'w2', 'x0', 'x1'];
  expect(await checkElementwise(buildPrimitiveNeuron(), neuron)).toBeLessThan(TOL);
  expect(await checkElementwise(buildSigmoidNeuron(), neuron)).toBeLessThan(TOL);
});

test('a composite gate exports as the primitive nodes it expanded into: the composite sigmoid as Neg, Exp, Add, Reciprocal', async () => {
  const g = new ComputationalGraph(createGatesContainer());
  g.gate(ComposedSigmoidGate, [g.input('x')], { name: 'sigma' });
  expect(exportOnnxModel(g).graph!.node!.map((n) => n.opType)).toEqual(['Neg', 'Exp', 'Add', 'Reciprocal']);
  expect(await checkElementwise(g, ['x'])).toBeLessThan(TOL);
});

test('the lecture numbers come out of ONNX Runtime: f(−2, 5, −4) = −12 and σ(w·x) = 0.7311', async () => {
  const f = await runOrt(exportOnnx(buildAddMultiply()), { x: Tensor.from(-2, { dtype: 'float32' }), y: Tensor.from(5, { dtype: 'float32' }), z: Tensor.from(-4, { dtype: 'float32' }) });
  expect(f.item()).toBe(-12);
  const s = (v: number) => Tensor.from(v, { dtype: 'float32' });
  const neuron = await runOrt(exportOnnx(buildPrimitiveNeuron()), { w0: s(2), w1: s(-3), w2: s(-3), x0: s(-1), x1: s(-2) });
  expect(neuron.item()).toBeCloseTo(0.7311, 4);
});

test('a graph built from MatMulGate, AddGate and parameters named fc1/W by hand exports the same model as mlp()', async () => {
  const { g, scores } = mlpGraph(ReLUGate);
  const flat = new ComputationalGraph(createGatesContainer());
  let h = flat.input('x', { shape: [null, 20], dtype: 'float32' });
  for (let i = 1; i <= 3; i++) {
    const layer = g.group(`fc${i}`).gate as Linear;
    const w = flat.parameter(`fc${i}/W`, layer.weight.value!.clone());
    const b = flat.parameter(`fc${i}/b`, layer.bias!.value!.clone());
    h = flat.gate(AddGate, [flat.gate(MatMulGate, [h, w], { name: `fc${i}/xW` }), b], { name: `fc${i}` });
    if (i < 3) h = flat.gate(ReLUGate, [h], { name: `fc${i}_act` });
  }
  const nested = exportOnnxModel(g, { inputs: ['x'], output: scores });
  const expanded = exportOnnxModel(flat);
  expect(expanded.graph!.initializer!.map((t) => t.name)).toEqual(nested.graph!.initializer!.map((t) => t.name));
  expect(expanded.graph!.node!.map((n) => [n.opType, n.input, n.output])).toEqual(nested.graph!.node!.map((n) => [n.opType, n.input, n.output]));
  const x = new Random(4).randn([7, 20], { dtype: 'float32' });
  expect(maxRelDiff(await runOrt(exportOnnx(flat), { x }), chainruleOutput(g, { x, labels: Tensor.zeros([7], 'float32') }, scores))).toBeLessThan(TOL);
});
