/** @jest-environment ./packages/onnx/test/ort-environment.js */
import 'reflect-metadata';
import { ComputationalGraph, DType, Random, Tensor } from '@chainrule/core';
import {
  createGatesContainer, FlattenGate, Linear, LeakyReLUGate, LogSoftmaxGate, MeanGate, mlp, PowGate, ReshapeGate, ScaleGate,
  SoftmaxCrossEntropyGate, SoftplusGate, SumGate, TanhGate, TransposeGate,
} from '@chainrule/gates';
import { buildPrimitiveNeuron } from '../../../examples/src/sigmoid-neuron';
import { exportOnnx, importOnnx, onnx, OnnxImportError } from '../src';
import { shortestFloat32 } from '../src/import';
import { chainruleOutput, maxRelDiff, runOrt } from './ort';

function classifier(dtype: DType) {
  const g = new ComputationalGraph(createGatesContainer());
  const x = g.input('x', { shape: [null, 6], dtype, requiresGrad: false });
  const scores = mlp(g, x, [6, 8, 4], TanhGate, { dtype, seed: 2 });
  const rng = new Random(12);
  for (const p of g.parameters()) p.value!.copyFrom(rng.randn(p.value!.shape, { dtype, std: 0.7 }));
  g.gate(SoftmaxCrossEntropyGate, [scores, g.input('labels', { requiresGrad: false })], { name: 'loss' });
  return { g, scores };
}

test('round trip: export → import gives a graph with the same outputs and, under the same loss, the same gradients', () => {
  const { g, scores } = classifier('float64');
  const imported = importOnnx(exportOnnx(g, { inputs: ['x'], output: scores, dtype: 'float64' }));
  expect(imported.inputs.map((n) => [n.name, n.inputSpec?.shape])).toEqual([['x', [null, 6]]]);
  const h = imported.graph;
  h.setOutput(h.gate(SoftmaxCrossEntropyGate, [imported.output, h.input('labels', { requiresGrad: false })], { name: 'loss' })); // the import set the scores as the output
  expect(h.parameters().map((p) => p.name)).toEqual(['fc1/W', 'fc1/b', 'fc2/W', 'fc2/b']);

  const rng = new Random(3);
  const x = rng.randn([7, 6]);
  const labels = Tensor.from([0, 1, 2, 3, 0, 1, 2]);
  const l1 = g.forward({ x, labels }).item();
  g.backward();
  const l2 = h.forward({ x, labels }).item();
  h.backward();
  expect(l2).toBe(l1);
  expect(Array.from(imported.output.value!.data)).toEqual(Array.from(scores.value!.data));
  // fc1/W is layer fc1's weight (the Linear composite's parameter, expanded into the graph).
  const byLayer = (name: string) => {
    const [layer, param] = name.split('/');
    const linear = g.group(layer).gate as Linear;
    return (param === 'W' ? linear.weight : linear.bias!).grad!;
  };
  for (const p of h.parameters()) expect(Array.from(p.grad!.data)).toEqual(Array.from(byLayer(p.name).data));
});

test('round trip in float32: the imported graph runs in float32 and matches ONNX Runtime', async () => {
  const { g, scores } = classifier('float32');
  const model = exportOnnx(g, { inputs: ['x'], output: scores });
  const imported = importOnnx(model);
  expect(imported.graph.parameters().every((p) => p.value!.dtype === 'float32')).toBe(true);
  const x = new Random(8).randn([64, 6], { dtype: 'float32' });
  expect(maxRelDiff(chainruleOutput(imported.graph, { x }), await runOrt(model, { x }))).toBeLessThan(1e-5);
});

test('the options-carrying gates come back with their options (float32 attributes read back as the decimals written)', () => {
  const g = new ComputationalGraph(createGatesContainer());
  const x = g.input('x', { shape: [null, 2, 3] });
  let h = g.gate(LeakyReLUGate, [x], { name: 'leaky', options: { slope: 0.2 } });
  h = g.gate(ScaleGate, [h], { name: 'scale', options: { a: 0.1 } });
  h = g.gate(PowGate, [h], { name: 'pow', options: { p: 2 } });
  h = g.gate(TransposeGate, [h], { name: 't', options: { axes: [0, 2, 1] } });
  h = g.gate(FlattenGate, [h], { name: 'flat' });
  h = g.gate(ReshapeGate, [h], { name: 'reshape', options: { shape: [-1, 3, 2] } });
  h = g.gate(LogSoftmaxGate, [h], { name: 'logsoftmax', options: { axis: 1 } });
  h = g.gate(MeanGate, [h], { name: 'mean', options: { axis: -1 } });
  g.gate(SumGate, [h], { name: 'sum', options: { axis: 1, keepDims: true } });
  const imported = importOnnx(exportOnnx(g)).graph;
  const gateOf = <T>(name: string) => imported.node(name).gate as T;
  expect(gateOf<LeakyReLUGate>('leaky').slope).toBe(0.2);
  expect(gateOf<ScaleGate>('scale').a).toBe(0.1);
  expect(gateOf<PowGate>('pow').p).toBe(2);
  expect(gateOf<TransposeGate>('t').axes).toEqual([0, 2, 1]);
  expect(gateOf<FlattenGate>('flat').startAxis).toBe(1);
  expect(gateOf<ReshapeGate>('reshape').shape).toEqual([-1, 3, 2]);
  expect(gateOf<LogSoftmaxGate>('logsoftmax').axis).toBe(1);
  expect([gateOf<MeanGate>('mean').axis, gateOf<SumGate>('sum').axis, gateOf<SumGate>('sum').keepDims]).toEqual([-1, 1, true]);
  const feed = { x: new Random(1).randn([4, 2, 3], { dtype: 'float32' }) };
  expect(maxRelDiff(chainruleOutput(imported, feed), chainruleOutput(g, feed))).toBeLessThan(1e-6);
});

test('the primitive sigmoid neuron round-trips with its constants as gate options, not parameters', () => {
  const imported = importOnnx(exportOnnx(buildPrimitiveNeuron(), { dtype: 'float64' })).graph;
  expect(imported.parameters()).toEqual([]);
  expect(imported.forward({ w0: 2, w1: -3, w2: -3, x0: -1, x1: -2 }).item()).toBeCloseTo(0.7311, 4);
});

test('an operator outside the set: OnnxImportError naming the ONNX node and operator', () => {
  const model = onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      node: [{ opType: 'Cos', input: ['x'], output: ['y'], name: 'cosine' }],
      input: [{ name: 'x', type: { tensorType: { elemType: 1 } } }],
      output: [{ name: 'y', type: { tensorType: { elemType: 1 } } }],
    },
  }).finish();
  expect(() => importOnnx(model)).toThrow(OnnxImportError);
  expect(() => importOnnx(model)).toThrow("importOnnx: ONNX node 'cosine' (Cos) has no chainrule gate");
  // The float64 Softplus is written from Abs/Log, which have no gate: it does not re-import.
  const g = new ComputationalGraph(createGatesContainer());
  g.gate(SoftplusGate, [g.input('x')]);
  expect(() => importOnnx(exportOnnx(g, { dtype: 'float64' }))).toThrow(/\(Abs\) has no chainrule gate/);
});

test('shortestFloat32 recovers the decimal a float32 attribute was written from', () => {
  for (const v of [0.2, 0.01, -1.5, 1e-7, 3]) expect(shortestFloat32(Math.fround(v))).toBe(v);
});
