import 'reflect-metadata';
import {
  BackwardBeforeForwardError,
  bindGate,
  ChainruleError,
  ComputationalGraph,
  CompositeGate,
  createContainer,
  decodeTensor,
  encodeTensor,
  FORMAT_VERSION,
  GraphNode,
  loadGraph,
  loadParameters,
  namedParameters,
  readOptions,
  GATE_OPTIONS,
  parseSaved,
  Random,
  saveGraph,
  saveParameters,
  SerializationError,
  Tensor,
  TypedArray,
  UnaryGate,
} from '@chainrule/core';
import { AddGate, createGatesContainer, gatesModule, MultiplyGate, ScaleGate, SigmoidGate, TanhGate } from '@chainrule/gates';
import { inject, injectable, optional } from 'inversify';

/** y = tanh(x * W + b) elementwise, with its own parameters W and b of `n` elements: a composite with state. */
@injectable()
class AffineTanh extends CompositeGate {
  readonly arity = 1;
  n: number;
  seed: number;
  constructor(@inject(GATE_OPTIONS) @optional() options: { n?: number; seed?: number } = {}) {
    super();
    const o = readOptions<{ n?: number; seed?: number }>('AffineTanh', options, { n: 'positiveInteger', seed: 'integer' });
    this.n = o.n ?? 3;
    this.seed = o.seed ?? 1;
  }
  protected build(g: ComputationalGraph, [x]: GraphNode[]): GraphNode {
    const rng = new Random(this.seed);
    const w = g.parameter('W', rng.randn([this.n]));
    const b = g.parameter('b', rng.randn([this.n]));
    return g.gate(TanhGate, [g.gate(AddGate, [g.gate(MultiplyGate, [x, w]), b])]);
  }
}

/** A custom gate that is not built in: f(x) = x^3. */
@injectable()
class CubeGate extends UnaryGate {
  protected compute(x: TypedArray, out: TypedArray): void {
    for (let i = 0; i < x.length; i++) out[i] = x[i] * x[i] * x[i];
  }
  protected differentiate(x: TypedArray, _o: TypedArray, dout: TypedArray, dx: TypedArray): void {
    for (let i = 0; i < x.length; i++) dx[i] = 3 * x[i] * x[i] * dout[i];
  }
}

function customContainer() {
  const c = createGatesContainer();
  bindGate(c, AffineTanh, 'AffineTanh');
  bindGate(c, CubeGate, 'CubeGate');
  return c;
}

/** x -> (x*W1 + b1) -> AffineTanh (own W, b) -> Cube -> *3 -> sigmoid, with a float32 parameter and a constant. */
function buildModel(container = customContainer(), seed = 3): ComputationalGraph {
  const rng = new Random(seed);
  const g = new ComputationalGraph(container, { finiteCheck: true });
  const x = g.input('x', { shape: [null, 3], dtype: 'float64' });
  const label = g.input('label', { requiresGrad: false });
  const w1 = g.parameter('W1', rng.randn([3]));
  const b1 = g.parameter('b1', rng.randn([3], { dtype: 'float32' }));
  const half = g.constant('half', Tensor.from([0.5, 0.25, 0.125]));
  const h = g.gate(AddGate, [g.gate(MultiplyGate, [x, w1], { name: 'xw' }), b1], { name: 'h' });
  const a = g.gate('AffineTanh', [h], { name: 'layer', options: { n: 3, seed: 9 } });
  const c = g.gate(CubeGate, [a], { name: 'cube' });
  const s = g.gate(ScaleGate, ['cube'], { name: 'scaled', options: { a: 3 } });
  const m = g.gate(MultiplyGate, [g.gate(SigmoidGate, [s], { name: 'sig' }), half], { name: 'weighted' });
  void c;
  const diff = g.gate('SubtractGate', [m, label], { name: 'diff' });
  const sq = g.gate('MultiplyGate', [diff, diff], { name: 'sq' });
  g.setOutput(sq);
  return g;
}

function bytes(t: Tensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).slice();
}

function snapshot(g: ComputationalGraph): Map<string, { value: Uint8Array; grad: Uint8Array | undefined }> {
  const out = new Map<string, { value: Uint8Array; grad: Uint8Array | undefined }>();
  for (const [name, n] of namedParameters(g)) out.set(name, { value: bytes(n.value!), grad: n.grad && bytes(n.grad) });
  return out;
}

function expectThrows(f: () => unknown, cls: new (...a: never[]) => Error, pattern: RegExp): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(cls);
  expect(caught).toBeInstanceOf(ChainruleError);
  expect((caught as Error).message).toMatch(pattern);
}

