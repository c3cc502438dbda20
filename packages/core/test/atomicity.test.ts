// Nothing half-updated: a forward, backward or optimizer step that throws leaves every parameter
// value, gradient and optimizer state as it was before the call.
import 'reflect-metadata';
import {
  ChainruleError,
  CompositeGate,
  ComputationalGraph,
  createContainer,
  Gate,
  GraphNode,
  namedParameters,
  Random,
  Tensor,
} from '@chainrule/core';
import { AddGate, MultiplyGate, ReciprocalGate, SigmoidGate, TanhGate } from '@chainrule/gates';
import * as optim from '@chainrule/optim';
import { injectable } from 'inversify';

/** y = tanh(x * W + b) with its own parameters: a composite whose backward runs before the rogue gate's. */
@injectable()
class Affine extends CompositeGate {
  readonly arity = 1;
  protected build(g: ComputationalGraph, [x]: GraphNode[]): GraphNode {
    const rng = new Random(5);
    const w = g.parameter('W', rng.randn([3]));
    const b = g.parameter('b', rng.randn([3]));
    return g.gate(TanhGate, [g.gate(AddGate, [g.gate(MultiplyGate, [x, w]), b])]);
  }
}

type Mode = 'ok' | 'throw' | 'count' | 'shape' | 'dtype' | 'mutate' | 'nan';

/** Identity in forward; its backward misbehaves as `mode` says. */
@injectable()
class Rogue implements Gate {
  static mode: Mode = 'ok';
  private grads: Tensor[] = [];
  forward(...inputs: Tensor[]): Tensor {
    return inputs[0].clone();
  }
  backward(dout: Tensor): Tensor[] {
    switch (Rogue.mode) {
      case 'throw':
        throw new Error('rogue failure');
      case 'count':
        return [dout.clone(), dout.clone()];
      case 'shape':
        return [Tensor.zeros([7])];
      case 'dtype':
        return [dout.astype('float32')];
      case 'mutate':
        dout.data.fill(123);
        return [dout.clone()];
      case 'nan':
        return [Tensor.full(dout.shape, NaN)];
      default:
        this.grads[0] = dout.clone();
        return this.grads;
    }
  }
}

/**
 * x [2,3] ── * p ── Rogue ── Affine(W, b) ── * q ── out [2,3]
 *                      └──── 1/(·) ───────────────┘ (fan-out)
 * Backward reaches Affine (committing nothing yet) before Rogue.
 */
function build(): ComputationalGraph {
  const g = new ComputationalGraph(createContainer(), { finiteCheck: true, strictGates: true });
  const x = g.input('x', { shape: [null, 3] });
  const p = g.parameter('p', Tensor.from([1.5, -0.5, 2]));
  const q = g.parameter('q', Tensor.from([[0.3, 0.2, -0.1]]));
  const r = g.gate(Rogue, [g.gate(MultiplyGate, [x, p], { name: 'xp' })], { name: 'rogue' });
  const a = g.gate(Affine, [r], { name: 'layer' });
  const inv = g.gate(ReciprocalGate, [r], { name: 'inv' });
  g.gate(MultiplyGate, [g.gate(AddGate, [a, inv], { name: 'sum' }), q], { name: 'out' });
  return g;
}

const X = [[0.5, 1, -1.5], [2, -0.25, 1]];
const seed = Tensor.ones([2, 3]);

type Snapshot = Map<string, { value: number[]; grad: number[] | undefined }>;
function snapshot(g: ComputationalGraph): Snapshot {
  const s: Snapshot = new Map();
  for (const [name, n] of namedParameters(g)) s.set(name, { value: Array.from(n.value!.data), grad: n.grad && Array.from(n.grad.data) });
  // Inputs' gradients too: nothing the user can read may change.
  for (const n of g.inputs) s.set(`input ${n.name}`, { value: [], grad: n.grad && Array.from(n.grad.data) });
  return s;
}

