import 'reflect-metadata';
import { ComputationalGraph, DType, InvalidArgumentError, NonFiniteError, Random, Tensor } from '@chainrule/core';
import { AddGate, MatMulGate, ReLUGate, SoftmaxCrossEntropyGate } from '@chainrule/gates';
import {
  Adam,
  clipGradNorm,
  ExponentialDecay,
  gradNorm,
  Optimizer,
  Scheduler,
  SGD,
  StepInfo,
  Trainer,
  TrainerOptions,
} from '@chainrule/optim';
import { bits } from './helpers';

/** XOR of signs: label 1 in the first and third quadrants. Separable, but not by a line. */
function xorData(n: number, seed: number, dtype: DType = 'float64') {
  const rng = new Random(seed);
  const features = dtype === 'float32' ? new Float32Array(2 * n) : new Float64Array(2 * n);
  for (let i = 0; i < features.length; i++) features[i] = rng.uniform(-1, 1);
  const labels = Array.from({ length: n }, (_, i) => (features[2 * i] * features[2 * i + 1] > 0 ? 1 : 0));
  return { features, labels };
}

/** x [B, 2] → Linear(2, 16) → ReLU → Linear(16, 2) → scores; loss = softmax cross-entropy with y [B]. */
function twoLayerNet(dtype: DType = 'float64', hidden = 16) {
  const graph = new ComputationalGraph(undefined);
  const x = graph.input('x', { shape: [null, 2], dtype, requiresGrad: false });
  const y = graph.input('y', { requiresGrad: false, dtype });
  const init = new Random(1);
  const W1 = graph.parameter('W1', init.randn([2, hidden], { std: 1, dtype }));
  const b1 = graph.parameter('b1', init.randn([hidden], { std: 0.1, dtype }));
  const W2 = graph.parameter('W2', init.randn([hidden, 2], { std: Math.sqrt(2 / hidden), dtype }));
  const b2 = graph.parameter('b2', Tensor.zeros([2], dtype));
  const h = graph.gate(ReLUGate, [graph.gate(AddGate, [graph.gate(MatMulGate, [x, W1], { name: 'xW1' }), b1], { name: 'z1' })], { name: 'h' });
  const scores = graph.gate(AddGate, [graph.gate(MatMulGate, [h, W2], { name: 'hW2' }), b2], { name: 'scores' });
  graph.gate(SoftmaxCrossEntropyGate, [scores, y], { name: 'loss' });
  return { graph, x, y, scores };
}

function trainerFor(net: ReturnType<typeof twoLayerNet>, opt: Optimizer = new Adam(net.graph.parameters(), { lr: 0.02 }), extra: Partial<TrainerOptions> = {}) {
  return new Trainer({ graph: net.graph, optimizer: opt, features: net.x, labels: net.y, scores: net.scores, batchSize: 20, seed: 5, ...extra });
}

