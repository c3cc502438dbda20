// The page of tests/browser.test.ts: bundled by esbuild from the built packages (their ESM entries),
// run in headless Chromium. It computes the lecture's graph, trains a small net on XOR and multiplies
// with the WebAssembly kernel, then publishes what it found as globalThis.chainruleResult.
import { bindGate, ComputationalGraph, createKernel, kernelInfo, Random, Tensor, TypedArray, UnaryGate } from '@chainrule/core';
import { AddGate, createGatesContainer, MatMulGate, mlp, MultiplyGate, SoftmaxCrossEntropyGate } from '@chainrule/gates';
import { Adam, Trainer } from '@chainrule/optim';
import { toDot } from '@chainrule/viz';
import { injectable } from 'inversify';

@injectable()
class SoftsignGate extends UnaryGate {
  protected compute(x: TypedArray, out: TypedArray): void {
    for (let i = 0; i < x.length; i++) out[i] = x[i] / (1 + Math.abs(x[i]));
  }
  protected differentiate(x: TypedArray, _out: TypedArray, dout: TypedArray, dx: TypedArray): void {
    for (let i = 0; i < x.length; i++) dx[i] = dout[i] / ((1 + Math.abs(x[i])) * (1 + Math.abs(x[i])));
  }
}

function lecture() {
  const g = new ComputationalGraph(createGatesContainer());
  const [x, y, z] = ['x', 'y', 'z'].map((name) => g.input(name));
  g.gate(MultiplyGate, [g.gate(AddGate, [x, y], { name: 'q' }), z], { name: 'f' });
  const f = g.forward({ x: -2, y: 5, z: -4 }).item();
  g.backward();
  return { f, grads: [x, y, z].map((n) => n.grad!.item()), dotHasF: toDot(g).includes('"f"') };
}

function xor() {
  const container = createGatesContainer();
  bindGate(container, SoftsignGate);
  const rng = new Random(3);
  const features = Float64Array.from({ length: 400 }, () => rng.uniform(-1, 1));
  const labels = Array.from({ length: 200 }, (_, i) => (features[2 * i] * features[2 * i + 1] > 0 ? 1 : 0));
  const graph = new ComputationalGraph(container);
  const x = graph.input('x', { shape: [null, 2], requiresGrad: false });
  const y = graph.input('y', { requiresGrad: false });
  const scores = mlp(graph, x, [2, 16, 2], 'SoftsignGate');
  graph.gate(SoftmaxCrossEntropyGate, [scores, y], { name: 'loss' });
  const trainer = new Trainer({ graph, optimizer: new Adam(graph.parameters(), { lr: 0.03 }), features: x, labels: y, scores, batchSize: 20, seed: 1 });
  trainer.fit({ features, labels }, { epochs: 150, onEpochEnd: () => trainer.evaluate({ features, labels }).accuracy < 0.97 });
  return { accuracy: trainer.evaluate({ features, labels }).accuracy };
}

/** A 64×128·128×64 float32 product on the wasm kernel against the js kernel. */
function kernel() {
  const available = kernelInfo().name.startsWith('wasm');
  const rng = new Random(5);
  const a = rng.randn([64, 128], { dtype: 'float32' });
  const b = rng.randn([128, 64], { dtype: 'float32' });
  const product = (backend: 'js' | 'wasm') => new MatMulGate(createKernel({ backend })).forward(a, b).data.slice();
  let maxDiff = NaN;
  let error: string | undefined;
  try {
    const js = product('js');
    const wasm = product('wasm');
    maxDiff = 0;
    for (let i = 0; i < js.length; i++) maxDiff = Math.max(maxDiff, Math.abs(js[i] - wasm[i]));
  } catch (e) {
    error = String(e);
  }
  return { available, backend: kernelInfo().name, maxDiff, error, crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated ?? false };
}

const g = globalThis as { chainruleResult?: unknown };
try {
  g.chainruleResult = { lecture: lecture(), xor: xor(), kernel: kernel(), tensor: Tensor.from([[1, 2], [3, 4]]).toArray() };
} catch (e) {
  g.chainruleResult = { error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e) };
}
