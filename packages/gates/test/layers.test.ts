import {
  bindGate,
  CompositeGate,
  ComputationalGraph,
  GraphNode,
  gradcheckGraph,
  assertGradcheck,
  InvalidArgumentError,
  Random,
  ShapeError,
  Tensor,
} from '@chainrule/core';
import {
  AddConstantGate,
  AddGate,
  createGatesContainer,
  ExpGate,
  Linear,
  MatMulGate,
  mlp,
  NegateGate,
  ReciprocalGate,
  ReLUGate,
  SigmoidGate,
  SoftmaxCrossEntropyGate,
  TanhGate,
} from '@chainrule/gates';
import { injectable } from 'inversify';
import { labels, maxRelDiff, rand, thrown } from './helpers';

const rng = new Random(51);

describe('Linear', () => {
  it('computes x·W + b with W [in, out] and b [out], seeded', () => {
    const layer = new Linear({ inFeatures: 3, outFeatures: 2, seed: 7 });
    const W = layer.weight.value as Tensor;
    const b = layer.bias?.value as Tensor;
    expect(W.shape).toEqual([3, 2]);
    expect(b.shape).toEqual([2]);
    expect(Array.from(b.data)).toEqual([0, 0]);
    b.data.set([0.5, -0.5]);
    const x = Tensor.from([[1, 2, 3], [0, 0, 1]]);
    const y = layer.forward(x);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 2; j++) {
        let s = b.data[j];
        for (let k = 0; k < 3; k++) s += x.data[i * 3 + k] * W.data[k * 2 + j];
        expect(y.data[i * 2 + j]).toBeCloseTo(s, 14);
      }
    // same seed, same weights; another seed, other weights
    expect(Array.from((new Linear({ inFeatures: 3, outFeatures: 2, seed: 7 }).weight.value as Tensor).data)).toEqual(Array.from(W.data));
    expect(Array.from((new Linear({ inFeatures: 3, outFeatures: 2, seed: 8 }).weight.value as Tensor).data)).not.toEqual(Array.from(W.data));
  });

  it('initialises He (std √(2/in)) by default and Xavier (std √(2/(in+out))) on request', () => {
    const std = (t: Tensor) => Math.sqrt(Array.from(t.data).reduce((a, v) => a + v * v, 0) / t.size);
    const he = new Linear({ inFeatures: 200, outFeatures: 100 }).weight.value as Tensor;
    const xa = new Linear({ inFeatures: 200, outFeatures: 100, init: 'xavier' }).weight.value as Tensor;
    expect(std(he)).toBeCloseTo(Math.sqrt(2 / 200), 2);
    expect(std(xa)).toBeCloseTo(Math.sqrt(2 / 300), 2);
  });

  it('backward gives dx, dW = xᵀ·dout and db = Σ dout, and passes gradcheck (as a gate)', () => {
    const layer = new Linear({ inFeatures: 4, outFeatures: 3, seed: 1 });
    const x = rand(rng, [5, 4]);
    assertGradcheck(layer, [x], { tolerance: 1e-7 });
    layer.forward(x);
    const dout = rng.randn([5, 3]);
    layer.backward(dout);
    const db = layer.bias?.grad as Tensor;
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let i = 0; i < 5; i++) s += dout.data[i * 3 + j];
      expect(db.data[j]).toBeCloseTo(s, 13);
    }
  });

  it('works without bias, on a single row, and in float32', () => {
    const nb = new Linear({ inFeatures: 2, outFeatures: 2, bias: false });
    expect(nb.bias).toBeUndefined();
    expect(nb.weight.graph.parameters().map((p) => p.name)).toEqual(['Linear/W']); // a layer on its own is named after its class
    expect(nb.forward(Tensor.from([1, 0])).shape).toEqual([2]);
    const f32 = new Linear({ inFeatures: 3, outFeatures: 2, dtype: 'float32', seed: 3 });
    const f64 = new Linear({ inFeatures: 3, outFeatures: 2, dtype: 'float64', seed: 3 });
    expect(f32.weight.value?.dtype).toBe('float32');
    const x = rand(rng, [4, 3]);
    const y32 = f32.forward(x.astype('float32')).clone();
    expect(y32.dtype).toBe('float32');
    expect(maxRelDiff(y32, f64.forward(x))).toBeLessThan(1e-5);
  });

  it('rejects bad options and inputs, naming the layer and the shapes', () => {
    expect(thrown(() => new Linear({ inFeatures: 3 }))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => new Linear({ inFeatures: 3, outFeatures: 0 }))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => new Linear({ inFeatures: 3, outFeatures: 2, init: 'lecun' as 'he' }))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => new Linear({ inFeatures: 3, outFeatures: 2, units: 2 } as object))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => new Linear().forward(Tensor.zeros([1, 3])))).toBeInstanceOf(InvalidArgumentError);
    const e = thrown(() => new Linear({ inFeatures: 3, outFeatures: 2 }).forward(Tensor.zeros([5, 4])));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/Linear.*3.*\[5, 4\]/);
    // Options are given once, to the constructor, and fixed from then on.
    expect(new Linear({ inFeatures: 3, outFeatures: 2 }).options).toEqual({ inFeatures: 3, outFeatures: 2, init: 'he', bias: true, seed: 42, dtype: 'float64', activation: 'none' });
  });

  it('in a graph: bound by name, configured through the node, its W and b listed by graph.parameters()', () => {
    const g = new ComputationalGraph(createGatesContainer());
    g.input('x', { requiresGrad: false });
    const fc = g.gate('Linear', ['x'], { name: 'fc', options: { inFeatures: 3, outFeatures: 2, seed: 5 } });
    const params = g.parameters();
    expect(params.map((p) => p.value?.shape)).toEqual([[3, 2], [2]]);
    g.gate(SoftmaxCrossEntropyGate, [fc, g.input('y', { requiresGrad: false })]);
    const x = rand(rng, [4, 3]);
    const y = labels(rng, 4, 2);
    g.forward({ x, y });
    g.backward();
    // x needs no gradient, yet the layer's parameters get theirs (graph.ts: a composite with parameters always runs backward)
    for (const p of params) expect(p.grad?.shape).toEqual(p.value?.shape);
    expect(gradcheckGraph(g, { x, y }, { tolerance: 1e-7 }).ok).toBe(true);
    const e = thrown(() => g.gate('Linear', ['x'], { name: 'bad', options: { inFeatures: 3 } }));
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.message).toContain("node 'bad' (Linear)");
  });
});

