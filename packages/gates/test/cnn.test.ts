import { ComputationalGraph, gradcheckGraph, loadGraph, loadParameters, namedParameters, Random, RANDOM_SOURCE, saveGraph, saveParameters, ShapeError, Tensor } from '@chainrule/core';
import { cnn, Conv2D, Conv2DGate, createGatesContainer, SoftmaxCrossEntropyGate } from '@chainrule/gates';
import { Adam } from '@chainrule/optim';
import { labels, rand, thrown } from './helpers';

const rng = new Random(1404);

function digitNet(options: { batchNorm?: boolean; dropout?: number; dtype?: 'float32' | 'float64' } = {}) {
  const g = new ComputationalGraph(createGatesContainer());
  const x = g.input('x');
  const y = g.input('labels', { requiresGrad: false });
  const scores = cnn(g, x, { inputShape: [1, 12, 8], conv: [{ channels: 3, kernel: 3, padding: 1 }, { channels: 4, kernel: 3 }], hidden: [5], classes: 3, ...options });
  g.gate(SoftmaxCrossEntropyGate, [scores, y], { name: 'loss' });
  return { g, scores };
}

describe('Conv2D layer', () => {
  test('holds W [F, C, KH, KW] with He initialisation and b [F] at zero, seeded', () => {
    const layer = new Conv2D({ inChannels: 8, outChannels: 16, kernel: [5, 3], seed: 3 });
    const w = layer.weight.value as Tensor;
    expect(w.shape).toEqual([16, 8, 5, 3]);
    const std = Math.sqrt(Array.from(w.data).reduce((a, v) => a + v * v, 0) / w.size);
    expect(std).toBeCloseTo(Math.sqrt(2 / (8 * 15)), 2);
    expect(Array.from(layer.bias!.value!.data)).toEqual(new Array(16).fill(0));
    expect(Array.from((new Conv2D({ inChannels: 8, outChannels: 16, kernel: [5, 3], seed: 3 }).weight.value as Tensor).data)).toEqual(Array.from(w.data));
  });

  test('draws W from the container’s RANDOM_SOURCE when one is bound (as Linear), else from its seed', () => {
    const build = (source?: Random) => {
      const c = createGatesContainer();
      if (source) c.bind(RANDOM_SOURCE).toConstantValue(source);
      const g = new ComputationalGraph(c);
      g.gate(Conv2D, [g.input('x')], { name: 'conv1', options: { inChannels: 2, outChannels: 3, kernel: 3, seed: 7 } });
      return Array.from((g.node('conv1/W').value as Tensor).data);
    };
    const expected = Array.from(new Random(99).randn([3, 2, 3, 3], { std: Math.sqrt(2 / 18) }).data);
    expect(build(new Random(99))).toEqual(expected);
    expect(build()).toEqual(Array.from(new Random(7).randn([3, 2, 3, 3], { std: Math.sqrt(2 / 18) }).data));
    expect(build()).not.toEqual(expected);
  });

  test('forward is its Conv2DGate with the layer’s options; channel mismatch is an error naming the layer', () => {
    const layer = new Conv2D({ inChannels: 2, outChannels: 3, kernel: 3, stride: 2, padding: 1 });
    const x = rand(rng, [2, 2, 5, 5]);
    const gate = new Conv2DGate({ stride: 2, padding: 1 });
    expect(Array.from(layer.forward(x).data)).toEqual(Array.from(gate.forward(x, layer.weight.value!, layer.bias!.value!).data));
    const e = thrown(() => layer.forward(rand(rng, [1, 3, 5, 5])));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/Conv2D.forward: expected an input of shape \[N, 2, H, W\].*got \[1, 3, 5, 5\]/);
    expect(thrown(() => new Conv2D({ inChannels: 2, outChannels: 3 })).message).toMatch(/'kernel' are required/);
  });
});

describe('cnn()', () => {
  test('a whole CNN (conv, batch norm, pooling, dropout off, dense) passes graph gradcheck in float64', () => {
    const { g } = digitNet({ batchNorm: true });
    const feeds = { x: rand(rng, [3, 1, 12, 8]), labels: labels(rng, 3, 3) };
    const r = gradcheckGraph(g, feeds, { tolerance: 1e-6 });
    expect(r.ok).toBe(true);
    expect(r.checked).toBeGreaterThan(200);
  });

  test('reports a block that does not fit when it is built, naming the block', () => {
    const g = new ComputationalGraph(createGatesContainer());
    expect(thrown(() => cnn(g, g.input('x'), { inputShape: [1, 7, 7], conv: [{ channels: 2, kernel: 3 }], classes: 2 })).message).toMatch(
      /cnn: block conv1: its 5×5 output does not split into 2×2 pooling windows/,
    );
    expect(thrown(() => cnn(g, 'x', { inputShape: [1, 4, 4], conv: [{ channels: 2, kernel: 5 }], classes: 2 })).message).toMatch(/kernel 5.*larger/);
  });

  test('learns: a few Adam steps lower the loss (batch norm and dropout in training mode)', () => {
    const { g } = digitNet({ batchNorm: true, dropout: 0.1, dtype: 'float32' });
    const opt = new Adam(g.parameters(), { lr: 0.01 });
    const feeds = { x: rand(rng, [12, 1, 12, 8]).astype('float32'), labels: labels(rng, 12, 3, 'float32') };
    const first = g.forward(feeds).item();
    for (let i = 0; i < 40; i++) {
      g.forward(feeds);
      g.backward();
      opt.step();
    }
    g.eval();
    expect(g.forward(feeds).item()).toBeLessThan(first * 0.5);
  });

  test('save/load round-trips the CNN with its running statistics bit for bit', () => {
    const { g } = digitNet({ batchNorm: true, dtype: 'float32' });
    const feeds = { x: rand(rng, [6, 1, 12, 8]).astype('float32'), labels: labels(rng, 6, 3, 'float32') };
    const opt = new Adam(g.parameters(), { lr: 0.01 });
    for (let i = 0; i < 3; i++) {
      g.forward(feeds);
      g.backward();
      opt.step();
    }
    const saved = namedParameters(g);
    expect([...saved.keys()]).toContain('conv1_bn/running_mean');
    expect([...saved.keys()]).toContain('conv2_bn/running_var');
    const runningMean = saved.get('conv1_bn/running_mean')!.value!;
    expect(Array.from(runningMean.data).some((v) => v !== 0)).toBe(true);

    const loaded = loadGraph(saveGraph(g), createGatesContainer());
    const restored = namedParameters(loaded);
    expect([...restored.keys()]).toEqual([...saved.keys()]);
    // still frozen after loading: optimizers keep skipping the running statistics
    expect(restored.get('conv1_bn/running_mean')!.requiresGrad).toBe(false);
    expect(restored.get('conv2_bn/running_var')!.requiresGrad).toBe(false);
    for (const [name, node] of saved) {
      const a = node.value!;
      const b = restored.get(name)!.value!;
      expect(b.dtype).toBe(a.dtype);
      expect(Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength).equals(Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength))).toBe(true);
    }
    g.eval();
    loaded.eval();
    expect(Array.from(loaded.forward(feeds).data)).toEqual(Array.from(g.forward(feeds).data));

    // parameters only, into a fresh net built by code
    const fresh = digitNet({ batchNorm: true, dtype: 'float32' }).g;
    loadParameters(fresh, saveParameters(g));
    fresh.eval();
    expect(Array.from(fresh.forward(feeds).data)).toEqual(Array.from(g.forward(feeds).data));
  });
});
