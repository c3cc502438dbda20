// The non-finite policy (docs/errors.md): no optimizer step, clip or Trainer batch applies a NaN or
// infinite gradient; a refused step changes nothing; loadState refuses slots that would.
import 'reflect-metadata';
import { ChainruleError, CompositeGate, ComputationalGraph, GraphNode, InvalidArgumentError, NonFiniteError, Tensor } from '@chainrule/core';
import { createGatesContainer, Linear, MeanGate, MultiplyGate, PowGate, SoftmaxCrossEntropyGate } from '@chainrule/gates';
import { Adagrad, Adam, clipGradNorm, gradNorm, Optimizer, Parameter, RMSProp, SGD, Trainer } from '@chainrule/optim';
import { bits, param, RULES } from './helpers';

/** Everything a refused step must leave as it was: values, gradients and the optimizer's state. */
function snapshot(opt: Optimizer, params: readonly Parameter[]): string {
  return JSON.stringify({ values: bits(params), grads: params.map((p) => Array.from(p.grad?.data ?? [], String)), state: opt.state() });
}

describe('every optimizer checks its gradients before it changes anything', () => {
  for (const [rule, make] of Object.entries(RULES)) {
    for (const bad of [NaN, Infinity, -Infinity]) {
      test(`${rule}: a ${bad} gradient is refused, naming the parameter and the element`, () => {
        const a = param([1, 2, 3]);
        const b = { ...param([[1, 2], [3, 4]]), name: 'fc1/W' };
        const opt = make([a, b]);
        a.grad.data.fill(0.5);
        opt.step(); // a good step first, so the state is not all zeros
        a.grad.data.fill(0.1);
        b.grad.data.set([0.1, 0.2, bad, 0.3]);
        const before = snapshot(opt, [a, b]);
        let err: unknown;
        try {
          opt.step();
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(NonFiniteError);
        expect(err).toBeInstanceOf(ChainruleError);
        expect((err as Error).message).toContain(`.step: parameter 1 'fc1/W' gradient holds ${bad} at index 2 [1, 0] (of 4 elements); the step was refused and nothing was updated`);
        expect((err as NonFiniteError).node).toBe('fc1/W');
        expect(snapshot(opt, [a, b])).toBe(before);
        expect(opt.stepCount).toBe(1);
      });
    }

    test(`${rule}: nonFinite 'skip' skips the step, reports it, and changes nothing`, () => {
      const a = param([1, 2, 3]);
      const opt = make([a]);
      const skipping = new (opt.constructor as new (p: Parameter[], o: object) => Optimizer)([a], { ...opt.hyperparameters, nonFinite: 'skip' });
      a.grad.data.set([0.1, NaN, 0.3]);
      const before = snapshot(skipping, [a]);
      expect(skipping.step()).toBe(false);
      expect(skipping.skippedSteps).toBe(1);
      expect(skipping.lastSkip).toEqual({ param: 0, label: "parameter 0 'p'", index: 1, value: NaN });
      expect(snapshot(skipping, [a])).toBe(before);
      a.grad.data.set([0.1, 0.2, 0.3]);
      expect(skipping.step()).toBe(true);
      expect(skipping.stepCount).toBe(1);
    });
  }

  test('finite gradients whose sum overflows (the fast screen says "maybe") are applied, not refused', () => {
    const a = param([0, 0, 0]);
    const opt = new SGD([a], { lr: 1e-300 });
    a.grad.data.set([1.5e308, 1.5e308, -1]);
    expect(opt.step()).toBe(true);
    expect(Array.from(a.value.data)).toEqual([-1.5e8, -1.5e8, 1e-300]);
  });

  test('x^0.5 at x = 0: a finite loss with an infinite gradient is refused at the step that would apply it', () => {
    const graph = new ComputationalGraph();
    const w = graph.parameter('w', Tensor.from([0, 1]));
    graph.gate(MeanGate, [graph.gate(PowGate, [w], { options: { p: 0.5 } })]);
    const opt = new SGD(graph.parameters(), { lr: 0.1 });
    expect(graph.forward().data[0]).toBe(0.5);
    graph.backward();
    expect(() => opt.step()).toThrow(/SGD.step: parameter 0 'w' gradient holds Infinity at index 0/);
    expect(Array.from((w.value as Tensor).data)).toEqual([0, 1]);
  });
});

describe('clipGradNorm never passes over a non-finite norm', () => {
  test('NaN and Infinity gradients throw by default, gradients unchanged', () => {
    const a = param([1, 2]);
    a.grad.data.set([3, NaN]);
    expect(() => clipGradNorm([a], 1)).toThrow(/clipGradNorm: parameter 0 'p' gradient holds NaN at index 1/);
    a.grad.data.set([Infinity, 1]);
    expect(() => clipGradNorm([a], 1)).toThrow(NonFiniteError);
    expect(Array.from(a.grad.data)).toEqual([Infinity, 1]);
  });

  test("'skip' returns the norm and leaves the gradients for a skipping optimizer", () => {
    const a = param([1, 2]);
    a.grad.data.set([3, NaN]);
    expect(clipGradNorm([a], 1, { nonFinite: 'skip' })).toBeNaN();
    a.grad.data.set([-Infinity, 1]);
    expect(clipGradNorm([a], 1, { nonFinite: 'skip' })).toBe(Infinity);
    expect(Array.from(a.grad.data)).toEqual([-Infinity, 1]);
  });

  test('finite gradients whose squares overflow get their true norm and are clipped, not zeroed', () => {
    const a = param([1, 2]);
    a.grad.data.set([3e200, 4e200]);
    expect(gradNorm([a])).toBeCloseTo(5e200, -195);
    expect(clipGradNorm([a], 1)).toBeCloseTo(5e200, -195);
    expect(a.grad.data[0]).toBeCloseTo(0.6, 10);
    expect(a.grad.data[1]).toBeCloseTo(0.8, 10);
    const b = param([1, 2]);
    b.grad.data.set([1.7e308, 1.7e308]); // the norm itself is beyond double range
    expect(clipGradNorm([b], 2)).toBe(Infinity);
    expect(b.grad.data[0]).toBeCloseTo(Math.SQRT2, 5);
  });
});

/** √(x ⊙ W) with its own parameter W: finite at x = 0, where W's gradient is 0·∞ = NaN. */
class SqrtScale extends CompositeGate {
  readonly arity = 1;
  protected build(g: ComputationalGraph, [x]: GraphNode[]): GraphNode {
    const W = g.parameter('W', Tensor.from([1, 1]));
    return g.gate(PowGate, [g.gate(MultiplyGate, [x, W], { name: 'xW' })], { name: 'root', options: { p: 0.5 } });
  }
}

describe('the Trainer names the epoch, the batch and the parameter', () => {
  function net(nonFinite?: 'skip') {
    const graph = new ComputationalGraph(createGatesContainer());
    graph.input('x', { shape: [null, 2], requiresGrad: false });
    graph.input('y', { requiresGrad: false });
    const h = graph.gate(SqrtScale, ['x'], { name: 'fc1' });
    const scores = graph.gate(Linear, [h], { name: 'fc2', options: { inFeatures: 2, outFeatures: 3, seed: 1 } });
    graph.gate(SoftmaxCrossEntropyGate, [scores, 'y'], { name: 'loss' });
    const opt = new Adam(graph.parameters(), { lr: 0.01, nonFinite });
    return { graph, opt, trainer: new Trainer({ graph, optimizer: opt, features: 'x', labels: 'y', scores, batchSize: 2, shuffle: false }) };
  }
  // batch 1 (rows 2 and 3) holds a 0: a finite loss whose gradient for fc1/W is NaN
  const data = { features: new Float64Array([1, 2, 3, 4, 0, 1, 5, 6]), labels: [0, 1, 2, 0] };
  const withoutGrads = (opt: Optimizer) => JSON.stringify({ values: bits(opt.params), state: opt.state() });

  test('a non-finite gradient at batch 1 throws with epoch, batch and fc1/W; nothing updated', () => {
    const { opt, trainer } = net();
    let err: unknown;
    let before = '';
    try {
      trainer.fit(data, { epochs: 1, onStep: () => (before = withoutGrads(opt)) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NonFiniteError);
    expect((err as Error).message).toBe(
      "Trainer.fit: epoch 0, batch 1: Adam.step: parameter 0 'fc1/W' gradient holds NaN at index 0 (of 2 elements); the step was refused and nothing was updated (lower the learning rate, clip the gradients, or pass nonFinite: 'skip')",
    );
    expect((err as NonFiniteError).node).toBe('fc1/W');
    expect(withoutGrads(opt)).toBe(before);
  });

  test('with clipNorm the clip refuses it first, with the same place', () => {
    const { graph, opt } = net();
    const trainer = new Trainer({ graph, optimizer: opt, features: 'x', labels: 'y', batchSize: 2, shuffle: false, clipNorm: 1 });
    expect(() => trainer.fit(data, { epochs: 1 })).toThrow(/^Trainer.fit: epoch 0, batch 1: clipGradNorm: parameter 0 'fc1\/W' gradient holds NaN at index 0/);
  });

  test("with nonFinite 'skip' the batch is skipped and reported, the others train", () => {
    const { opt, trainer } = net('skip');
    const skipped: boolean[] = [];
    const result = trainer.fit(data, { epochs: 2, onStep: (s) => skipped.push(s.skipped) });
    expect(skipped).toEqual([false, true, false, true]);
    expect(result.history.map((h) => h.skippedSteps)).toEqual([1, 1]);
    expect(Number.isFinite(result.history[1].loss)).toBe(true);
    expect(opt.stepCount).toBe(2);
    expect(opt.skippedSteps).toBe(2);
    for (const p of opt.params) expect((p.value as Tensor).isFinite()).toBe(true);
  });
});

describe('loadState refuses slots that would poison the next step, and changes nothing', () => {
  function trained(make: (p: Parameter[]) => Optimizer) {
    const a = param([1, 2, 3]);
    const opt = make([a]);
    a.grad.data.set([0.1, -0.2, 0.3]);
    opt.step();
    return { a, opt };
  }
  const cases: [string, (p: Parameter[]) => Optimizer, string, number, RegExp][] = [
    ['Adam m NaN', (p) => new Adam(p), 'm', NaN, /Adam.loadState: parameter 0 'p' slot 'm': element 1 is NaN, expected a finite float64 number/],
    ['Adam v negative', (p) => new Adam(p), 'v', -1e-3, /Adam.loadState: parameter 0 'p' slot 'v': element 1 is -0.001, expected a number >= 0 \(a second moment\)/],
    ['RMSProp square negative', (p) => new RMSProp(p), 'square', -1, /slot 'square': element 1 is -1, expected a number >= 0/],
    ['Adagrad sum Infinity', (p) => new Adagrad(p), 'sum', Infinity, /slot 'sum': element 1 is Infinity, expected a finite/],
    ['SGD velocity NaN', (p) => new SGD(p, { momentum: 0.9 }), 'velocity', NaN, /slot 'velocity': element 1 is NaN/],
  ];
  for (const [what, make, slot, value, message] of cases) {
    test(what, () => {
      const { a, opt } = trained(make);
      const state = opt.state();
      state.params[0].slots[slot][1] = value;
      const before = snapshot(opt, [a]);
      expect(() => opt.loadState(state)).toThrow(message);
      expect(() => opt.loadState(state)).toThrow(ChainruleError);
      expect(snapshot(opt, [a])).toBe(before);
    });
  }

  test('a float32 slot value beyond float32 range is refused (it would become Infinity)', () => {
    const a = param([1, 2], 'float32');
    const opt = new Adam([a]);
    const state = opt.state();
    state.params[0].slots.m[0] = 1e39;
    expect(() => opt.loadState(state)).toThrow(/slot 'm': element 0 is 1e\+39, expected a finite float32 number/);
  });

  test('eps 0 in a loaded state is refused like at construction', () => {
    const { opt } = trained((p) => new Adam(p));
    const state = opt.state();
    state.hyperparameters.eps = 0;
    expect(() => opt.loadState(state)).toThrow(InvalidArgumentError);
    expect(opt.hyperparameters.eps).toBe(1e-8);
  });
});