describe('mlp', () => {
  it('adds Linear + activation layers and returns the output node; parameters() lists every W and b', () => {
    const g = new ComputationalGraph(createGatesContainer());
    const x = g.input('x', { requiresGrad: false });
    const out = mlp(g, x, [4, 8, 6, 3], ReLUGate, { seed: 10 });
    // Each layer expands into the graph under its name; `g.node('fc3')` is its output.
    expect(out).toBe(g.node('fc3'));
    expect(g.groups.map((l) => [l.name, l.gateType])).toEqual([['fc1', 'Linear'], ['fc2', 'Linear'], ['fc3', 'Linear']]);
    expect(g.nodes.filter((n) => n.kind === 'gate').map((n) => n.name)).toEqual(['fc1/xW', 'fc1/xW+b', 'fc1_act', 'fc2/xW', 'fc2/xW+b', 'fc2_act', 'fc3/xW', 'fc3/xW+b']);
    expect(g.parameters().map((p) => p.name)).toEqual(['fc1/W', 'fc1/b', 'fc2/W', 'fc2/b', 'fc3/W', 'fc3/b']);
    const shapes = g.parameters().map((p) => p.value?.shape);
    expect(shapes).toEqual([[4, 8], [8], [8, 6], [6], [6, 3], [3]]);
    const y = g.input('y', { requiresGrad: false });
    g.gate(SoftmaxCrossEntropyGate, [out, y]);
    const feeds = { x: rand(rng, [5, 4]), y: labels(rng, 5, 3) };
    expect(g.forward(feeds).shape).toEqual([]);
    const check = gradcheckGraph(g, feeds, { tolerance: 1e-7 });
    expect(check.ok).toBe(true);
    expect(check.checked).toBe(4 * 8 + 8 + 8 * 6 + 6 + 6 * 3 + 3);
  });

  it('seeds layer i with seed + i, binds nothing, and supports activation names, no activation and activateOutput', () => {
    const g = new ComputationalGraph(); // an empty container: mlp needs no gate registered, and registers none
    mlp(g, g.input('x'), [2, 3, 1], SigmoidGate, { seed: 3, activateOutput: true, name: 'net', init: 'xavier', dtype: 'float32' });
    expect(g.output.name).toBe('net2_act');
    expect(g.container.isBound(Linear)).toBe(false);
    expect((g.group('net1').gate as Linear).weight).toBe(g.node('net1/W'));
    const w1 = g.node('net1/W').value as Tensor;
    expect(w1.dtype).toBe('float32');
    expect(Array.from(w1.data)).toEqual(Array.from((new Linear({ inFeatures: 2, outFeatures: 3, seed: 3, init: 'xavier', dtype: 'float32' }).weight.value as Tensor).data));
    const h = new ComputationalGraph(createGatesContainer());
    mlp(h, h.input('x'), [2, 2], null);
    expect(h.nodes.map((n) => n.name)).toEqual(['x', 'fc1/W', 'fc1/xW', 'fc1/b', 'fc1/xW+b']);
    const k = new ComputationalGraph(createGatesContainer());
    k.input('x'); // a composite (Linear) reads nodes that exist when it is added
    mlp(k, 'x', [2, 2, 2], 'TanhGate');
    expect(k.node('fc1_act').gate).toBeInstanceOf(TanhGate);
    expect(thrown(() => mlp(k, 'x', [2], ReLUGate))).toBeInstanceOf(InvalidArgumentError);
  });
});

