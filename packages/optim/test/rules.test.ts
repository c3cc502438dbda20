import 'reflect-metadata';
import { ChainruleError, ComputationalGraph, DType, InvalidArgumentError, ShapeError, Tensor, TypedArray } from '@chainrule/core';
import { MultiplyGate } from '@chainrule/gates';
import { Adagrad, Adam, AdamW, nonNegative, Optimizer, Parameter, RMSProp, SGD } from '@chainrule/optim';
import { EXPECTED, GRADS, THETA0 } from './expected-values';
import { param, RULES } from './helpers';

/** Each EXPECTED key and the optimizer it describes. */
const CASES: Record<keyof typeof EXPECTED & string, (p: Parameter[]) => Optimizer> = {
  'SGD lr=0.1': (p) => new SGD(p, { lr: 0.1 }),
  'SGD lr=0.1 momentum=0.9': (p) => new SGD(p, { lr: 0.1, momentum: 0.9 }),
  'SGD lr=0.1 momentum=0.9 nesterov': (p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true }),
  'SGD lr=0.1 momentum=0.5 weightDecay=0.2': (p) => new SGD(p, { lr: 0.1, momentum: 0.5, weightDecay: 0.2 }),
  'Adagrad lr=0.1': (p) => new Adagrad(p, { lr: 0.1 }),
  'Adagrad lr=0.1 weightDecay=0.2': (p) => new Adagrad(p, { lr: 0.1, weightDecay: 0.2 }),
  'RMSProp lr=0.01 decay=0.9': (p) => new RMSProp(p, { lr: 0.01, decay: 0.9 }),
  'RMSProp lr=0.01 weightDecay=0.2': (p) => new RMSProp(p, { lr: 0.01, weightDecay: 0.2 }),
  'Adam lr=0.1': (p) => new Adam(p, { lr: 0.1 }),
  'Adam lr=0.1 beta1=0.8 beta2=0.99 weightDecay=0.2': (p) => new Adam(p, { lr: 0.1, beta1: 0.8, beta2: 0.99, weightDecay: 0.2 }),
  'AdamW lr=0.1 weightDecay=0.2': (p) => new AdamW(p, { lr: 0.1, weightDecay: 0.2 }),
  'AdamW lr=0.1 weightDecay=0': (p) => new AdamW(p, { lr: 0.1, weightDecay: 0 }),
};

function runSteps(make: (p: Parameter[]) => Optimizer, dtype: DType): number[][] {
  const p = param(THETA0, dtype);
  const opt = make([p]);
  const out: number[][] = [];
  for (const g of GRADS) {
    p.grad.data.set(g);
    opt.step();
    out.push(Array.from(p.value.data));
  }
  return out;
}

describe('update rules against values computed by hand (4 steps each)', () => {
  test('the first steps, worked by hand', () => {
    // SGD: θ − η·g = 1 − 0.1·0.5 = 0.95.  Momentum step 2: v = 0.9·0.5 + 0.1 = 0.55, θ = 0.95 − 0.1·0.55 = 0.895.
    expect(EXPECTED['SGD lr=0.1'][0][0]).toBe(0.95);
    expect(EXPECTED['SGD lr=0.1 momentum=0.9'][1][0]).toBeCloseTo(0.895, 15);
    // Adam step 1: m̂ = g and v̂ = g², so θ moves by η·g/(|g| + ε) ≈ η: 1 → 0.9.
    expect(EXPECTED['Adam lr=0.1'][0][0]).toBeCloseTo(0.9, 8);
    // Nesterov step 1: v = g = 0.5, θ = 1 − 0.1·(0.5 + 0.9·0.5) = 0.905.
    expect(EXPECTED['SGD lr=0.1 momentum=0.9 nesterov'][0][0]).toBeCloseTo(0.905, 15);
  });

  for (const [name, make] of Object.entries(CASES)) {
    test(`${name}, float64`, () => {
      const got = runSteps(make, 'float64');
      got.forEach((row, s) => row.forEach((v, i) => expect(v).toBeCloseTo(EXPECTED[name][s][i], 12)));
    });
    test(`${name}, float32`, () => {
      const got = runSteps(make, 'float32');
      got.forEach((row, s) =>
        row.forEach((v, i) => {
          const want = EXPECTED[name][s][i];
          expect(Math.abs(v - want)).toBeLessThanOrEqual(2e-6 * Math.max(1, Math.abs(want)));
          expect(v).toBe(Math.fround(v)); // stored as float32
        }),
      );
    });
  }

  test('every rule updates graph parameter nodes in place and reads node.grad afresh each step', () => {
    for (const [name, make] of Object.entries(RULES)) {
      // loss = sum(w * x): dL/dw = x, whichever of the graph's two gradient buffers holds it.
      const g = new ComputationalGraph();
      const x = g.constant('x', Tensor.from([1, -2]));
      const w = g.parameter('w', Tensor.from([0.5, 0.5]));
      const opt = make(g.parameters());
      const data = w.value!.data;
      const grads: Tensor[] = [];
      for (let s = 0; s < 3; s++) {
        // A hand-written gradient, swapped between two buffers as the graph does.
        const buf = grads[s % 2] ?? (grads[s % 2] = Tensor.zeros([2]));
        buf.data.set((x.value as Tensor).data);
        w.grad = buf;
        const before = Array.from(data);
        opt.step();
        expect(w.value!.data).toBe(data); // same buffer
        expect(data[0]).toBeLessThan(before[0]); // moved against +1
        expect(data[1]).toBeGreaterThan(before[1]); // moved against -2
      }
      expect(opt.stepCount).toBe(3);
      expect(name).toBeTruthy();
    }
  });
});