const feeds = { x: [[0.1, -0.2, 0.3], [1, 2, -3]], label: [[0.1, 0.2, 0.3], [0, 0, 0]] };

describe('tensor encoding', () => {
  test('float64 and float32 round trip bit for bit, NaN payloads, -0, infinities and subnormals included', () => {
    const special = [0, -0, NaN, Infinity, -Infinity, 5e-324, -2.2250738585072014e-308, 1.7976931348623157e308, Math.PI, 1 / 3];
    for (const dtype of ['float64', 'float32'] as const) {
      const t = Tensor.from(special, { dtype, shape: [2, 5] });
      // A NaN with a non-default payload.
      const raw = new Uint8Array(t.data.buffer);
      if (dtype === 'float64') raw.set([1, 0, 0, 0, 0, 0, 0xf8, 0x7f], 2 * 8);
      else raw.set([1, 0, 0xc0, 0x7f], 2 * 4);
      const back = decodeTensor(JSON.parse(JSON.stringify(encodeTensor(t))));
      expect(back.dtype).toBe(dtype);
      expect(back.shape).toEqual([2, 5]);
      expect(bytes(back)).toEqual(bytes(t));
      expect(Object.is(back.data[1], -0)).toBe(true);
    }
  });

  test('the data is standard base64 (what Buffer, atob and Python read)', () => {
    for (let n = 0; n < 9; n++) {
      for (const dtype of ['float32', 'float64'] as const) {
        const t = new Random(n).randn([n], { dtype });
        const saved = encodeTensor(t);
        expect(saved.data).toBe(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('base64'));
        expect(bytes(decodeTensor(saved))).toEqual(bytes(t));
      }
    }
  });

  test('empty tensors and scalars', () => {
    for (const t of [Tensor.zeros([0, 3]), Tensor.from(7), Tensor.from([1], { dtype: 'float32' }), Tensor.from([1, 2]), Tensor.from([1, 2, 3, 4, 5])]) {
      const back = decodeTensor(encodeTensor(t));
      expect(back.shape).toEqual(t.shape);
      expect(bytes(back)).toEqual(bytes(t));
    }
  });
});

