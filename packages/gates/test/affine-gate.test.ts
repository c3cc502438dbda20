import { ArityError, assertGradcheck, ComputationalGraph, createKernel, InvalidArgumentError, kernelModule, MatmulKernel, Random, ShapeError, Tensor } from '@chainrule/core';
import { AffineActivation, AffineGate, createGatesContainer, Linear, mlp, ReLUGate, SigmoidGate, SoftmaxCrossEntropyGate, SumGate, TanhGate } from '@chainrule/gates';
import { createNodeKernel } from '@chainrule/core/node';
import { Adam, SGD } from '@chainrule/optim';
import { expectContract, expectFloat32Matches, labels, rand, thrown } from './helpers';

/**
 * AffineGate (Linear's `activation`): the product, bias and activation in one node. It is checked as
 * every gate is (gradcheck in float64 on random shapes, float32 against float64, the contract), and
 * against the unfused layers it replaces, bit for bit.
 */
const ACTIVATIONS: AffineActivation[] = ['none', 'relu', 'tanh', 'sigmoid'];

describe('AffineGate', () => {
  const rng = new Random(19);

  it.each(ACTIVATIONS)('%s: gradcheck in float64 on random shapes, with and without bias, rows of any rank', (activation) => {
    for (let trial = 0; trial < 4; trial++) {
      const m = 1 + rng.int(5);
      const k = 1 + rng.int(6);
      const n = 1 + rng.int(5);
      // ReLU's kink at 0 is kept away from by the inputs' range only statistically; a tiny bias offset keeps z off 0.
      const x = rand(rng, trial === 3 ? [2, m, k] : [m, k]);
      const w = rand(rng, [k, n]);
      const b = rand(rng, [n], -1, 1, [0], 0.1);
      assertGradcheck(new AffineGate({ activation }), [x, w, b]);
      assertGradcheck(new AffineGate({ activation }), [x, w]);
    }
  });

  it.each(ACTIVATIONS)('%s: float32 agrees with float64; the contract holds', (activation) => {
    const inputs = [rand(rng, [6, 5]), rand(rng, [5, 4]), rand(rng, [4])];
    expectFloat32Matches(() => new AffineGate({ activation }), inputs);
    expectContract(() => new AffineGate({ activation }), inputs);
  });

  test('a data input x (needsInputGrad false) still gets dW and db', () => {
    const g = new ComputationalGraph(createGatesContainer());
    const x = g.input('x', { shape: [null, 3], requiresGrad: false });
    const h = g.gate(Linear, [x], { name: 'fc', options: { inFeatures: 3, outFeatures: 2, activation: 'tanh' } });
    g.gate(SumGate, [h], { name: 'loss' });
    g.forward({ x: rand(rng, [4, 3]) });
    g.backward();
    expect(g.node('fc/W').grad?.shape).toEqual([3, 2]);
    expect(g.node('fc/b').grad?.shape).toEqual([2]);
  });

  test('bad inputs and options fail naming the gate and what was expected', () => {
    const x = rand(rng, [2, 3]);
    const w = rand(rng, [3, 4]);
    expect(thrown(() => new AffineGate({ activation: 'gelu' as AffineActivation }))).toBeInstanceOf(InvalidArgumentError);
    const bad = thrown(() => new AffineGate().forward(x, w, rand(rng, [3])));
    expect(bad).toBeInstanceOf(ShapeError);
    expect(bad.message).toMatch(/AffineGate.*\[4\].*\[3\]/);
    expect(thrown(() => new AffineGate().forward(x, rand(rng, [3])))).toBeInstanceOf(ShapeError);
    expect(thrown(() => new AffineGate().forward(x))).toBeInstanceOf(ArityError);
    expect(thrown(() => new AffineGate().forward(x, rand(rng, [5, 4])))).toBeInstanceOf(ShapeError);
  });
});

/** A 2-layer float32 net trained a few SGD steps; returns every loss and the final parameters. */
function train(kernel: MatmulKernel, activation: typeof ReLUGate | typeof TanhGate | typeof SigmoidGate, fuse: boolean): number[][] {
  const g = new ComputationalGraph(createGatesContainer(kernelModule(kernel)));
  const x = g.input('x', { shape: [null, 20], dtype: 'float32', requiresGrad: false });
  const y = g.input('y', { shape: [null], dtype: 'float32', requiresGrad: false });
  const scores = mlp(g, x, [20, 24, 16, 5], activation, { dtype: 'float32', fuse });
  g.gate(SoftmaxCrossEntropyGate, [scores, y], { name: 'loss' });
  const opt = new SGD(g.parameters(), { lr: 0.1 });
  const rng = new Random(5);
  const losses: number[] = [];
  for (let step = 0; step < 5; step++) {
    const xs = rng.randn([32, 20], { dtype: 'float32' });
    const ys = labels(rng, 32, 5, 'float32');
    losses.push(g.forward({ x: xs, y: ys }).data[0]);
    g.backward();
    opt.step();
  }
  return [losses, ...g.parameters().map((p) => Array.from((p.value as Tensor).data))];
}