describe('Trainer: a two-layer network on a small separable data set', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    test(`reaches 100% training accuracy (${dtype}, Adam, 200 XOR points, batches of 20)`, () => {
      const net = twoLayerNet(dtype);
      const data = xorData(200, 0, dtype);
      const trainer = trainerFor(net);
      const before = trainer.evaluate(data);
      let reached = -1;
      const result = trainer.fit(data, {
        epochs: 100,
        onEpochEnd: (e) => {
          if (trainer.evaluate(data).accuracy === 1) {
            reached = e.epoch;
            return false;
          }
        },
      });
      const after = trainer.evaluate(data);
      expect(before.accuracy).toBeLessThan(0.8);
      expect(after.accuracy).toBe(1);
      expect(after.loss).toBeLessThan(before.loss);
      expect(reached).toBeGreaterThanOrEqual(0);
      expect(reached).toBeLessThan(60); // measured: epoch 12 (13 epochs) in float64
      expect(result.stopped).toBe(true);
      expect(result.history).toHaveLength(reached + 1);
    });
  }

  test('SGD with momentum and a step schedule gets there too', () => {
    const net = twoLayerNet();
    const data = xorData(200, 0);
    const opt = new SGD(net.graph.parameters(), { lr: 0.1, momentum: 0.9 });
    const trainer = trainerFor(net, opt, { scheduler: new Scheduler(opt, new ExponentialDecay({ lr: 0.1, gamma: 0.99 }), { per: 'epoch' }) });
    trainer.fit(data, { epochs: 300, onEpochEnd: () => trainer.evaluate(data).accuracy < 1 });
    expect(trainer.evaluate(data).accuracy).toBe(1);
  });

  test('reports loss, accuracy, lr, throughput and time per step and per epoch', () => {
    const net = twoLayerNet();
    const data = xorData(110, 0); // 5 batches of 20 and one of 10
    const opt = new Adam(net.graph.parameters(), { lr: 0.02 });
    const trainer = trainerFor(net, opt, { scheduler: new Scheduler(opt, new ExponentialDecay({ lr: 0.02, gamma: 0.9 })) });
    const steps: StepInfo[] = [];
    let infoObject: StepInfo | undefined;
    const xValues = new Set<Tensor>();
    const result = trainer.fit(data, {
      epochs: 2,
      onStep: (s) => {
        infoObject ??= s;
        expect(s).toBe(infoObject); // one reused object
        steps.push({ ...s });
        xValues.add(net.x.value as Tensor);
      },
    });
    expect(steps.map((s) => [s.epoch, s.step, s.globalStep, s.batchSize])).toEqual([
      [0, 0, 0, 20], [0, 1, 1, 20], [0, 2, 2, 20], [0, 3, 3, 20], [0, 4, 4, 20], [0, 5, 5, 10],
      [1, 0, 6, 20], [1, 1, 7, 20], [1, 2, 8, 20], [1, 3, 9, 20], [1, 4, 10, 20], [1, 5, 11, 10],
    ]);
    steps.forEach((s, i) => {
      expect(s.lr).toBeCloseTo(0.02 * 0.9 ** i, 15); // per-step schedule
      expect(Number.isFinite(s.loss)).toBe(true);
      expect(s.accuracy).toBeGreaterThanOrEqual(0);
      expect(s.accuracy).toBeLessThanOrEqual(1);
      expect(s.seconds).toBeGreaterThan(0);
      expect(s.samplesPerSecond).toBeGreaterThan(0);
      expect(Number.isNaN(s.gradNorm)).toBe(true); // no clipping asked
    });
    expect(xValues.size).toBe(2); // the input tensors are reused: one for full batches, one for the tail
    const [e0, e1] = result.history;
    expect(e0.steps).toBe(6);
    expect(e0.samples).toBe(110);
    const epochLoss = steps.slice(0, 6).reduce((a, s) => a + s.loss * s.batchSize, 0) / 110;
    expect(e0.loss).toBeCloseTo(epochLoss, 12);
    const epochAcc = steps.slice(0, 6).reduce((a, s) => a + s.accuracy * s.batchSize, 0) / 110;
    expect(e0.accuracy).toBeCloseTo(epochAcc, 12);
    expect(e1.samplesPerSecond).toBeGreaterThan(0);
    expect(e1.secondsPerStep).toBeCloseTo(e1.seconds / 6, 12);
    expect(e1.lr).toBeCloseTo(0.02 * 0.9 ** 12, 15);
    expect(Number.isNaN(e0.valLoss)).toBe(true);
    expect(result.bestEpoch).toBe(1);
  });

  test('dropLast skips the tail batch', () => {
    const net = twoLayerNet();
    const trainer = trainerFor(net, undefined, { dropLast: true });
    const sizes: number[] = [];
    const r = trainer.fit(xorData(110, 0), { epochs: 1, onStep: (s) => sizes.push(s.batchSize) });
    expect(sizes).toEqual([20, 20, 20, 20, 20]);
    expect(r.history[0].samples).toBe(100);
  });

  test('the same seed gives bitwise the same run; another seed another order', () => {
    const run = (seed: number) => {
      const net = twoLayerNet();
      trainerFor(net, undefined, { seed }).fit(xorData(100, 3), { epochs: 3 });
      return bits(net.graph.parameters());
    };
    expect(run(9)).toEqual(run(9));
    expect(run(9)).not.toEqual(run(10));
  });

  test('evaluates a held-out set each epoch and stops early after `patience` epochs without improvement', () => {
    const net = twoLayerNet();
    const opt = new SGD(net.graph.parameters(), { lr: 0 }); // nothing changes: the validation loss never improves
    const trainer = trainerFor(net, opt);
    const validation = xorData(50, 1);
    const r = trainer.fit(xorData(100, 0), { epochs: 50, validation, patience: 3 });
    expect(r.history).toHaveLength(4); // the best epoch, then 3 without improvement
    expect(r.stopped).toBe(true);
    expect(r.bestEpoch).toBe(0);
    const v = trainer.evaluate(validation);
    for (const e of r.history) {
      expect(e.valLoss).toBe(v.loss);
      expect(e.valAccuracy).toBe(v.accuracy);
    }
  });

  test('restoreBest puts back the parameters of the best epoch', () => {
    const net = twoLayerNet();
    const train = xorData(100, 0);
    // Validation labels flipped: the better the net learns, the worse the validation loss.
    const flipped = { features: train.features, labels: train.labels.map((l) => 1 - l) };
    const trainer = trainerFor(net);
    let atBest: string[] = [];
    const r = trainer.fit(train, {
      epochs: 30,
      validation: flipped,
      patience: 4,
      restoreBest: true,
      onEpochEnd: (e) => {
        if (e.epoch === 0) atBest = bits(net.graph.parameters());
      },
    });
    expect(r.bestEpoch).toBe(0);
    expect(r.history).toHaveLength(5);
    expect(bits(net.graph.parameters())).toEqual(atBest);
  });

  test('restoreBest works without early stopping too', () => {
    const net = twoLayerNet();
    const train = xorData(100, 0);
    const flipped = { features: train.features, labels: train.labels.map((l) => 1 - l) };
    let atFirst: string[] = [];
    const r = trainerFor(net).fit(train, {
      epochs: 6,
      validation: flipped,
      restoreBest: true,
      onEpochEnd: (e) => {
        if (e.epoch === 0) atFirst = bits(net.graph.parameters());
      },
    });
    expect(r.history).toHaveLength(6);
    expect(r.stopped).toBe(false);
    expect(r.bestEpoch).toBe(0);
    expect(bits(net.graph.parameters())).toEqual(atFirst);
  });

  test('monitor accuracy', () => {
    const net = twoLayerNet();
    const data = xorData(200, 0);
    const r = trainerFor(net).fit(data, { epochs: 200, monitor: 'accuracy', validation: data, patience: 5 });
    expect(r.stopped).toBe(true);
    const best = Math.max(...r.history.map((e) => e.valAccuracy));
    expect(r.history[r.bestEpoch].valAccuracy).toBe(best);
    expect(r.history.findIndex((e) => e.valAccuracy === best)).toBe(r.bestEpoch); // the first epoch that reached it
    expect(r.history).toHaveLength(r.bestEpoch + 6);
  });

  test('clipNorm clips the global gradient norm before each step', () => {
    const net = twoLayerNet();
    const params = net.graph.parameters();
    const trainer = trainerFor(net, new SGD(params, { lr: 0.05 }), { clipNorm: 0.05 });
    const norms: number[] = [];
    trainer.fit(xorData(100, 0), {
      epochs: 1,
      onStep: (s) => {
        norms.push(s.gradNorm);
        expect(gradNorm(params)).toBeLessThanOrEqual(0.05 + 1e-9);
      },
    });
    expect(norms.length).toBe(5);
    expect(Math.max(...norms)).toBeGreaterThan(0.05); // so clipping did something
  });

  test('a loss that is not finite throws before the optimizer moves anything', () => {
    const net = twoLayerNet();
    const params = net.graph.parameters();
    const trainer = trainerFor(net);
    (params[3].value as Tensor).data[0] = Infinity; // b2: class 0's scores become +Infinity, the loss its limit +Infinity
    const before = bits(params);
    const onStep = jest.fn();
    expect(() => trainer.fit(xorData(40, 0), { epochs: 1, onStep })).toThrow(NonFiniteError);
    expect(() => trainer.fit(xorData(40, 0), { epochs: 1 })).toThrow(/Trainer.fit: the loss is Infinity at epoch 0, step 0; the parameters were not updated/);
    expect(bits(params)).toEqual(before);
    expect(onStep).not.toHaveBeenCalled();
  });

  test('clear errors for bad settings and data', () => {
    const net = twoLayerNet();
    const opt = new Adam(net.graph.parameters());
    const make = (o: Partial<TrainerOptions>) => () => new Trainer({ graph: net.graph, optimizer: opt, features: 'x', labels: 'y', ...o });
    expect(make({ batchSize: 0 })).toThrow(/Trainer: 'batchSize' must be an integer >= 1, got 0/);
    expect(make({ features: 'scores' })).toThrow(/Trainer: 'features' must be an input node, got node 'scores' \(AddGate\)/);
    expect(make({ labels: 'x' })).toThrow(/'features' and 'labels' are the same node 'x'/);
    expect(make({ features: 'nope' })).toThrow(/graph has no node named 'nope'/);
    expect(make({ clipNorm: -1 })).toThrow(/'clipNorm' must be a finite number > 0, got -1/);
    const other = new ComputationalGraph();
    other.input('x');
    other.input('y');
    other.input('w');
    expect(() => new Trainer({ graph: other, optimizer: opt, features: 'x', labels: 'y' })).toThrow(/the graph's input 'w' is neither 'features' nor 'labels'; give it a value in 'extraFeeds'/);
    const t = make({})();
    expect(() => t.fit({ features: new Float64Array(7), labels: [0, 1] })).toThrow(/7 feature values do not split into 2 rows/);
    expect(() => t.fit({ features: [1, 2] as never, labels: [0] })).toThrow(InvalidArgumentError);
    expect(() => t.fit(xorData(10, 0), { patience: 0 })).toThrow(/'patience' must be an integer >= 1, got 0/);
    expect(() => t.fit(xorData(10, 0), { monitor: 'accuracy' })).toThrow(/monitor 'accuracy' needs a 'scores' node/);
  });
});

