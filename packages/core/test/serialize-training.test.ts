// A saved-then-resumed training run gives the same parameters, bit for bit, as an uninterrupted one:
// graph, parameters (Linear layers' own included) and optimizer state go through saveGraph/loadGraph.
import 'reflect-metadata';
import { ComputationalGraph, loadGraph, namedParameters, parseSaved, Random, saveGraph, Tensor } from '@chainrule/core';
import { createGatesContainer, mlp } from '@chainrule/gates';
import * as optim from '@chainrule/optim';
import { Adam, OptimizerState, Trainer } from '@chainrule/optim';

type OptimizerClass = new (params: readonly optim.Parameter[], options?: Record<string, unknown>) => optim.Optimizer;
const optimizers = Object.entries(optim).filter(([, v]) => typeof v === 'function' && v.prototype instanceof optim.Optimizer) as [string, OptimizerClass][];
const optionsFor = (name: string): Record<string, unknown> => (name === 'SGD' ? { lr: 0.05, momentum: 0.9, nesterov: true } : { lr: 0.01 });

function model(dtype: 'float32' | 'float64'): ComputationalGraph {
  const g = new ComputationalGraph(createGatesContainer());
  g.input('x', { shape: [null, 3], dtype });
  g.input('y', { shape: [null], dtype, requiresGrad: false });
  const scores = mlp(g, 'x', [3, 8, 4], 'TanhGate', { dtype, seed: 11 });
  g.gate('SoftmaxCrossEntropyGate', [scores, 'y'], { name: 'loss' });
  return g;
}

/** The batch of step `step`: a function of the step number only, so a resumed run sees the same data. */
function batch(step: number, dtype: 'float32' | 'float64'): Tensor[] {
  const rng = new Random(500 + step);
  return [rng.randn([6, 3], { dtype }), Tensor.from(Array.from({ length: 6 }, () => rng.int(4)), { dtype })];
}

function run(g: ComputationalGraph, opt: optim.Optimizer, from: number, to: number, dtype: 'float32' | 'float64', losses: number[]): void {
  for (let s = from; s < to; s++) {
    losses.push(g.forwardInputs(batch(s, dtype)).data[0]);
    g.backward();
    opt.step();
  }
}

const bits = (g: ComputationalGraph): Record<string, number[]> =>
  Object.fromEntries([...namedParameters(g)].map(([k, n]) => [k, Array.from(new Uint8Array(n.value!.data.buffer, n.value!.data.byteOffset, n.value!.data.byteLength))]));

describe.each(['float64', 'float32'] as const)('%s', (dtype) => {
  test.each(optimizers.map(([n]) => n))('%s: save at step 15, resume in a fresh graph, continue to 40', (name) => {
    const Opt = optimizers.find(([n]) => n === name)![1];
    const straight = model(dtype);
    const straightLosses: number[] = [];
    const optStraight = new Opt(straight.parameters(), optionsFor(name));
    run(straight, optStraight, 0, 40, dtype, straightLosses);

    const first = model(dtype);
    const losses: number[] = [];
    const opt1 = new Opt(first.parameters(), optionsFor(name));
    run(first, opt1, 0, 15, dtype, losses);
    const file = saveGraph(first, { optimizer: opt1.state(), history: { losses } });

    const saved = parseSaved(file);
    const resumed = loadGraph(file, createGatesContainer());
    const opt2 = new Opt(resumed.parameters(), optionsFor(name));
    opt2.loadState(saved.optimizer as OptimizerState);
    const history = (saved.history as { losses: number[] }).losses;
    run(resumed, opt2, 15, 40, dtype, history);

    expect(bits(resumed)).toEqual(bits(straight));
    expect(history).toEqual(straightLosses);
    expect(opt2.state()).toEqual(optStraight.state());
  });
});

test('Trainer: 2 epochs, save (parameters, Adam state, shuffle state, history), resume for 2 more = 4 epochs straight', () => {
  const rng = new Random(3);
  const data = { features: rng.randn([40, 3]).data, labels: Array.from({ length: 40 }, () => rng.int(4)) };
  const make = (g: ComputationalGraph): Trainer => new Trainer({ graph: g, optimizer: new Adam(g.parameters(), { lr: 0.02 }), features: 'x', labels: 'y', batchSize: 8, seed: 9 });
  const strip = (h: { loss: number; accuracy: number; lr: number }[]): unknown => h.map(({ loss, accuracy, lr }) => ({ loss, accuracy, lr }));

  const straight = model('float64');
  const all = make(straight).fit(data, { epochs: 4 }).history;

  const g = model('float64');
  const t1 = make(g);
  const h1 = t1.fit(data, { epochs: 2 }).history;
  const file = saveGraph(g, {
    optimizer: (t1.optimizer as Adam).state(),
    history: strip(h1),
    metadata: { shuffle: t1.rng.getState() },
  });

  const saved = parseSaved(file);
  const g2 = loadGraph(file, createGatesContainer());
  const t2 = make(g2);
  (t2.optimizer as Adam).loadState(saved.optimizer as OptimizerState);
  t2.rng.setState((saved.metadata as { shuffle: number[] }).shuffle);
  const h2 = t2.fit(data, { epochs: 2 }).history;

  expect(bits(g2)).toEqual(bits(straight));
  expect([...(saved.history as unknown[]), ...(strip(h2) as unknown[])]).toEqual(strip(all));
});
