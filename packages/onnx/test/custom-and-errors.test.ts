/** @jest-environment ./packages/onnx/test/ort-environment.js */
import 'reflect-metadata';
import { bindGate, ChainruleError, ComputationalGraph, Gate, Random, Tensor } from '@chainrule/core';
import { injectable } from 'inversify';
import { AddGate, createGatesContainer, mlp, ReLUGate, SoftmaxCrossEntropyGate } from '@chainrule/gates';
import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { SinGate } from '../../../examples/src/custom-gate';
import { exportOnnx, exportOnnxModel, OnnxExportError, registerOnnxMapping } from '../src';
import { writeOnnx } from '../src/node';
import { chainruleOutput, maxRelDiff, runOrt } from './ort';

function sinGraph(): ComputationalGraph {
  const container = createGatesContainer();
  bindGate(container, SinGate);
  const g = new ComputationalGraph(container);
  const x = g.input('x', { shape: [null, 3] });
  g.gate(AddGate, [g.gate('SinGate', [x], { name: 'sin' }), x], { name: 'f' });
  return g;
}

test('a gate with no mapping: OnnxExportError (a ChainruleError) naming the node and the gate, and how to add one', () => {
  const g = sinGraph();
  let error: unknown;
  try {
    exportOnnx(g);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(OnnxExportError);
  expect(error).toBeInstanceOf(ChainruleError);
  const e = error as OnnxExportError;
  expect(e.message).toBe(
    "exportOnnx: node 'sin' (SinGate) has no ONNX mapping for gate SinGate (register one with registerOnnxMapping(SinGate, (gate, ctx) => ...), or export a node before it)",
  );
  expect([e.node, e.gate]).toEqual(['sin', 'SinGate']);
});

test('a custom gate supplies its mapping with registerOnnxMapping, and the model runs on ONNX Runtime', async () => {
  registerOnnxMapping(SinGate, (_gate, ctx) => ctx.emit('Sin', ctx.inputs, [ctx.output]));
  const g = sinGraph();
  const model = exportOnnx(g);
  const x = new Random(1).randn([7, 3], { dtype: 'float32' });
  expect(maxRelDiff(await runOrt(model, { x }), chainruleOutput(g, { x }))).toBeLessThan(1e-5);
});

/** The docs' second custom gate: swish x · σ(β·x), forward only (enough for export). */
@injectable()
class SwishGate implements Gate {
  beta = 1.5;
  forward(x: Tensor): Tensor {
    const out = Tensor.zeros(x.shape, x.dtype);
    for (let i = 0; i < x.size; i++) out.data[i] = x.data[i] / (1 + Math.exp(-this.beta * x.data[i]));
    return out;
  }
  backward(): Tensor[] {
    throw new Error('not needed here');
  }
}

test("the docs' SwishGate mapping (three operators, intermediate names from ctx.fresh) matches chainrule on ONNX Runtime", async () => {
  registerOnnxMapping(SwishGate, (gate, ctx) => {
    const bx = ctx.fresh('bx');
    const sig = ctx.fresh('sigmoid');
    ctx.emit('Mul', [ctx.inputs[0], ctx.constant(gate.beta, 'beta')], [bx]);
    ctx.emit('Sigmoid', [bx], [sig]);
    ctx.emit('Mul', [ctx.inputs[0], sig], [ctx.output]);
  });
  const g = new ComputationalGraph(createGatesContainer());
  const x = g.input('x');
  const s1 = g.gate(SwishGate, [x], { name: 'swish' });
  g.gate(SwishGate, [s1], { name: 'swish2' }); // twice: the fresh names must not clash
  const model = exportOnnxModel(g);
  expect(model.graph!.node!.map((n) => n.output![0])).toEqual(['swish/bx', 'swish/sigmoid', 'swish', 'swish2/bx', 'swish2/sigmoid', 'swish2']);
  const feed = { x: new Random(2).randn([5, 4], { dtype: 'float32' }) };
  expect(maxRelDiff(await runOrt(exportOnnx(g), feed), chainruleOutput(g, feed))).toBeLessThan(1e-5);
});

test('exporting the loss names the input it needs that the model does not take', () => {
  const g = new ComputationalGraph(createGatesContainer());
  const scores = mlp(g, g.input('x', { shape: [null, 4] }), [4, 3], ReLUGate);
  g.gate(SoftmaxCrossEntropyGate, [scores, g.input('labels')], { name: 'loss' });
  expect(() => exportOnnx(g, { inputs: ['x'] })).toThrow(
    "exportOnnx: output node 'loss' (SoftmaxCrossEntropyGate) depends on input 'labels', not in option 'inputs' [x] (is the output the loss? export the scores)",
  );
  // Without inputs given, the loss needs labels, and the loss gate has no mapping.
  expect(() => exportOnnx(g)).toThrow("node 'loss' (SoftmaxCrossEntropyGate) has no ONNX mapping");
  expect(() => exportOnnx(g, { output: 'nope' })).toThrow("option 'output' names 'nope', which is not a node of the graph");
  expect(() => exportOnnx(g, { output: scores, inputs: ['fc1'] })).toThrow("'fc1' in option 'inputs' is not an input node of the graph (its inputs: 'x', 'labels')");
  expect(() => exportOnnx(g, { output: scores, opset: 12 })).toThrow("option 'opset' must be an integer from 13 to 17, got 12");
  // The scores export: only x is an input.
  expect(exportOnnxModel(g, { output: scores }).graph!.input!.map((i) => i.name)).toEqual(['x']);
});

test('writeOnnx (the Node entry) writes the same bytes as exportOnnx, creating folders', () => {
  const g = new ComputationalGraph(createGatesContainer());
  mlp(g, g.input('x', { shape: [null, 4] }), [4, 5, 2], ReLUGate);
  const path = join(mkdtempSync(join(tmpdir(), 'chainrule-onnx-')), 'deep', 'model.onnx');
  const n = writeOnnx(path, g);
  const bytes = readFileSync(path);
  expect(bytes.length).toBe(n);
  expect(Buffer.from(exportOnnx(g)).equals(bytes)).toBe(true);
});

test('an input that is the output itself exports as Identity; a constant becomes an initializer', async () => {
  const g = new ComputationalGraph(createGatesContainer());
  const x = g.input('x');
  g.gate(AddGate, [x, g.constant('two', Tensor.from([2, 2, 2]))], { name: 'y' });
  const y = await runOrt(exportOnnx(g), { x: Tensor.from([1, 2, 3], { dtype: 'float32' }) });
  expect(Array.from(y.data)).toEqual([3, 4, 5]);
  const id = exportOnnxModel(g, { output: 'x' });
  expect(id.graph!.node!.map((n) => n.opType)).toEqual(['Identity']);
  expect(Array.from((await runOrt(exportOnnx(g, { output: 'x' }), { x: Tensor.from([7], { dtype: 'float32' }) })).data)).toEqual([7]);
});