describe('clipGradNorm', () => {
  test('scales by maxNorm / (norm + 1e-6) when the global norm is larger, and returns the norm', () => {
    const a = { value: Tensor.from([0, 0]), grad: Tensor.from([3, 0]) };
    const b = { value: Tensor.from([0]), grad: Tensor.from([4]) };
    expect(gradNorm([a, b])).toBe(5);
    expect(clipGradNorm([a, b], 10)).toBe(5);
    expect(Array.from(b.grad.data)).toEqual([4]); // under the limit: unchanged
    expect(clipGradNorm([a, b], 1)).toBe(5);
    const s = 1 / (5 + 1e-6);
    expect(Array.from(a.grad.data)).toEqual([3 * s, 0]);
    expect(Array.from(b.grad.data)).toEqual([4 * s]);
    expect(() => clipGradNorm([a], 0)).toThrow(/clipGradNorm: maxNorm must be a finite number > 0, got 0/);
  });
});


describe('frozen parameters and evaluation mode', () => {
  test('an optimizer skips parameters whose requiresGrad is false (batch norm running statistics), leaving them as they are', () => {
    const g = new ComputationalGraph();
    const w = g.parameter('w', Tensor.from([1, 2]));
    const frozen = g.parameter('frozen', Tensor.from([5]));
    g.setRequiresGrad(frozen, false);
    const opt = new SGD(g.parameters(), { lr: 0.5 });
    expect(opt.params).toEqual([w]);
    w.grad = Tensor.from([1, 1]);
    opt.step();
    expect(Array.from(frozen.value!.data)).toEqual([5]);
    expect(() => new SGD([frozen], { lr: 0.1 })).toThrow(InvalidArgumentError);
  });

  test('Trainer.evaluate runs the graph in evaluation mode and restores the mode it found', () => {
    const net = twoLayerNet();
    const trainer = trainerFor(net);
    const data = xorData(40, 3);
    const modes: boolean[] = [];
    const original = net.graph.forwardInputs.bind(net.graph);
    net.graph.forwardInputs = (values) => (modes.push(net.graph.training), original(values));
    trainer.evaluate(data);
    expect(modes.length).toBeGreaterThan(0);
    expect(modes.every((m) => m === false)).toBe(true);
    expect(net.graph.training).toBe(true);
    net.graph.eval();
    trainer.evaluate(data);
    expect(net.graph.training).toBe(false);
  });
});
