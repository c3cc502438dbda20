import { DType, InvalidArgumentError, Random, ShapeError, Tensor } from '@chainrule/core';
import { Adam, CosineAnnealing, LinearWarmup, Optimizer, OptimizerState, Scheduler, SGD } from '@chainrule/optim';
import { bits, Make, param, RULES } from './helpers';

/** Gradients that depend on the values (so a wrong restore shows): g = θ³ − θ + noise, seeded. */
function fillGrads(params: { value: Tensor; grad: Tensor }[], rng: Random): void {
  for (const p of params) {
    const x = p.value.data;
    const g = p.grad.data;
    for (let i = 0; i < x.length; i++) g[i] = x[i] * x[i] * x[i] - x[i] + 0.1 * rng.normal();
  }
}

function makeParams(dtype: DType) {
  const rng = new Random(7);
  return [param([[0.3, -1.2, 2.0], [0.7, 0.1, -0.4]], dtype), param([1.5, -0.25], dtype), param([0.9], dtype)].map((p, i) => {
    p.value.data.set(rng.randn(p.value.shape).data);
    (p as { name: string }).name = `p${i}`;
    return p;
  });
}

function train(params: ReturnType<typeof makeParams>, opt: Optimizer, rng: Random, steps: number, scheduler?: Scheduler): void {
  for (let s = 0; s < steps; s++) {
    fillGrads(params, rng);
    opt.step();
    scheduler?.step();
  }
}

describe('state(): train → save → restore into a fresh optimizer → continue is bitwise identical', () => {
  for (const [name, make] of Object.entries(RULES)) {
    for (const dtype of ['float64', 'float32'] as const) {
      test(`${name}, ${dtype}`, () => {
        // Uninterrupted: 25 steps.
        const a = makeParams(dtype);
        const rngA = new Random(1);
        train(a, make(a), rngA, 25);

        // Interrupted after 10: the state goes through JSON, into new parameters and a new optimizer.
        const b = makeParams(dtype);
        const rngB = new Random(1);
        const first = make(b);
        train(b, first, rngB, 10);
        const saved = JSON.stringify({ state: first.state(), values: b.map((p) => Array.from(p.value.data)) });
        const rngState = JSON.parse(JSON.stringify(rngB.getState()));

        const restored = JSON.parse(saved) as { state: OptimizerState; values: number[][] };
        const c = makeParams(dtype);
        c.forEach((p, i) => p.value.data.set(restored.values[i]));
        const second = make(c);
        second.loadState(restored.state);
        expect(second.stepCount).toBe(10);
        expect(second.state()).toEqual(first.state());
        const rngC = new Random(0);
        rngC.setState(rngState);
        train(c, second, rngC, 15);

        expect(bits(c)).toEqual(bits(a));
        expect(second.stepCount).toBe(25);
      });
    }
  }

  test('with a schedule: the optimizer state carries lr, the scheduler state carries t', () => {
    const schedule = () => new LinearWarmup({ lr: 0.05, steps: 5, then: new CosineAnnealing({ lr: 0.05, period: 20, min: 0.001 }) });
    const a = makeParams('float32');
    const optA = new Adam(a);
    const rngA = new Random(3);
    train(a, optA, rngA, 30, new Scheduler(optA, schedule()));

    const b = makeParams('float32');
    const optB = new Adam(b);
    const schedB = new Scheduler(optB, schedule());
    const rngB = new Random(3);
    train(b, optB, rngB, 12, schedB);
    const saved = JSON.parse(JSON.stringify({ opt: optB.state(), sched: schedB.state(), values: b.map((p) => Array.from(p.value.data)) }));
    const rngState = rngB.getState();

    const c = makeParams('float32');
    c.forEach((p, i) => p.value.data.set(saved.values[i]));
    const optC = new Adam(c);
    const schedC = new Scheduler(optC, schedule());
    optC.loadState(saved.opt);
    schedC.loadState(saved.sched);
    expect(optC.lr).toBe(optB.lr);
    const rngC = new Random(0);
    rngC.setState(rngState);
    train(c, optC, rngC, 18, schedC);
    expect(bits(c)).toEqual(bits(a));
  });

  test('the state is plain JSON with the documented layout', () => {
    const p = param([1, 2]);
    const opt = new Adam([p], { lr: 0.1 });
    p.grad.data.set([0.5, -0.5]);
    opt.step();
    const s = opt.state();
    expect(s).toEqual({
      type: 'Adam',
      step: 1,
      hyperparameters: { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 },
      params: [{ shape: [2], dtype: 'float64', slots: { m: [expect.any(Number), expect.any(Number)], v: [expect.any(Number), expect.any(Number)] } }],
    });
    expect(s.params[0].slots.m[0]).toBeCloseTo(0.05, 15);
    expect(s.params[0].slots.v[0]).toBeCloseTo(0.00025, 15);
    expect(new SGD([param([1])]).state().params[0].slots).toEqual({});
    expect(new SGD([param([1])], { momentum: 0.9 }).state().params[0].slots).toEqual({ velocity: [0] });
  });
});

