/** @jest-environment ./packages/onnx/test/ort-environment.js */
import 'reflect-metadata';
import { ComputationalGraph, DType, GateClass, Random, Tensor } from '@chainrule/core';
import { builtinGates, createGatesContainer, MatMulGate, ReLUGate } from '@chainrule/gates';
import { exportOnnx } from '../src';
import { chainruleOutput, maxRelDiff, runOrt } from './ort';

/**
 * The convolutional gates on ONNX Runtime. They come from another branch: until they are in
 * @chainrule/gates this suite is skipped (and says so); once they are, it runs.
 */
const gates = builtinGates as Readonly<Record<string, GateClass | undefined>>;
const haveCnn = ['Conv2DGate', 'MaxPool2DGate', 'AvgPool2DGate', 'GlobalAvgPoolGate', 'BatchNormGate', 'DropoutGate'].every((n) => gates[n]);
const describeCnn = haveCnn ? describe : describe.skip;

describeCnn('convolutional gates', () => {
  const cls = (name: string) => gates[name] as GateClass;

  /** conv(stride 1, padding 1) → BN → ReLU → maxpool 2 → conv(stride 2, dilation 1) → avgpool(pad) → dropout → global average pool → dense. */
  function cnnGraph(dtype: DType) {
    const g = new ComputationalGraph(createGatesContainer());
    const rng = new Random(4);
    const p = (name: string, shape: number[], std = 0.5) => g.parameter(name, rng.randn(shape, { dtype, std }));
    const x = g.input('x', { shape: [null, 2, 8, 8], dtype, requiresGrad: false });
    let h = g.gate(cls('Conv2DGate'), [x, p('c1/W', [4, 2, 3, 3]), p('c1/b', [4])], { name: 'c1', options: { padding: 1 } });
    const variance = g.parameter('bn/var', Tensor.from(Array.from({ length: 4 }, (_, i) => 0.5 + i * 0.3), { dtype }));
    h = g.gate(cls('BatchNormGate'), [h, p('bn/gamma', [4]), p('bn/beta', [4]), p('bn/mean', [4], 0.2), variance], { name: 'bn', options: { eps: 1e-3 } });
    h = g.gate(ReLUGate, [h], { name: 'relu' });
    h = g.gate(cls('MaxPool2DGate'), [h], { name: 'pool', options: { kernel: 2 } });
    h = g.gate(cls('Conv2DGate'), [h, p('c2/W', [3, 4, 2, 2])], { name: 'c2', options: { stride: 2 } });
    h = g.gate(cls('AvgPool2DGate'), [h], { name: 'avg', options: { kernel: 2, stride: 1, padding: 1 } });
    h = g.gate(cls('DropoutGate'), [h], { name: 'drop', options: { p: 0.5 } });
    const pooled = g.gate(cls('GlobalAvgPoolGate'), [h], { name: 'gap' });
    g.gate(MatMulGate, [pooled, p('head/W', [3, 5])], { name: 'head' });
    g.eval(); // inference: running statistics, no dropout
    return g;
  }

  test('a small CNN in float32 matches ONNX Runtime on batches of 1, 7 and 64', async () => {
    const g = cnnGraph('float32');
    const model = exportOnnx(g, { output: 'head' });
    const rng = new Random(6);
    for (const n of [1, 7, 64]) {
      const x = rng.randn([n, 2, 8, 8], { dtype: 'float32' });
      expect(maxRelDiff(await runOrt(model, { x }), chainruleOutput(g, { x }, 'head'))).toBeLessThan(1e-5);
    }
  });

  test('float64: ONNX Runtime has no float64 Conv or AveragePool kernel; max pooling, batch norm and global pooling match to 1e-12', async () => {
    const x = new Random(6).randn([7, 2, 8, 8]);
    await expect(runOrt(exportOnnx(cnnGraph('float64'), { dtype: 'float64', output: 'head' }), { x })).rejects.toThrow(
      'Could not find an implementation for Conv(11)',
    );
    const g = new ComputationalGraph(createGatesContainer());
    const rng = new Random(2);
    let h = g.gate(cls('MaxPool2DGate'), [g.input('x')], { name: 'pool', options: { kernel: 2 } });
    const stats = [0, 1, 2, 3].map((i) => g.parameter(`bn/${i}`, i === 3 ? Tensor.from([0.5, 1.5]) : rng.randn([2])));
    h = g.gate(cls('BatchNormGate'), [h, ...stats], { name: 'bn' });
    g.gate(cls('GlobalAvgPoolGate'), [h], { name: 'gap' });
    g.eval();
    expect(maxRelDiff(await runOrt(exportOnnx(g, { dtype: 'float64' }), { x }), chainruleOutput(g, { x }))).toBeLessThan(1e-12);
    await expect(runOrt(exportOnnx(g, { dtype: 'float64', output: 'pool' }), { x })).resolves.toBeDefined();
  });
});
