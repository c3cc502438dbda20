import { InvalidArgumentError, Tensor } from '@chainrule/core';
import {
  ConstantLR,
  CosineAnnealing,
  ExponentialDecay,
  LinearWarmup,
  Scheduler,
  SequentialSchedule,
  SGD,
  StepDecay,
} from '@chainrule/optim';

const values = (s: { at(t: number): number }, n: number) => Array.from({ length: n }, (_, t) => s.at(t));
const close = (got: number[], want: number[]) => got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 14));

describe('schedules', () => {
  test('constant', () => {
    expect(values(new ConstantLR(0.1), 3)).toEqual([0.1, 0.1, 0.1]);
  });

  test('step decay: lr · γ^⌊t/stepSize⌋', () => {
    close(values(new StepDecay({ lr: 1, stepSize: 3, gamma: 0.5 }), 8), [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25]);
    expect(new StepDecay({ lr: 0.1, stepSize: 10 }).at(25)).toBeCloseTo(0.001, 15); // default γ = 0.1
  });

  test('exponential decay: lr · γ^t', () => {
    close(values(new ExponentialDecay({ lr: 2, gamma: 0.5 }), 4), [2, 1, 0.5, 0.25]);
  });

  test('cosine annealing: min + (lr − min)(1 + cos(πt/T))/2, then min', () => {
    const s = new CosineAnnealing({ lr: 1, period: 4, min: 0.2 });
    // cos(0) = 1, cos(π/4) = √2/2, cos(π/2) = 0, cos(3π/4) = −√2/2, cos(π) = −1
    const r = Math.SQRT1_2;
    close(values(s, 7), [1, 0.2 + 0.8 * (1 + r) / 2, 0.6, 0.2 + 0.8 * (1 - r) / 2, 0.2, 0.2, 0.2]);
  });

  test('linear warm-up, alone and followed by cosine', () => {
    close(values(new LinearWarmup({ lr: 0.4, steps: 4 }), 6), [0, 0.1, 0.2, 0.3, 0.4, 0.4]);
    close(values(new LinearWarmup({ lr: 1, steps: 2, startFactor: 0.5 }), 3), [0.5, 0.75, 1]);
    const s = new LinearWarmup({ lr: 1, steps: 2, then: new CosineAnnealing({ lr: 1, period: 2 }) });
    close(values(s, 6), [0, 0.5, 1, 0.5, 0, 0]);
  });

  test('sequential: each schedule starts at its own t = 0', () => {
    const s = new SequentialSchedule([new ConstantLR(0.5), new ExponentialDecay({ lr: 1, gamma: 0.5 }), new ConstantLR(0.01)], [2, 4]);
    close(values(s, 6), [0.5, 0.5, 1, 0.5, 0.01, 0.01]);
  });

  test('bad settings are clear errors', () => {
    expect(() => new StepDecay({ lr: 0.1, stepSize: 0 })).toThrow(/StepDecay: 'stepSize' must be an integer > 0, got 0/);
    expect(() => new ExponentialDecay({ lr: 0.1, gamma: 1.5 })).toThrow(/ExponentialDecay: 'gamma' must be a number in \(0, 1\], got 1.5/);
    expect(() => new CosineAnnealing({ lr: 0.1, period: 10, min: 0.2 })).toThrow(/CosineAnnealing: 'min' must be a number in \[0, lr = 0.1\], got 0.2/);
    expect(() => new LinearWarmup({ lr: -1, steps: 3 })).toThrow(InvalidArgumentError);
    expect(() => new SequentialSchedule([new ConstantLR(1), new ConstantLR(2)], [])).toThrow(/expected 1 boundaries for 2 schedules, got 0/);
    expect(() => new ConstantLR(1).at(-1)).toThrow(/t must be a finite number >= 0, got -1/);
  });
});

describe('Scheduler drives any optimizer', () => {
  test('per step: lr = schedule.at(t) for the (t+1)-th step', () => {
    const p = { value: Tensor.from([0]), grad: Tensor.from([-1]) };
    const opt = new SGD([p], { lr: 123 });
    const sched = new Scheduler(opt, new StepDecay({ lr: 1, stepSize: 2, gamma: 0.1 }));
    expect(opt.lr).toBe(1); // set on construction
    const used: number[] = [];
    for (let i = 0; i < 5; i++) {
      used.push(opt.lr);
      opt.step();
      sched.step();
    }
    close(used, [1, 1, 0.1, 0.1, 0.01]);
    // θ moved by Σ lr · 1
    expect(p.value.data[0]).toBeCloseTo(2.21, 14);
    expect(sched.count).toBe(5);
    expect(sched.state()).toEqual({ t: 5 });
  });

  test('restoring t restores the lr', () => {
    const opt = new SGD([{ value: Tensor.from([0]) }], { lr: 1 });
    const sched = new Scheduler(opt, new ExponentialDecay({ lr: 1, gamma: 0.5 }), { per: 'epoch' });
    sched.loadState({ t: 3 });
    expect(opt.lr).toBe(0.125);
    expect(sched.per).toBe('epoch');
    expect(() => sched.loadState({ t: -2 })).toThrow(/Scheduler.loadState: t must be an integer >= 0, got -2/);
    expect(() => new Scheduler(opt, new ConstantLR(1), { per: 'batch' as never })).toThrow(/'per' must be 'step' or 'epoch'/);
  });
});
