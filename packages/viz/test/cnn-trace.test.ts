import 'reflect-metadata';
import { ComputationalGraph, Random } from '@chainrule/core';
import { BatchNorm, Conv2D, createGatesContainer, DropoutGate, GlobalAvgPoolGate, AvgPool2DGate, MaxPool2DGate, SumGate } from '@chainrule/gates';
import { traceBackward } from '../src';

/** The convolutional gates describe themselves (static description): viz knows none of them by name. */
describe('a backward trace through the convolutional gates', () => {
  test('names each gate’s pattern, forward formula and local derivative from its own description', () => {
    const g = new ComputationalGraph(createGatesContainer());
    const x = g.input('x', { requiresGrad: false });
    let h = g.gate(Conv2D, [x], { name: 'conv', options: { inChannels: 1, outChannels: 2, kernel: 3, padding: 1 } });
    h = g.gate(BatchNorm, [h], { name: 'bn', options: { numFeatures: 2 } });
    h = g.gate(MaxPool2DGate, [h], { name: 'pool', options: { kernel: 2 } });
    h = g.gate(DropoutGate, [h], { name: 'drop', options: { p: 0.25 } });
    h = g.gate(AvgPool2DGate, [h], { name: 'avg', options: { kernel: 2 } });
    h = g.gate(GlobalAvgPoolGate, [h], { name: 'gap' });
    g.gate(SumGate, [h], { name: 'L' });
    g.forward({ x: new Random(3).randn([2, 1, 4, 4]) });
    g.backward();
    const trace = traceBackward(g);
    expect(trace).toContain('gap = mean over H, W of avg (global average distributes evenly over each channel): ∂gap/∂avg = 1/1 (1/(H·W)) everywhere');
    expect(trace).toContain('avg = avgpool(drop) (average pooling distributes evenly over each window): ∂avg/∂drop = 1/4 over each 2×2 window of drop');
    expect(trace).toContain('drop = dropout(pool, p = 0.25) (dropout masks and rescales): ∂drop/∂pool = 1/(1 − 0.25) where kept, 0 where dropped');
    expect(trace).toContain('pool = maxpool(bn/bn) (max pooling routes to each window’s maximum): ∂pool/∂bn/bn = 1 at each window’s first maximum of bn/bn');
    expect(trace).toMatch(/bn\/bn = bn\/gamma · \(conv\/conv − μ\) \/ √\(σ² \+ ε\) \+ bn\/beta \(batch norm normalises, scales and shifts per channel\)/);
    expect(trace).toMatch(/conv\/conv = conv2d\(x, conv\/W, conv\/b\) \(convolution multiplies each window by the filters\): ∂conv\/conv\/∂conv\/W = the windows of x/);
  });
});
