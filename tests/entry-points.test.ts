// Issue 15, property (c): every public entry point, called with wrong types, throws only a
// ChainruleError (or succeeds). The entry points are listed from the packages' index exports;
// arguments are drawn from hostile values: null, undefined, strings, NaN, negative, huge, arrays of
// the wrong depth, integer typed arrays, symbols, another graph's nodes, and objects whose getters
// throw. An error the caller's own getter throws passes through unchanged (it is the caller's,
// not the library's: wrapping it would hide where it came from); anything else must be a ChainruleError.
// Fixed seed (FC_SEED overrides); FC_ENTRY_RUNS sets the runs per entry point (default 25).
import 'reflect-metadata';
import * as core from '@chainrule/core';
import { ChainruleError, ComputationalGraph, Random, Tensor } from '@chainrule/core';
import * as eager from '@chainrule/eager';
import { createGatesContainer, Linear, mlp } from '@chainrule/gates';
import * as onnx from '@chainrule/onnx';
import * as optim from '@chainrule/optim';
import * as viz from '@chainrule/viz';
import fc from 'fast-check';

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261202) });
const RUNS = Number(process.env.FC_ENTRY_RUNS ?? 25);

/** What a getter of a hostile object throws: the one error allowed to escape unwrapped. */
const CALLERS_OWN = new Error("the caller's getter threw");

const container = createGatesContainer();

/** A small trained-once graph: x -> fc (Linear) -> sum, with a second input y. */
function fixture(): { g: ComputationalGraph; other: ComputationalGraph } {
  const g = new ComputationalGraph(container);
  const x = g.input('x', { shape: [null, 2] });
  const y = g.input('y');
  const h = g.gate('Linear', [x], { name: 'fc', options: { inFeatures: 2, outFeatures: 1, seed: 1 } });
  const s = g.gate('AddGate', [h, y], { name: 's' });
  g.gate('SumGate', [s], { name: 'loss' });
  const other = new ComputationalGraph(container);
  other.input('q');
  return { g, other };
}

const shared = fixture();

