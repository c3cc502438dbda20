import { assertGradcheck, ComputationalGraph, Random, RANDOM_SOURCE, ShapeError, Tensor } from '@chainrule/core';
import { BatchNorm, BatchNormGate, createGatesContainer, DropoutGate } from '@chainrule/gates';
import { expectContract, expectFloat32Matches, maxRelDiff, rand, thrown } from './helpers';

const rng = new Random(1403);

function bnInputs(x: number[]): Tensor[] {
  const c = x[1];
  return [rand(rng, x), rand(rng, [c], 0.5, 2), rand(rng, [c]), rand(rng, [c], -0.5, 0.5), rand(rng, [c], 0.5, 2)];
}

function evalGate(): BatchNormGate {
  const g = new BatchNormGate();
  g.prepare({ needsInputGrad: [true, true, true, true, true], training: false });
  return g;
}

describe('BatchNormGate', () => {
  test('training normalises each channel with the batch statistics and updates the running ones in place', () => {
    const x = Tensor.from([[[[1, 3]], [[10, 10]]], [[[5, 7]], [[20, 20]]]]); // [2, 2, 1, 2]
    const [gamma, beta] = [Tensor.from([2, 1]), Tensor.from([0.5, 0])];
    const mean = Tensor.from([0, 0]);
    const variance = Tensor.from([1, 1]);
    const y = new BatchNormGate({ momentum: 0.5, eps: 1e-5 }).forward(x, gamma, beta, mean, variance);
    // channel 0: values 1,3,5,7 → μ 4, σ² 5; channel 1: 10,10,20,20 → μ 15, σ² 25
    expect(y.data[0]).toBeCloseTo(2 * (-3 / Math.sqrt(5 + 1e-5)) + 0.5, 12);
    expect(y.data[2]).toBeCloseTo(-5 / Math.sqrt(25 + 1e-5), 12);
    expect(Array.from(mean.data)).toEqual([2, 7.5]);
    expect(variance.data[0]).toBeCloseTo(0.5 + 0.5 * (20 / 3), 12); // unbiased σ² into the running average
    expect(variance.data[1]).toBeCloseTo(0.5 + 0.5 * (100 / 3), 12);
  });

  test('evaluation uses the running statistics and changes nothing', () => {
    const [x, gamma, beta, mean, variance] = bnInputs([3, 2, 2, 2]);
    const before = [mean.clone(), variance.clone()];
    const y = evalGate().forward(x, gamma, beta, mean, variance);
    const c = 1;
    const i = ((1 * 2 + c) * 2 + 1) * 2 + 0;
    expect(y.data[i]).toBeCloseTo((gamma.data[c] * (x.data[i] - mean.data[c])) / Math.sqrt(variance.data[c] + 1e-5) + beta.data[c], 12);
    expect(maxRelDiff(mean, before[0])).toBe(0);
    expect(maxRelDiff(variance, before[1])).toBe(0);
  });

  test.each([[4, 3], [2, 3, 4, 5], [1, 2, 3, 1], [5, 1, 2, 2]])('passes gradcheck in float64, training and evaluation, on x %p', (...shape) => {
    assertGradcheck(new BatchNormGate(), bnInputs(shape), { tolerance: 1e-6 });
    assertGradcheck(evalGate(), bnInputs(shape), { tolerance: 1e-7 });
  });

  test('float32 agrees with float64; contract kept', () => {
    expectFloat32Matches(() => new BatchNormGate(), bnInputs([4, 3, 2, 2]));
    expectContract(() => new BatchNormGate(), bnInputs([4, 3, 2, 2]));
  });

  test('errors name the gate and the mismatch', () => {
    const [x, gamma, beta, mean, variance] = bnInputs([2, 3, 2, 2]);
    expect(thrown(() => new BatchNormGate().forward(x, Tensor.zeros([2]), beta, mean, variance)).message).toMatch(
      /BatchNormGate.forward: expected gamma as \[3\] .*got \[2\]/,
    );
    expect(thrown(() => new BatchNormGate().forward(Tensor.zeros([1, 3]), gamma, beta, mean, variance))).toBeInstanceOf(ShapeError);
    expect(thrown(() => new BatchNormGate({ momentum: 2 })).message).toMatch(/momentum/);
  });
});