/** A graph after one good forward/backward, so every gradient exists. */
function trained(): ComputationalGraph {
  Rogue.mode = 'ok';
  const g = build();
  g.forward({ x: X });
  g.backward({ seed });
  return g;
}

function expectUnchanged(g: ComputationalGraph, f: () => unknown): void {
  const before = snapshot(g);
  expect(f).toThrow(ChainruleError);
  expect(snapshot(g)).toEqual(before);
}

describe('a forward that throws changes no parameter and no gradient', () => {
  const cases: [string, () => Record<string, unknown>][] = [
    ['missing feed', () => ({})],
    ['unknown feed', () => ({ x: X, y: 1 })],
    ['wrong shape', () => ({ x: [[1, 2]] })],
    ['ragged', () => ({ x: [[1, 2, 3], [1]] })],
    ['non-finite feed', () => ({ x: [[NaN, 1, 1], [1, 1, 1]] })],
    ['non-finite produced by a gate (1/0)', () => ({ x: [[0, 1, 1], [1, 1, 1]] })],
  ];
  test.each(cases)('%s', (_name, feeds) => {
    const g = trained();
    expectUnchanged(g, () => g.forward(feeds() as never));
    // and the graph still works
    g.forward({ x: X });
    g.backward({ seed });
  });
});

describe('a backward that throws changes no gradient (accumulating or not)', () => {
  const modes: Mode[] = ['throw', 'count', 'shape', 'dtype', 'mutate', 'nan'];
  test.each(modes.flatMap((m) => [[m, false], [m, true]] as [Mode, boolean][]))("rogue gate '%s', accumulate %s", (mode, accumulate) => {
    const g = trained();
    g.forward({ x: [[1, 2, 3], [0.5, 0.5, 0.5]] });
    Rogue.mode = mode;
    expectUnchanged(g, () => g.backward({ seed, accumulate }));
    // A good pass afterwards gives what a graph that never failed gives.
    Rogue.mode = 'ok';
    const h = trained();
    h.forward({ x: [[1, 2, 3], [0.5, 0.5, 0.5]] });
    h.backward({ seed, accumulate });
    g.backward({ seed, accumulate });
    expect(snapshot(g)).toEqual(snapshot(h));
  });

  test('bad seed, and backward before forward', () => {
    const g = trained();
    expectUnchanged(g, () => g.backward({ seed: Tensor.ones([3]) }));
    expectUnchanged(g, () => g.backward());
    // A forward that fails validating its feeds changes nothing, so backward still differentiates the last good one.
    expectUnchanged(g, () => g.forward({ x: [[1]] }));
    expect(() => g.backward({ seed })).not.toThrow();
    // One that fails in a gate leaves no forward to differentiate.
    expectUnchanged(g, () => g.forward({ x: [[0, 1, 1]] }));
    expectUnchanged(g, () => g.backward({ seed }));
  });

  test("gradient accumulation reaches a composite gate's own parameters", () => {
    const once = trained();
    const twice = trained();
    twice.forward({ x: X });
    twice.backward({ seed, accumulate: true });
    for (const [name, n] of namedParameters(twice)) {
      const single = namedParameters(once).get(name)!.grad!.data;
      Array.from(n.grad!.data).forEach((v, i) => expect(v).toBeCloseTo(2 * single[i], 12));
    }
  });

  test("zeroGrad reaches a composite gate's own parameters", () => {
    const g = trained();
    g.zeroGrad();
    for (const n of namedParameters(g).values()) expect(Array.from(n.grad!.data).every((v) => v === 0)).toBe(true);
  });
});