describe('saveGraph / loadGraph', () => {
  test('round trip rebuilds every node, option, spec and parameter bit for bit', () => {
    const g = buildModel();
    const y0 = g.forward(feeds).clone();
    const json = saveGraph(g);
    const loaded = loadGraph(json, customContainer());
    // Same nodes (a composite's own included, as `layer/...`), reading the same inputs once resolved.
    loaded.topologicalOrder();
    expect(loaded.nodes.map((n) => [n.kind, n.name, n.gateType, n.group?.name, n.inputNodes.map((r) => r.name)])).toEqual(
      g.nodes.map((n) => [n.kind, n.name, n.gateType, n.group?.name, n.inputNodes.map((r) => r.name)]),
    );
    expect(loaded.groups.map((x) => [x.name, x.gateType, x.options])).toEqual([['layer', 'AffineTanh', { n: 3, seed: 9 }]]);
    expect(loaded.nodes.map((n) => n.options)).toEqual(g.nodes.map((n) => n.options));
    expect(loaded.node('x').inputSpec).toEqual({ shape: [null, 3], dtype: 'float64', requiresGrad: true });
    expect(loaded.node('label').requiresGrad).toBe(false);
    expect(loaded.finiteCheck).toBe(true);
    expect(loaded.output.name).toBe('sq');
    expect([...namedParameters(loaded).keys()]).toEqual(['W1', 'b1', 'layer/W', 'layer/b']);
    expect(snapshot(loaded)).toEqual(new Map([...snapshot(g)].map(([k, v]) => [k, { ...v, grad: undefined }])));
    expect(loaded.node('b1').value!.dtype).toBe('float32');
    expect(bytes(loaded.node('half').value!)).toEqual(bytes(g.node('half').value!));
    expect(bytes(loaded.forward(feeds))).toEqual(bytes(y0));
    // And saving the loaded graph writes the same file.
    expect(saveGraph(loaded)).toBe(json);
  });

  test("the composite's own parameters are restored, not re-initialised", () => {
    const g = buildModel();
    namedParameters(g).get('layer/W')!.value!.data.set([10, 20, 30]);
    const loaded = loadGraph(saveGraph(g), customContainer());
    expect(Array.from(namedParameters(loaded).get('layer/W')!.value!.data)).toEqual([10, 20, 30]);
  });

  test('a custom gate loads once it is bound, and the file names it by its registered name', () => {
    const c = createGatesContainer();
    bindGate(c, CubeGate, 'cube-v1');
    const g = new ComputationalGraph(c);
    g.gate(CubeGate, [g.input('x')], { name: 'y' });
    const json = saveGraph(g);
    expect(JSON.parse(json).graph.nodes[1].gate).toBe('cube-v1');
    expectThrows(() => loadGraph(json, createGatesContainer()), SerializationError, /node 'y' uses gate 'cube-v1', not registered in the container \(registered: AddConstantGate/);
    const c2 = createGatesContainer();
    bindGate(c2, CubeGate, 'cube-v1');
    expect(loadGraph(json, c2).forward({ x: 2 }).item()).toBe(8);
  });

  test('saving a gate bound under no name fails at save time, naming the node', () => {
    const g = new ComputationalGraph(createContainer());
    g.gate(CubeGate, [g.input('x')], { name: 'y' });
    // A class used without registering it runs, but a file could not name it:
    expect(g.forward({ x: 2 }).item()).toBe(8);
    expectThrows(() => saveGraph(g), SerializationError, /node 'y' \(CubeGate\): its gate class CubeGate is not registered in the graph's container/);
  });

  test('a setOutput that is not the last node survives', () => {
    const g = new ComputationalGraph(createGatesContainer());
    g.input('a');
    g.input('b');
    g.gate('AddGate', ['a', 'b'], { name: 'sum' });
    g.gate('NegateGate', ['sum'], { name: 'neg' });
    g.setOutput('sum');
    const loaded = loadGraph(saveGraph(g), createGatesContainer());
    expect(loaded.output.name).toBe('sum');
    expect(loaded.forward({ a: 1, b: 2 }).item()).toBe(3);
  });

  test('parseSaved accepts an already parsed object and returns optimizer state, history and metadata decoded', () => {
    const g = buildModel();
    const state = { step: 7, lr: 0.1, m: [Tensor.from([[1, -0]]), new Float32Array([NaN, 2])], best: -Infinity, nested: { v: new Float64Array([1e-300]) } };
    const history = [{ step: 1, loss: 0.5 }, { step: 2, loss: NaN }];
    const json = saveGraph(g, { optimizer: state, history, metadata: { note: 'x' }, space: 1 });
    const model = parseSaved(JSON.parse(json));
    const opt = model.optimizer as typeof state;
    expect(opt.step).toBe(7);
    expect(opt.best).toBe(-Infinity);
    expect(opt.m[0]).toBeInstanceOf(Tensor);
    expect(Object.is((opt.m[0] as Tensor).data[1], -0)).toBe(true);
    expect(opt.m[1]).toBeInstanceOf(Float32Array);
    expect(Number.isNaN((opt.m[1] as Float32Array)[0])).toBe(true);
    expect(opt.nested.v).toBeInstanceOf(Float64Array);
    expect(opt.nested.v[0]).toBe(1e-300);
    expect(model.history).toEqual(history);
    expect(model.metadata).toEqual({ note: 'x' });
  });
});

describe('loadParameters', () => {
  test('restores values in place into a graph built by code', () => {
    const a = buildModel(customContainer(), 3);
    const b = buildModel(customContainer(), 4);
    const before = new Map([...namedParameters(b)].map(([k, n]) => [k, n.value]));
    expect(snapshot(a)).not.toEqual(snapshot(b));
    loadParameters(b, saveParameters(a));
    for (const [k, n] of namedParameters(b)) expect(n.value).toBe(before.get(k)); // same tensors, new values
    expect(new Map([...snapshot(b)].map(([k, v]) => [k, v.value]))).toEqual(new Map([...snapshot(a)].map(([k, v]) => [k, v.value])));
    expect(bytes(b.forward(feeds))).toEqual(bytes(a.forward(feeds)));
  });

  test('loadGraph refuses a parameters-only file', () => {
    expectThrows(() => loadGraph(saveParameters(buildModel()), customContainer()), SerializationError, /parameters only/);
  });

  test('strict: false loads the parameters both have', () => {
    const a = new ComputationalGraph(createGatesContainer());
    a.parameter('w', Tensor.from([1, 2]));
    a.parameter('extra', Tensor.from(1));
    const b = new ComputationalGraph(createGatesContainer());
    b.parameter('w', Tensor.from([0, 0]));
    b.parameter('other', Tensor.from(5));
    expectThrows(() => loadParameters(b, saveParameters(a)), SerializationError, /'other' is missing from the file.*the file has parameter 'extra'/);
    expect(Array.from(b.node('w').value!.data)).toEqual([0, 0]);
    loadParameters(b, saveParameters(a), { strict: false });
    expect(Array.from(b.node('w').value!.data)).toEqual([1, 2]);
    expect(b.node('other').value!.item()).toBe(5);
  });
});

describe('bad files fail clearly and leave the target untouched', () => {
  const good = saveGraph(buildModel(customContainer(), 3));
  const cases: [string, () => string | object, RegExp][] = [
    ['truncated', () => good.slice(0, Math.floor(good.length * 0.6)), /not valid JSON \(truncated or corrupted\?\)/],
    ['truncated to nothing', () => '', /not valid JSON/],
    ['not an object', () => '[1,2]', /expected a saved chainrule object, got an array of 2/],
    ['another format', () => JSON.stringify({ format: 'onnx' }), /not a chainrule file \(field 'format' is "onnx"/],
    ['wrong version', () => good.replace(`"version":${FORMAT_VERSION}`, '"version":99'), /file format version 99 is not supported \(this chainrule reads version 1\)/],
    ['missing parameters', () => JSON.stringify({ ...JSON.parse(good), parameters: undefined }), /field 'parameters' is missing/],
    [
      'corrupted data (same length)',
      () => {
        const m = JSON.parse(good);
        const d: string = m.parameters.W1.data;
        m.parameters.W1.data = (d[0] === 'A' ? 'B' : 'A') + d.slice(1);
        return m;
      },
      /parameter 'W1': checksum mismatch/,
    ],
    [
      'corrupted data (not base64)',
      () => {
        const m = JSON.parse(good);
        const d: string = m.parameters.W1.data;
        m.parameters.W1.data = '!' + d.slice(1);
        return m;
      },
      /parameter 'W1': character "!" at 0 is not base64/,
    ],
    [
      'data shorter than the shape',
      () => {
        const m = JSON.parse(good);
        m.parameters['layer/b'].data = m.parameters['layer/b'].data.slice(4);
        return m;
      },
      /parameter 'layer\/b': 28 base64 characters cannot hold the 3 float64 values of shape \[3\] \(expected 32/,
    ],
    [
      'a parameter of the wrong shape',
      () => {
        const other = new ComputationalGraph(customContainer());
        other.parameter('W1', Tensor.zeros([4]));
        const m = JSON.parse(good);
        m.parameters.W1 = JSON.parse(saveParameters(other)).parameters.W1;
        return m;
      },
      /does not fit the graph, nothing was loaded: parameter 'W1' has shape \[4\] in the file, expected \[3\]/,
    ],
    [
      'a parameter of the wrong dtype',
      () => {
        const m = JSON.parse(good);
        m.parameters.W1 = encodeTensor(Tensor.zeros([3], 'float32'));
        return m;
      },
      /parameter 'W1' is float32 in the file, expected float64/,
    ],
    [
      'a parameter renamed',
      () => good.replace('"layer/W"', '"layer/V"'),
      /parameter 'layer\/W' is missing from the file; the file has parameter 'layer\/V', which the graph does not/,
    ],
  ];

  test.each(cases)('%s: loadParameters throws SerializationError and writes nothing', (_name, make, pattern) => {
    const target = buildModel(customContainer(), 4);
    target.forward(feeds);
    target.backward({ seed: Tensor.ones([2, 3]) });
    const before = snapshot(target);
    expectThrows(() => loadParameters(target, make()), SerializationError, pattern);
    expect(snapshot(target)).toEqual(before);
  });

  test.each(cases.filter(([n]) => !/wrong shape|wrong dtype|renamed/.test(n)))('%s: loadGraph throws SerializationError', (_name, make, pattern) => {
    expectThrows(() => loadGraph(make(), customContainer()), SerializationError, pattern);
  });

  test('loadGraph: a node that refers to a missing node, an unknown kind, bad options', () => {
    const m = JSON.parse(good);
    m.graph.nodes.find((n: { name: string }) => n.name === 'h').inputs = ['xw', 'nope'];
    expectThrows(() => loadGraph(m, customContainer()), SerializationError, /gate node 'h' \(AddGate\): input 'nope' is not a node of the saved graph/);
    const k = JSON.parse(good);
    k.graph.nodes[0].kind = 'placeholder';
    expectThrows(() => loadGraph(k, customContainer()), SerializationError, /node 'x' has unknown kind "placeholder"/);
    const o = JSON.parse(good);
    o.graph.nodes.find((n: { name: string }) => n.name === 'scaled').options = { b: 1 };
    expectThrows(() => loadGraph(o, customContainer()), SerializationError, /rebuilding gate 'scaled': node 'scaled' \(ScaleGate\): ScaleGate: unknown option 'b'/);
  });

  test('loadGraph: a saved cycle is refused', () => {
    const g = new ComputationalGraph(createGatesContainer());
    g.input('x');
    g.gate('AddGate', ['x', 'x'], { name: 'a' });
    g.gate('NegateGate', ['a'], { name: 'b' });
    const doc = JSON.parse(saveGraph(g));
    doc.graph.nodes[1].inputs = ['x', 'b']; // a reads b, which reads a
    expectThrows(() => loadGraph(JSON.stringify(doc), createGatesContainer()), SerializationError, /rebuilding gate 'a': node 'a' \(AddGate\): input 'b' is not a node of this graph/);
  });

  test('saving options that are not plain JSON fails naming the node', () => {
    @injectable()
    class Opt extends UnaryGate {
      constructor(@inject(GATE_OPTIONS) @optional() readonly options: object = {}) {
        super();
      }
      protected compute(x: TypedArray, out: TypedArray): void {
        out.set(x);
      }
      protected differentiate(_x: TypedArray, _o: TypedArray, dout: TypedArray, dx: TypedArray): void {
        dx.set(dout);
      }
    }
    const c = createContainer(gatesModule);
    bindGate(c, Opt);
    const g = new ComputationalGraph(c);
    g.gate(Opt, [g.input('x')], { name: 'o', options: { f: () => 1 } });
    expectThrows(() => saveGraph(g), SerializationError, /node 'o' \(Opt\) options.f: a function is not plain JSON/);
  });
});

describe('resume training', () => {
  /** Hand-written SGD with momentum (the optimizer state is the velocity of every parameter). */
  function train(g: ComputationalGraph, velocity: Map<string, Float64Array>, from: number, to: number, history: number[]): void {
    const params = namedParameters(g);
    const rng = new Random(100);
    for (let step = 0; step < to; step++) {
      // Data depends only on the step number, so a resumed run sees the same batches.
      rng.seed(1000 + step);
      const x = rng.randn([4, 3]);
      const label = rng.rand([4, 3]);
      if (step < from) continue;
      g.forward({ x, label });
      // the output is [4, 3]: seed with ones / 12 for the mean
      g.backward({ seed: Tensor.full([4, 3], 1 / 12) });
      let loss = 0;
      for (const v of g.output.value!.data) loss += v / 12;
      history.push(loss);
      for (const [name, p] of params) {
        let v = velocity.get(name);
        if (!v) velocity.set(name, (v = new Float64Array(p.value!.size)));
        const w = p.value!.data;
        const grad = p.grad!.data;
        for (let i = 0; i < w.length; i++) {
          v[i] = 0.9 * v[i] - 0.05 * grad[i];
          w[i] += v[i];
        }
      }
    }
  }

  test('save at step 40, load into a fresh process-like state, continue to 100: same parameters bit for bit', () => {
    const straight = buildModel();
    const historyA: number[] = [];
    train(straight, new Map(), 0, 100, historyA);

    const first = buildModel();
    const historyB: number[] = [];
    const velocity = new Map<string, Float64Array>();
    train(first, velocity, 0, 40, historyB);
    const file = saveGraph(first, { optimizer: { velocity: Object.fromEntries(velocity), step: 40 }, history: historyB });

    const model = parseSaved(file);
    const resumed = loadGraph(file, customContainer());
    const state = model.optimizer as { velocity: Record<string, Float64Array>; step: number };
    const history = model.history as number[];
    train(resumed, new Map(Object.entries(state.velocity)), state.step, 100, history);

    expect(history).toEqual(historyA);
    const a = snapshot(straight);
    const b = snapshot(resumed);
    expect(new Map([...b].map(([k, v]) => [k, v.value]))).toEqual(new Map([...a].map(([k, v]) => [k, v.value])));
  });
});

describe('after loadParameters', () => {
  test('backward asks for a new forward, since the gates cached the old values', () => {
    const a = buildModel(customContainer(), 3);
    const b = buildModel(customContainer(), 4);
    const seed = Tensor.ones([2, 3]);
    b.forward(feeds);
    b.backward({ seed });
    loadParameters(b, saveParameters(a));
    expect(() => b.backward({ seed })).toThrow(BackwardBeforeForwardError);
    b.forward(feeds);
    expect(() => b.backward({ seed })).not.toThrow();
  });
});