describe('BatchNorm layer', () => {
  test('trains on batch statistics, evaluates on running ones; graph.train()/eval() switch it; the optimizer skips running stats', () => {
    const g = new ComputationalGraph(createGatesContainer());
    const x = g.input('x');
    g.gate(BatchNorm, [x], { name: 'bn', options: { numFeatures: 2 } });
    const layer = g.group('bn').gate as BatchNorm;
    const { mean, variance } = layer.parameterNodes;
    const batch = rand(rng, [8, 2, 3, 3], 1, 3);
    const train = g.forward({ x: batch }).clone();
    expect(Array.from(mean.value!.data).every((v) => v > 0.1)).toBe(true);
    g.eval();
    const evaluated = g.forward({ x: batch }).clone();
    expect(maxRelDiff(evaluated, train)).toBeGreaterThan(0.01);
    const m0 = mean.value!.clone();
    g.forward({ x: batch });
    expect(maxRelDiff(mean.value!, m0)).toBe(0);
    g.train();
    g.gate('SumGate', [g.node('bn')]);
    g.forward({ x: batch });
    g.backward();
    expect(mean.grad).toBeUndefined();
    expect(g.parameters().filter((p) => p.requiresGrad).map((p) => p.name)).toEqual(['bn/gamma', 'bn/beta']);
  });

  test('shape errors at forward name the layer’s node and the channel mismatch', () => {
    const g = new ComputationalGraph(createGatesContainer());
    g.gate(BatchNorm, [g.input('x')], { name: 'bn1', options: { numFeatures: 4 } });
    const e = thrown(() => g.forward({ x: Tensor.zeros([2, 3, 2, 2]) }));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/node 'bn1\/bn' \(BatchNormGate\).*expected gamma as \[3\] \(one per channel of x \[2, 3, 2, 2\]\), got \[4\]/);
    expect(thrown(() => new BatchNorm({ numFeatures: 4 }).forward(Tensor.zeros([2, 3, 2, 2]))).message).toMatch(/BatchNorm.forward: expected an input of shape \[N, 4, \.\.\.\].*got \[2, 3, 2, 2\]/);
  });
});

describe('DropoutGate', () => {
  test('zeroes about p of the values and scales the rest by 1/(1−p); backward uses the same mask', () => {
    const g = new DropoutGate({ p: 0.25, seed: 5 });
    const x = Tensor.ones([100, 100]);
    const y = g.forward(x);
    const zeros = Array.from(y.data).filter((v) => v === 0).length;
    expect(zeros / y.size).toBeGreaterThan(0.23);
    expect(zeros / y.size).toBeLessThan(0.27);
    expect(Array.from(y.data).every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-12)).toBe(true);
    const dx = g.backward(Tensor.full([100, 100], 2))[0];
    for (let i = 0; i < y.size; i++) expect(dx.data[i]).toBe(2 * y.data[i]);
  });

  test('the same seed gives the same mask; the container’s RANDOM_SOURCE wins over the seed', () => {
    const mask = (g: DropoutGate) => Array.from(g.forward(Tensor.ones([50])).data);
    const a = new DropoutGate({ seed: 9 });
    const b = new DropoutGate({ seed: 9 });
    expect(mask(a)).toEqual(mask(b));
    const c = createGatesContainer();
    c.bind(RANDOM_SOURCE).toConstantValue(new Random(123));
    const g = new ComputationalGraph(c);
    g.gate(DropoutGate, [g.input('x')], { options: { seed: 9 } });
    const viaContainer = Array.from(g.forward({ x: Tensor.ones([50]) }).data);
    const own = new DropoutGate({}, new Random(123));
    expect(viaContainer).toEqual(mask(own));
    expect(viaContainer).not.toEqual(mask(a));
  });

  test('evaluation is the identity; gradcheck holds with a fixed mask', () => {
    const g = new ComputationalGraph(createGatesContainer());
    g.gate(DropoutGate, [g.input('x')], { options: { p: 0.5 } });
    const x = rand(rng, [3, 4]);
    g.eval();
    expect(Array.from(g.forward({ x }).data)).toEqual(Array.from(x.data));
    const fixed = new DropoutGate();
    fixed.prepare({ needsInputGrad: [true], training: false });
    assertGradcheck(fixed, [x]);
    expectContract(() => new DropoutGate(), [x]);
    expect(thrown(() => new DropoutGate({ p: 1 })).message).toMatch(/option 'p' must be a probability in \[0, 1\)/);
  });
});