describe('Linear with activation and mlp({ fuse })', () => {
  test('fused layers are fewer nodes with the same parameter names', () => {
    const g = new ComputationalGraph(createGatesContainer());
    const x = g.input('x', { shape: [null, 3] });
    mlp(g, x, [3, 4, 2], ReLUGate, { fuse: true });
    expect(g.nodes.filter((n) => n.kind === 'gate').map((n) => n.name)).toEqual(['fc1/relu(xW+b)', 'fc2/xW', 'fc2/xW+b']);
    expect(g.parameters().map((p) => p.name)).toEqual(['fc1/W', 'fc1/b', 'fc2/W', 'fc2/b']);
    const nb = new ComputationalGraph(createGatesContainer());
    nb.gate(Linear, [nb.input('x', { shape: [null, 3] })], { name: 'fc', options: { inFeatures: 3, outFeatures: 2, bias: false, activation: 'sigmoid' } });
    expect(nb.nodes.map((n) => n.name)).toEqual(['x', 'fc/W', 'fc/sigmoid(xW)']);
  });

  it.each([
    ['js', ReLUGate],
    ['wasm', ReLUGate],
    ['wasm', TanhGate],
    ['js', SigmoidGate],
  ] as const)('%s kernel, %p: training fused and unfused gives the same losses and weights bit for bit', (backend, activation) => {
    const kernel = createKernel({ backend: backend === 'js' ? 'js' : 'auto' });
    const fused = train(kernel, activation, true);
    const unfused = train(kernel, activation, false);
    expect(fused).toEqual(unfused);
    expect(train(kernel, activation, true)).toEqual(fused); // and the same again for the same seed
    expect(fused[0].every(Number.isFinite)).toBe(true);
  });

  test("with the WebAssembly kernel, Linear's parameters and their gradients live in its memory (the SIMD update path)", () => {
    const kernel = createKernel({ backend: 'wasm' });
    const g = new ComputationalGraph(createGatesContainer(kernelModule(kernel)));
    const x = g.input('x', { shape: [null, 20], dtype: 'float32', requiresGrad: false });
    const y = g.input('y', { shape: [null], dtype: 'float32', requiresGrad: false });
    g.gate(SoftmaxCrossEntropyGate, [mlp(g, x, [20, 24, 5], ReLUGate, { dtype: 'float32', fuse: true }), y], { name: 'loss' });
    const rng = new Random(3);
    for (let step = 0; step < 2; step++) {
      g.forward({ x: rng.randn([32, 20], { dtype: 'float32' }), y: labels(rng, 32, 5, 'float32') });
      g.backward();
    }
    const big = g.parameters().filter((p) => (p.value as Tensor).size >= 256); // fc1/W (480 elements): smaller gradient buffers stay ordinary arrays
    expect(big.map((p) => p.name)).toEqual(['fc1/W']);
    for (const p of g.parameters()) expect((p.value as Tensor).data.buffer).toBeInstanceOf(SharedArrayBuffer);
    for (const p of big) expect(p.grad?.data.buffer).toBe((p.value as Tensor).data.buffer);
    kernel.dispose();
  });

  test('training on two threads gives the bits of one thread (SGD with momentum and Adam, every product split)', async () => {
    const run = (kernel: MatmulKernel, adam: boolean): number[][] => {
      const g = new ComputationalGraph(createGatesContainer(kernelModule(kernel)));
      const x = g.input('x', { shape: [null, 64], dtype: 'float32', requiresGrad: false });
      const y = g.input('y', { shape: [null], dtype: 'float32', requiresGrad: false });
      g.gate(SoftmaxCrossEntropyGate, [mlp(g, x, [64, 48, 40, 5], ReLUGate, { dtype: 'float32', fuse: true }), y], { name: 'loss' });
      const opt = adam ? new Adam(g.parameters(), { lr: 0.01 }) : new SGD(g.parameters(), { lr: 0.05, momentum: 0.9 });
      const rng = new Random(9);
      const losses: number[] = [];
      for (let step = 0; step < 4; step++) {
        losses.push(g.forward({ x: rng.randn([48, 64], { dtype: 'float32' }), y: labels(rng, 48, 5, 'float32') }).data[0]);
        g.backward();
        opt.step();
      }
      return [losses, ...g.parameters().map((p) => Array.from((p.value as Tensor).data))];
    };
    const one = createKernel({ backend: 'wasm' });
    const two = createNodeKernel({ backend: 'wasm', threads: 2, threadSplit: 'always', threadMinMacs: { float32: 0, float64: 0 } });
    expect(await two.threadsReady()).toBe(true);
    for (const adam of [false, true]) expect(run(two, adam)).toEqual(run(one, adam));
    two.dispose();
  });
});