describe('construction checks', () => {
  const p = () => [param([1, 2])];
  const bad: [string, () => unknown, RegExp][] = [
    ['negative lr', () => new SGD(p(), { lr: -0.1 }), /SGD: hyperparameter 'lr' must be a finite number >= 0, got -0.1/],
    ['NaN lr', () => new Adam(p(), { lr: NaN }), /Adam: hyperparameter 'lr' must be a finite number >= 0, got NaN/],
    ['momentum 1', () => new SGD(p(), { momentum: 1 }), /SGD: hyperparameter 'momentum' must be a number in \[0, 1\), got 1/],
    ['Nesterov without momentum', () => new SGD(p(), { nesterov: true }), /SGD: hyperparameter 'nesterov' needs 'momentum' > 0/],
    ['beta1 = 1', () => new Adam(p(), { beta1: 1 }), /Adam: hyperparameter 'beta1' must be a number in \[0, 1\), got 1/],
    ['beta2 < 0', () => new AdamW(p(), { beta2: -0.5 }), /AdamW: hyperparameter 'beta2' must be a number in \[0, 1\), got -0.5/],
    ['negative eps', () => new RMSProp(p(), { eps: -1e-8 }), /RMSProp: hyperparameter 'eps' must be a finite number > 0, got -1e-8/],
    ['eps 0 (Adam)', () => new Adam(p(), { eps: 0 }), /Adam: hyperparameter 'eps' must be a finite number > 0, got 0/],
    ['eps 0 (AdamW)', () => new AdamW(p(), { eps: 0 }), /AdamW: hyperparameter 'eps' must be a finite number > 0, got 0/],
    ['eps 0 (Adagrad)', () => new Adagrad(p(), { eps: 0 }), /Adagrad: hyperparameter 'eps' must be a finite number > 0, got 0/],
    ['eps 0 (RMSProp)', () => new RMSProp(p(), { eps: 0 }), /RMSProp: hyperparameter 'eps' must be a finite number > 0, got 0/],
    ['Infinity eps', () => new Adam(p(), { eps: Infinity }), /Adam: hyperparameter 'eps' must be a finite number > 0, got Infinity/],
    ['an unknown nonFinite policy', () => new SGD(p(), { nonFinite: 'ignore' } as never), /SGD: option 'nonFinite' must be one of 'throw', 'skip', got 'ignore'/],
    ['decay 1.5', () => new RMSProp(p(), { decay: 1.5 }), /RMSProp: hyperparameter 'decay' must be a number in \[0, 1\), got 1.5/],
    ['negative weight decay', () => new Adagrad(p(), { weightDecay: -1 }), /Adagrad: hyperparameter 'weightDecay' must be a finite number >= 0, got -1/],
    ['a typo', () => new Adam(p(), { betta1: 0.9 } as never), /Adam: unknown option 'betta1'/],
    ['a string', () => new SGD(p(), { lr: '0.1' } as never), /SGD: hyperparameter 'lr' must be a finite number >= 0, got '0.1'/],
    ['no parameters', () => new SGD([]), /SGD: got no parameters/],
    ['a parameter without value', () => new Adam([{ value: undefined }]), /Adam: parameter 0 has no value tensor/],
    ['the same parameter twice', () => {
      const q = param([1]);
      return new SGD([q, q]);
    }, /SGD: parameter 1 'p' is listed twice/],
  ];
  for (const [what, make, message] of bad) {
    test(what, () => {
      let err: unknown;
      try {
        make();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect(err).toBeInstanceOf(ChainruleError);
      expect((err as Error).message).toMatch(message);
    });
  }

  test('lr is settable and checked', () => {
    const opt = new Adam(p(), { lr: 0.1 });
    opt.lr = 0.05;
    expect(opt.lr).toBe(0.05);
    expect(opt.hyperparameters.lr).toBe(0.05);
    expect(() => (opt.lr = -1)).toThrow(/Adam: hyperparameter 'lr' must be a finite number >= 0, got -1/);
    expect(opt.lr).toBe(0.05);
  });

  test('defaults', () => {
    expect(new SGD(p()).hyperparameters).toEqual({ lr: 0.01, momentum: 0, nesterov: false, weightDecay: 0 });
    expect(new Adam(p()).hyperparameters).toEqual({ lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
    expect(new AdamW(p()).hyperparameters).toEqual({ lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, l2: 0 });
    expect(new RMSProp(p()).hyperparameters).toEqual({ lr: 0.01, decay: 0.99, eps: 1e-8, weightDecay: 0 });
    expect(new Adagrad(p()).hyperparameters).toEqual({ lr: 0.01, eps: 1e-10, weightDecay: 0, initialAccumulator: 0 });
  });
});

describe('a bad step changes nothing', () => {
  for (const [name, make] of Object.entries(RULES)) {
    test(`${name}: a missing or wrong-shaped gradient throws before any parameter moves`, () => {
      const a = param([1, 2, 3]);
      const b = param([[1, 2], [3, 4]]);
      const opt = make([a, b]);
      a.grad.data.set([0.1, 0.2, 0.3]);
      b.grad.data.set([0.1, -0.1, 0.2, -0.2]);
      opt.step();
      const before = opt.state();
      const values = [Array.from(a.value.data), Array.from(b.value.data)];

      // The second parameter's gradient has the wrong shape: the first must not move either.
      const good = b.grad;
      (b as { grad: Tensor }).grad = Tensor.zeros([4]);
      expect(() => opt.step()).toThrow(ShapeError);
      expect(() => opt.step()).toThrow(/parameter 1 'p' gradient has shape \[4\], expected the value's shape \[2, 2\]; nothing was updated/);
      // Missing gradient.
      (b as { grad: Tensor | undefined }).grad = undefined;
      expect(() => opt.step()).toThrow(InvalidArgumentError);
      expect(() => opt.step()).toThrow(/parameter 1 'p' has no gradient \(run backward\(\) before step\(\)\)/);
      expect([Array.from(a.value.data), Array.from(b.value.data)]).toEqual(values);
      expect(opt.state()).toEqual(before);
      expect(opt.stepCount).toBe(1);
      (b as { grad: Tensor }).grad = good;
      opt.step();
      expect(opt.stepCount).toBe(2);
    });
  }

  test('a parameter whose value tensor was replaced by another shape is refused', () => {
    const a = param([1, 2, 3]);
    const opt = new Adam([a]);
    (a as { value: Tensor }).value = Tensor.zeros([2]);
    expect(() => opt.step()).toThrow(/Adam.step: parameter 0 'p' value is \[2\] float64, expected \[3\] float64/);
  });
});

describe('gradients', () => {
  test('zeroGrad sets every gradient to zero', () => {
    const a = param([1, 2]);
    a.grad.data.set([3, 4]);
    const opt = new SGD([a, { value: Tensor.from([1]) }]); // the second has no gradient: left alone
    opt.zeroGrad();
    expect(Array.from(a.grad.data)).toEqual([0, 0]);
  });

  test("the graph's backward() replaces gradients; backward({ accumulate: true }) adds to them", () => {
    // loss = w * x with x = 3: dL/dw = 3 per pass.
    const g = new ComputationalGraph(undefined);
    const x = g.input('x', { requiresGrad: false });
    const w = g.parameter('w', Tensor.from(2));
    g.gate(MultiplyGate, [w, x]);
    const opt = new SGD(g.parameters(), { lr: 0.1 });
    g.forward({ x: 3 });
    g.backward();
    g.forward({ x: 3 });
    g.backward();
    expect(w.grad!.item()).toBe(3); // replaced
    g.forward({ x: 3 });
    g.backward({ accumulate: true });
    expect(w.grad!.item()).toBe(6); // added
    opt.step();
    expect(w.value!.item()).toBeCloseTo(2 - 0.1 * 6, 15);
    opt.zeroGrad();
    expect(w.grad!.item()).toBe(0);
  });
});

describe('a custom rule (the SignSGD of docs/optim.md)', () => {
  /** Sign descent: θ ← θ − η·sign(∇θ). */
  class SignSGD extends Optimizer<{ lr: number }> {
    constructor(params: readonly Parameter[], options: Partial<{ lr: number }> = {}) {
      super(params, { lr: 0.01 }, { lr: nonNegative }, options, []);
    }
    protected update(theta: TypedArray, grad: TypedArray): void {
      for (let i = 0; i < theta.length; i++) theta[i] -= this.lr * Math.sign(grad[i]);
    }
  }

  test('gets validation, lr checks and state from the base class', () => {
    const p = param([1, 1]);
    p.grad.data.set([2, -3]);
    const opt = new SignSGD([p], { lr: 0.5 });
    opt.step();
    expect(Array.from(p.value.data)).toEqual([0.5, 1.5]);
    expect(opt.state()).toEqual({ type: 'SignSGD', step: 1, hyperparameters: { lr: 0.5 }, params: [{ shape: [2], dtype: 'float64', slots: {} }] });
    expect(() => new SignSGD([p], { lr: -1 })).toThrow(/SignSGD: hyperparameter 'lr' must be a finite number >= 0, got -1/);
  });
});