describe('user-defined composite gates', () => {
  /** The lectures' sigmoid as a composite: 1 / (1 + e^(−x)). */
  @injectable()
  class MySigmoid extends CompositeGate {
    readonly arity = 1;
    protected build(g: ComputationalGraph, [x]: GraphNode[]): GraphNode {
      const e = g.gate(ExpGate, [g.gate(NegateGate, [x])]);
      return g.gate(ReciprocalGate, [g.gate(AddConstantGate, [e], { options: { c: 1 } })]);
    }
  }

  /** An affine map with its own parameters, from a subgraph. */
  @injectable()
  class Affine extends CompositeGate {
    readonly arity = 1;
    protected build(g: ComputationalGraph, [x]: GraphNode[]): GraphNode {
      const W = g.parameter('W', new Random(9).randn([3, 2]));
      const b = g.parameter('b', Tensor.from([0.1, -0.1]));
      return g.gate(AddGate, [g.gate(MatMulGate, [x, W]), b]);
    }
  }

  it('bound in the container, a subgraph composite works like any gate and matches SigmoidGate', () => {
    const container = createGatesContainer();
    bindGate(container, MySigmoid);
    const g = new ComputationalGraph(container);
    g.gate('MySigmoid', [g.input('x')], { name: 's' });
    const x = rand(rng, [2, 3]);
    const y = g.forward({ x }).clone();
    expect(maxRelDiff(y, new SigmoidGate().forward(x))).toBeLessThan(1e-15);
    g.backward({ seed: Tensor.ones([2, 3]) });
    const sg = new SigmoidGate();
    sg.forward(x);
    expect(maxRelDiff(g.node('x').grad as Tensor, sg.backward(Tensor.ones([2, 3]))[0])).toBeLessThan(1e-14);
    expect(gradcheckGraph(g, { x }, { tolerance: 1e-7 }).ok).toBe(true);
    assertGradcheck(new MySigmoid(), [x], { tolerance: 1e-7 });
  });

  it('a composite with parameters exposes them to the outer graph, alongside Linear layers', () => {
    const container = createGatesContainer();
    bindGate(container, Affine);
    const g = new ComputationalGraph(container);
    const h = g.gate(Affine, [g.input('x', { requiresGrad: false })], { name: 'aff' });
    const out = mlp(g, g.gate(TanhGate, [h]), [2, 2], null, { name: 'head' });
    g.gate(SoftmaxCrossEntropyGate, [out, g.input('y', { requiresGrad: false })]);
    expect(g.parameters().map((p) => p.value?.shape)).toEqual([[3, 2], [2], [2, 2], [2]]);
    const feeds = { x: rand(rng, [4, 3]), y: labels(rng, 4, 2) };
    expect(gradcheckGraph(g, feeds, { tolerance: 1e-7 }).ok).toBe(true);
  });
});