describe('composites inside composites', () => {
  /** Affine applied twice, inside one composite: parameters two levels down (`outer/first/W`). */
  @injectable()
  class TwoAffine extends CompositeGate {
    readonly arity = 1;
    protected build(g: ComputationalGraph, [x]: GraphNode[]): GraphNode {
      return g.gate(Affine, [g.gate(Affine, [x], { name: 'first' })], { name: 'second' });
    }
  }
  const make = (): ComputationalGraph => {
    const g = new ComputationalGraph(createContainer());
    const r = g.gate(Rogue, [g.input('x')], { name: 'rogue' });
    g.gate(TwoAffine, [r], { name: 'outer' });
    return g;
  };
  test('a failure below them changes none of their gradients; accumulation and zeroGrad reach them', () => {
    Rogue.mode = 'ok';
    const g = make();
    expect([...namedParameters(g).keys()]).toEqual(['outer/first/W', 'outer/first/b', 'outer/second/W', 'outer/second/b']);
    g.forward({ x: [0.1, 0.2, 0.3] });
    g.backward({ seed: Tensor.ones([3]) });
    const once = snapshot(g);
    g.forward({ x: [1, -2, 3] });
    for (const mode of ['throw', 'shape', 'count', 'dtype'] as Mode[]) {
      Rogue.mode = mode;
      expectUnchanged(g, () => g.backward({ seed: Tensor.ones([3]) }));
    }
    Rogue.mode = 'ok';
    g.forward({ x: [0.1, 0.2, 0.3] });
    g.backward({ seed: Tensor.ones([3]), accumulate: true });
    for (const [name, v] of snapshot(g)) v.grad?.forEach((x, i) => expect(x).toBeCloseTo(2 * once.get(name)!.grad![i], 12));
    g.zeroGrad();
    for (const n of namedParameters(g).values()) expect(Array.from(n.grad!.data).every((v) => v === 0)).toBe(true);
  });
});

describe('an optimizer step that throws changes no value and no state', () => {
  const optimizers = Object.entries(optim).filter(
    ([name, v]) => typeof v === 'function' && v.prototype instanceof optim.Optimizer && !name.startsWith('Abstract'),
  ) as [string, new (params: readonly optim.Parameter[], options?: Record<string, unknown>) => optim.Optimizer][];
  const optionsFor = (name: string): Record<string, unknown> => (name === 'SGD' ? { lr: 0.1, momentum: 0.9 } : { lr: 0.01 });

  test('optimizers are enumerated', () => {
    expect(optimizers.map(([n]) => n)).toEqual(expect.arrayContaining(['SGD', 'Adam']));
  });

  test.each(optimizers.map(([n]) => n))('%s', (name) => {
    const Ctor = optimizers.find(([n]) => n === name)![1];
    const g = trained();
    const params = g.parameters();
    const opt = new Ctor(params, optionsFor(name));
    for (let i = 0; i < 3; i++) {
      g.forward({ x: X });
      g.backward({ seed });
      opt.step();
    }
    const check = (f: () => void): void => {
      const values = snapshot(g);
      const state = JSON.stringify(opt.state());
      expect(f).toThrow(ChainruleError);
      expect(snapshot(g)).toEqual(values);
      expect(JSON.stringify(opt.state())).toBe(state);
    };
    // A gradient of the wrong shape on the last parameter: the first ones must not move either.
    const last = params[params.length - 1];
    const goodGrad = last.grad;
    last.grad = Tensor.zeros([9]);
    check(() => opt.step());
    // No gradient at all.
    last.grad = undefined;
    check(() => opt.step());
    last.grad = goodGrad;
    // A bad learning rate, a state of the wrong kind or size.
    check(() => {
      opt.lr = -1;
    });
    const st = opt.state();
    check(() => opt.loadState({ ...st, type: 'Other' }));
    check(() => opt.loadState({ ...st, params: st.params.slice(1) }));
    if (st.params[0] && Object.keys(st.params[0].slots).length > 0) {
      const bad = JSON.parse(JSON.stringify(st));
      const lastSlots = bad.params[bad.params.length - 1].slots;
      const k = Object.keys(lastSlots)[0];
      lastSlots[k] = lastSlots[k].slice(1);
      check(() => opt.loadState(bad));
    }
    // And a good step still works.
    opt.step();
  });
});
