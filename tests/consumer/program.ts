// A user's program, compiled once as CommonJS (TypeScript strict) and once as ESM ("type": "module")
// against the packed tarballs (tests/consumer.test.ts). It binds a custom gate, trains a small MLP on
// XOR with it, saves the graph, loads it into a fresh container and checks the loaded net predicts
// the same. It prints one JSON line that the test reads. It does not import reflect-metadata: the
// README says a user need not, and this checks it.
import { bindGate, ComputationalGraph, gradcheck, loadGraph, Random, saveGraph, Tensor, TypedArray, UnaryGate } from '@chainrule/core';
import { createGatesContainer, mlp, SoftmaxCrossEntropyGate } from '@chainrule/gates';
import { Adam, Trainer } from '@chainrule/optim';
import { injectable } from 'inversify';

/** A custom activation: softsign, x / (1 + |x|), with derivative 1 / (1 + |x|)². */
@injectable()
class SoftsignGate extends UnaryGate {
  protected compute(x: TypedArray, out: TypedArray): void {
    for (let i = 0; i < x.length; i++) out[i] = x[i] / (1 + Math.abs(x[i]));
  }
  protected differentiate(x: TypedArray, _out: TypedArray, dout: TypedArray, dx: TypedArray): void {
    for (let i = 0; i < x.length; i++) {
      const d = 1 + Math.abs(x[i]);
      dx[i] = dout[i] / (d * d);
    }
  }
}

function container() {
  const c = createGatesContainer();
  bindGate(c, SoftsignGate);
  return c;
}

const rng = new Random(3);
const features = Float64Array.from({ length: 400 }, () => rng.uniform(-1, 1));
const labels = Array.from({ length: 200 }, (_, i) => (features[2 * i] * features[2 * i + 1] > 0 ? 1 : 0));

const graph = new ComputationalGraph(container());
const x = graph.input('x', { shape: [null, 2], requiresGrad: false });
const y = graph.input('y', { requiresGrad: false });
const scores = mlp(graph, x, [2, 16, 2], 'SoftsignGate');
graph.gate(SoftmaxCrossEntropyGate, [scores, y], { name: 'loss' });
const optimizer = new Adam(graph.parameters(), { lr: 0.03 });
const trainer = new Trainer({ graph, optimizer, features: x, labels: y, scores, batchSize: 20, seed: 1 });
trainer.fit({ features, labels }, { epochs: 150, onEpochEnd: () => trainer.evaluate({ features, labels }).accuracy < 0.97 });
const accuracy = trainer.evaluate({ features, labels }).accuracy;

const saved = saveGraph(graph);
const restored = loadGraph(saved, container());
const feeds = { x: Tensor.from(features.slice(0, 20), { shape: [10, 2] }), y: labels.slice(0, 10) };
const before = graph.forward(feeds).item();
const after = restored.forward(feeds).item();

const check = gradcheck(new SoftsignGate(), [Tensor.from([0.5, -2, 0.1])]);
console.log(JSON.stringify({ accuracy, lossBefore: before, lossAfter: after, gradcheckMaxError: check.maxError, savedBytes: saved.length }));