describe('loadState validates everything before changing anything', () => {
  const trained = (make: Make = RULES.Adam) => {
    const ps = [param([1, 2, 3]), param([[1, 2], [3, 4]])];
    const opt = make(ps);
    ps.forEach((p) => p.grad.data.fill(0.5));
    opt.step();
    opt.step();
    return { ps, opt };
  };
  const cases: [string, (s: OptimizerState) => unknown, RegExp, new (...a: never[]) => Error][] = [
    ['another optimizer', (s) => ({ ...s, type: 'SGD' }), /Adam.loadState: the state is from 'SGD', expected 'Adam'/, InvalidArgumentError],
    ['one parameter fewer', (s) => ({ ...s, params: s.params.slice(1) }), /Adam.loadState: the state holds 1 parameters, this optimizer has 2/, InvalidArgumentError],
    [
      'a wrong shape',
      (s) => ({ ...s, params: [s.params[0], { ...s.params[1], shape: [4] }] }),
      /Adam.loadState: parameter 1 'p' has shape \[2, 2\], the state has \[4\]/,
      ShapeError,
    ],
    ['a wrong dtype', (s) => ({ ...s, params: [{ ...s.params[0], dtype: 'float32' }, s.params[1]] }), /parameter 0 'p' is float64, the state has 'float32'/, InvalidArgumentError],
    [
      'a short buffer',
      (s) => ({ ...s, params: [{ ...s.params[0], slots: { ...s.params[0].slots, v: [1, 2] } }, s.params[1]] }),
      /parameter 0 'p' slot 'v' must hold 3 numbers, got 2/,
      ShapeError,
    ],
    ['a missing slot', (s) => ({ ...s, params: [{ ...s.params[0], slots: { m: [0, 0, 0] } }, s.params[1]] }), /has state slots \[m, v\], the state has \[m\]/, InvalidArgumentError],
    ['a bad hyperparameter', (s) => ({ ...s, hyperparameters: { ...s.hyperparameters, beta1: 1.5 } }), /Adam.loadState: hyperparameter 'beta1' must be a number in \[0, 1\), got 1.5/, InvalidArgumentError],
    ['an unknown hyperparameter', (s) => ({ ...s, hyperparameters: { ...s.hyperparameters, momentum: 0.9 } }), /unknown hyperparameter 'momentum'/, InvalidArgumentError],
    ['a negative step', (s) => ({ ...s, step: -1 }), /step must be an integer >= 0, got -1/, InvalidArgumentError],
    ['not a state', () => null, /expected an OptimizerState object/, InvalidArgumentError],
  ];
  for (const [what, corrupt, message, kind] of cases) {
    test(what, () => {
      const { opt } = trained();
      const before = opt.state();
      const fresh = trained().opt;
      fresh.lr = 0.123;
      const freshBefore = fresh.state();
      let err: unknown;
      try {
        fresh.loadState(corrupt(JSON.parse(JSON.stringify(before))) as OptimizerState);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(kind);
      expect((err as Error).message).toMatch(message);
      expect(fresh.state()).toEqual(freshBefore);
    });
  }

  test('a state restores the hyperparameters, lr included', () => {
    const { opt } = trained(RULES.RMSProp);
    opt.lr = 0.0042;
    const other = trained((p) => new (opt.constructor as typeof SGD)(p, {})).opt;
    other.loadState(opt.state());
    expect(other.lr).toBe(0.0042);
    expect(other.hyperparameters).toEqual(opt.hyperparameters);
  });

  test('SGD made without momentum refuses a state with momentum (it has no velocity buffers)', () => {
    const withMomentum = trained((p) => new SGD(p, { momentum: 0.9 })).opt;
    const plain = trained((p) => new SGD(p)).opt;
    expect(() => plain.loadState(withMomentum.state())).toThrow(InvalidArgumentError);
  });
});