/** Hostile values; `a graph's node` is another graph's, `Tensor`s come in both dtypes and odd shapes. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null, undefined, NaN, -1, -0, 0, 1, 3, 2.5, Infinity, -Infinity, 1e308, 2 ** 53, 1e6, true, '', 'x', 'y', 'fc/W', 'float32', 'int8', 'AddGate', 'Relu',
    [], [[]], [[[1]]], [1, 'a'], [-1], [1e6, 1e6], [2, 3], [null, 2], [[1, 2], [3]], { x: [[1, 2]], y: 1 }, { x: null }, {},
    Symbol('s'), 10n, () => 1, new Int32Array([1, 2]), new Float32Array([1, 2]), new Uint8Array(3), new Map(), new Date(0),
  ),
  fc.string({ maxLength: 6 }),
  fc.double(),
  fc.integer({ min: -5, max: 5 }),
  fc.array(fc.integer({ min: -2, max: 4 }), { maxLength: 3 }),
  fc.constant(null).map(() => shared.other.node('q')),
  fc.constant(null).map(() => shared.g.node('fc/W')),
  fc.constantFrom('float32', 'float64').chain((dtype) => fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }).map((shape) => Tensor.zeros(shape, dtype as core.DType))),
  fc.constant(null).map(() => throwingGetters()),
  // Every string key throws; symbols do not, so fast-check can still print a counterexample holding it.
  fc.constant(null).map(() => new Proxy({}, { get: (_, key) => { if (key === fc.toStringMethod) return () => '<proxy whose every key throws>'; if (typeof key === 'symbol' || key === 'constructor') return undefined; throw CALLERS_OWN; } })),
);

function throwingGetters(): object {
  const o: Record<string | symbol, unknown> = { [fc.toStringMethod]: () => '<object whose getters throw>' };
  for (const k of ['value', 'grad', 'shape', 'dtype', 'name', 'length', 'seed', 'lr', 'x', 'features', 'labels', 'graph', 'optimizer', 'accumulate', 'strict', 'options', 'type', 'params']) {
    Object.defineProperty(o, k, { get: () => { throw CALLERS_OWN; }, enumerable: true });
  }
  return o;
}

type Entry = [name: string, call: (a: unknown, b: unknown, c: unknown) => unknown];

const t2 = (): Tensor => Tensor.from([[1, 2]]);
const params = (): optim.Parameter[] => [{ value: Tensor.from([1, 2]), grad: Tensor.from([0.1, 0.2]), name: 'p' }];
const A = <T>(v: unknown): T => v as T;

/** Every entry point, each called on fresh fixtures where it changes them. */
const entries: Entry[] = [
  // core: Tensor
  ['new Tensor', (a, b) => new Tensor(A(a), A(b))],
  ['Tensor.from', (a, b) => Tensor.from(A(a), A(b))],
  ['Tensor.zeros', (a, b) => Tensor.zeros(A(a), A(b))],
  ['Tensor.ones', (a, b) => Tensor.ones(A(a), A(b))],
  ['Tensor.full', (a, b, c) => Tensor.full(A(a), A(b), A(c))],
  ['Tensor.reuse', (a, b, c) => Tensor.reuse(A(a), A(b), A(c))],
  ['tensor.reshape', (a) => t2().reshape(A(a))],
  ['tensor.astype', (a) => t2().astype(A(a))],
  ['tensor.copyFrom', (a) => t2().copyFrom(A(a))],
  ['tensor.fill', (a) => t2().fill(A(a))],
  ['tensor.item', () => t2().item()],
  // core: Random
  ['new Random', (a) => new Random(A(a))],
  ['random.seed', (a) => new Random(1).seed(A(a))],
  ['random.setState', (a) => new Random(1).setState(A(a))],
  ['random.randn', (a, b) => new Random(1).randn(A(a), A(b))],
  ['random.rand', (a, b) => new Random(1).rand(A(a), A(b))],
  ['random.permutation', (a) => new Random(1).permutation(A(a))],
  ['random.shuffle', (a) => new Random(1).shuffle(A(a))],
  ['random.uniform/normal/int', (a, b) => [new Random(1).uniform(A(a), A(b)), new Random(1).normal(A(a), A(b)), new Random(1).int(A(a))]],
  // core: shapes
  ['broadcastShapes', (a, b) => core.broadcastShapes(A(a), A(b))],
  ['checkOption', (a, b, c) => core.checkOption('fuzz', 'k', a, A(b), A(c))],
  ['readOptions', (a) => core.readOptions('fuzz', a, { k: 'number' })],
  // core: graph building
  ['new ComputationalGraph', (a, b) => new ComputationalGraph(A(a), A(b))],
  ['graph.input', (a, b) => fixture().g.input(A(a), A(b))],
  ['graph.parameter', (a, b) => fixture().g.parameter(A(a), A(b))],
  ['graph.constant', (a, b) => fixture().g.constant(A(a), A(b))],
  ['graph.gate', (a, b, c) => fixture().g.gate(A(a), A(b), A(c))],
  ['graph.gate (valid inputs, odd options)', (a, b) => fixture().g.gate('ScaleGate', ['y'], A({ name: a, options: b }))],
  ['graph.gate (Linear, odd options)', (a, b) => fixture().g.gate('Linear', ['x'], { options: A({ inFeatures: a, outFeatures: b }) })],
  ['graph.setOutput', (a) => fixture().g.setOutput(A(a))],
  ['graph.setRequiresGrad', (a, b) => fixture().g.setRequiresGrad(A(a), A(b))],
  ['graph.node', (a) => fixture().g.node(A(a))],
  ['graph.group', (a) => fixture().g.group(A(a))],
  ['graph.train', (a) => fixture().g.train(A(a))],
  // core: running
  ['graph.forward', (a) => fixture().g.forward(A(a))],
  ['graph.forward ({ x: a, y: b })', (a, b) => fixture().g.forward(A({ x: a, y: b }))],
  ['graph.forwardInputs', (a) => fixture().g.forwardInputs(A(a))],
  ['graph.backward', (a) => { const { g } = fixture(); g.forward({ x: [[1, 2]], y: 1 }); g.backward(A(a)); }],
  ['graph.backward ({ seed: a, accumulate: b })', (a, b) => { const { g } = fixture(); g.forward({ x: [[1, 2]], y: 1 }); g.backward(A({ seed: a, accumulate: b })); }],
  ['gradcheckGraph', (a, b) => core.gradcheckGraph(fixture().g, A(a), A(b))],
  // core: container
  ['bindGate', (a, b) => core.bindGate(core.createContainer(), A(a), A(b))],
  ['bindGate (container)', (a) => core.bindGate(A(a), core.createContainer === a ? A(a) : optim.SGD === a ? A(a) : A(class {}))],
  ['createKernel', (a) => core.createKernel(A(a)).dispose?.()],
  // core: save and load
  ['saveGraph', (a, b) => core.saveGraph(A(a), A(b))],
  ['saveGraph (options)', (a) => core.saveGraph(fixture().g, A(a))],
  ['saveParameters', (a, b) => core.saveParameters(A(a), A(b))],
  ['loadGraph', (a, b) => core.loadGraph(A(a), A(b))],
  ['loadGraph (container)', (a) => core.loadGraph(core.saveGraph(shared.g), A(a))],
  ['loadParameters', (a, b, c) => core.loadParameters(A(a), A(b), A(c))],
  ['loadParameters (file)', (a, b) => core.loadParameters(fixture().g, A(a), A(b))],
  ['parseSaved', (a) => core.parseSaved(A(a))],
  ['decodeTensor', (a, b) => core.decodeTensor(A(a), A(b))],
  ['encodeTensor', (a) => core.encodeTensor(A(a))],
  // gates
  ['mlp', (a, b, c) => mlp(fixture().g, A(a), A(b), A(c))],
  ['new Linear', (a) => new Linear(A(a))],
  ['linear.forward', (a) => new Linear({ inFeatures: 2, outFeatures: 1 }).forward(A(a))],
  // optim
  ...(['SGD', 'Adam', 'AdamW', 'Adagrad', 'RMSProp'] as const).flatMap((k): Entry[] => [
    [`new ${k}`, (a, b) => new optim[k](A(a), A(b))],
    [`new ${k} (valid params)`, (a) => new optim[k](params(), A(a))],
    [`${k}.loadState`, (a) => new optim[k](params()).loadState(A(a))],
    [`${k}.lr =`, (a) => { new optim[k](params()).lr = A(a); }],
  ]),
  ['gradNorm', (a) => optim.gradNorm(A(a))],
  ['clipGradNorm', (a, b) => optim.clipGradNorm(A(a), A(b))],
  ['argmaxRows', (a, b) => optim.argmaxRows(A(a), A(b))],
  ['countCorrect', (a, b, c) => optim.countCorrect(A(a), A(b), A(c))],
  ['oneHot', (a, b) => optim.oneHot(A(a), A(b))],
  ['fromOneHot', (a, b) => optim.fromOneHot(A(a), A(b))],
  ['splitIndices', (a, b) => optim.splitIndices(A(a), A(b))],
  ['trainTestSplit', (a, b) => optim.trainTestSplit(A(a), A(b))],
  ['new MiniBatches', (a, b, c) => new optim.MiniBatches(A(a), A(b), A(c))],
  ['Standardizer.fit', (a) => optim.Standardizer.fit(A(a), A(2))],
  ['accuracy', (a, b) => optim.accuracy(A(a), A(b))],
  ['confusionMatrix', (a, b, c) => optim.confusionMatrix(A(a), A(b), A(c))],
  ['predict', (a, b) => optim.predict(fixture().g, A(a), A(b))],
  ['new StepDecay', (a) => new optim.StepDecay(A(a))],
  ['new CosineAnnealing', (a) => new optim.CosineAnnealing(A(a))],
  ['new Scheduler', (a, b) => new optim.Scheduler(A(a), A(b))],
  ['new Trainer', (a) => new optim.Trainer(A(a))],
  ['new Trainer (options)', (a, b) => { const { g } = fixture(); return new optim.Trainer(A({ graph: g, features: a, labels: b, optimizer: new optim.SGD(g.parameters()) })); }],
  ['trainer.fit', (a, b) => { const { g } = fixture(); new optim.Trainer({ graph: g, features: 'x', labels: 'y', optimizer: new optim.SGD(g.parameters()) }).fit(A(a), A(b)); }],
  ['evaluate', (a, b) => optim.evaluate(fixture().g, A(a), A(b))],
  // viz
  ['toDot', (a, b) => viz.toDot(A(a), A(b))],
  ['toDot (options)', (a) => viz.toDot(fixture().g, A(a))],
  ['formatNumber', (a, b) => viz.formatNumber(A(a), A(b))],
  ['formatTensor', (a, b) => viz.formatTensor(A(a), A(b))],
  ['formatValues', (a, b) => viz.formatValues(A(a), A(b))],
  ['tensorStats', (a) => viz.tensorStats(A(a))],
  ['traceBackward', (a, b) => viz.traceBackward(A(a), A(b))],
  ['healthReport', (a, b) => viz.healthReport(A(a), A(b))],
  ['healthReport (options)', (a) => { const { g } = fixture(); g.forward({ x: [[1, 2]], y: 1 }); return viz.healthReport(g, A(a)); }],
  ['formatHealthReport', (a) => viz.formatHealthReport(A(a))],
  // eager (cheap ones)
  ['eager.value', (a, b) => eager.value(A(a), A(b))],
  ['eager.add', (a, b) => eager.add(A(a), A(b))],
  ['eager.matmul', (a, b) => eager.matmul(A(a), A(b))],
  ['eager.sum', (a, b) => eager.sum(A(a), A(b))],
  ['eager.toGraph', (a, b) => eager.toGraph(A(a), A(b))],
  // onnx
  ['exportOnnx', (a, b) => onnx.exportOnnx(A(a), A(b))],
  ['importOnnx', (a, b) => onnx.importOnnx(A(a), A(b))],
];

/** Per entry point: calls tried, how many threw a ChainruleError, how many succeeded. */
const tally = new Map<string, { calls: number; refused: number; ok: number; callers: number }>();

describe('property (c): wrong types at any public entry point throw only ChainruleError', () => {
  test.each(entries)('%s', (name, call) => {
    const t = { calls: 0, refused: 0, ok: 0, callers: 0 };
    tally.set(name, t);
    fc.assert(
      fc.property(hostile, hostile, hostile, (a, b, c) => {
        t.calls++;
        try {
          call(a, b, c);
          t.ok++;
        } catch (e) {
          if (e === CALLERS_OWN) {
            t.callers++;
            return;
          }
          if (!(e instanceof ChainruleError)) throw new Error(`${name} threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
          expect(e.message.length).toBeGreaterThan(10); // says something
          t.refused++;
        }
      }),
      { numRuns: RUNS },
    );
  });

  afterAll(() => {
    let calls = 0;
    let refused = 0;
    for (const t of tally.values()) {
      calls += t.calls;
      refused += t.refused;
    }
    if (process.env.FC_ENTRY_REPORT) console.log(`entry points: ${tally.size}, calls: ${calls}, ChainruleError: ${refused}, succeeded or caller's own: ${calls - refused}`);
  });
});
