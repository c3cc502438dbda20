// Issue 15, property (a): corrupt any byte or any field of a saved document (graph, parameters, batch
// norm running statistics, optimizer state, trainer history and shuffle state) and loading either
// refuses it with a SerializationError, leaving the target graph, optimizer and container bit for bit
// as they were, or loads a model equal to the original (the corruption did not change the content,
// e.g. `1e-8` -> `1E-8` or a space -> a tab). Re-sealed edits (checksum recomputed, as a hostile
// author would) must still give only SerializationError or a load, never another error, a hang or a
// half-written target.
//
// A fixed seed keeps CI deterministic: FC_SEED explores other draws (fast-check prints the seed of a
// failure) and FC_RUNS sets the runs of every property (e.g. FC_RUNS=5000 for a long hunt).
import 'reflect-metadata';
import {
  ChainruleError,
  ComputationalGraph,
  documentChecksum,
  GateRegistry,
  loadGraph,
  loadParameters,
  namedParameters,
  parseSaved,
  Random,
  saveGraph,
  SerializationError,
  Tensor,
} from '@chainrule/core';
import { cnn, createGatesContainer, mlp } from '@chainrule/gates';
import { Adam, Optimizer, OptimizerState, SGD, Trainer } from '@chainrule/optim';
import type { Container } from 'inversify';
import fc from 'fast-check';

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261202) });
const runs = (n: number): number => Number(process.env.FC_RUNS ?? n);

interface Fixture {
  name: string;
  json: string;
  space: number | undefined;
  /** A fresh graph and optimizer of the same architecture with other values: the target of a load. */
  target: () => { graph: ComputationalGraph; optimizer: Optimizer };
}

/** An MLP of two Linear composites with a constant, trained by the Trainer with Adam; history and shuffle state saved. */
function mlpGraph(seed: number): ComputationalGraph {
  const g = new ComputationalGraph(createGatesContainer());
  g.input('x', { shape: [null, 3] });
  g.input('y', { requiresGrad: false });
  const h = mlp(g, 'x', [3, 4, 2], 'TanhGate', { seed });
  const scaled = g.gate('MultiplyGate', [h, g.constant('temperature', Tensor.from([0.5, 2]))], { name: 'scaled' });
  g.gate('SoftmaxCrossEntropyGate', [scaled, 'y'], { name: 'loss' });
  return g;
}

function mlpFixture(): Fixture {
  const g = mlpGraph(5);
  const rng = new Random(7);
  const data = { features: rng.randn([12, 3]).data, labels: Array.from({ length: 12 }, () => rng.int(2)) };
  const trainer = new Trainer({ graph: g, optimizer: new Adam(g.parameters(), { lr: 0.05 }), features: 'x', labels: 'y', batchSize: 4, seed: 3 });
  const history = trainer.fit(data, { epochs: 2 }).history;
  const json = saveGraph(g, { optimizer: (trainer.optimizer as Adam).state(), history, metadata: { shuffle: trainer.rng.getState() } });
  return {
    name: 'MLP + Adam + Trainer history',
    json,
    space: undefined,
    target: () => {
      const graph = mlpGraph(9);
      return { graph, optimizer: new Adam(graph.parameters(), { lr: 0.05 }) };
    },
  };
}

/** A float32 CNN with batch norm (running mean and variance moved by training) and SGD with momentum; indented. */
function cnnGraph(seed: number): ComputationalGraph {
  const g = new ComputationalGraph(createGatesContainer());
  const x = g.input('x');
  const y = g.input('y', { requiresGrad: false });
  const scores = cnn(g, x, { inputShape: [1, 6, 6], conv: [{ channels: 2, kernel: 3, padding: 1 }], classes: 2, batchNorm: true, dtype: 'float32', seed });
  g.gate('SoftmaxCrossEntropyGate', [scores, y], { name: 'loss' });
  return g;
}

function cnnFixture(): Fixture {
  const g = cnnGraph(1);
  const opt = new SGD(g.parameters(), { lr: 0.05, momentum: 0.9 });
  const rng = new Random(11);
  const losses: number[] = [];
  for (let step = 0; step < 3; step++) {
    losses.push(g.forward({ x: rng.randn([4, 1, 6, 6], { dtype: 'float32' }), y: Tensor.from([0, 1, 1, 0], { dtype: 'float32' }) }).item());
    g.backward();
    opt.step();
  }
  const mean = namedParameters(g).get('conv1_bn/running_mean')!.value!;
  expect(Array.from(mean.data).some((v) => v !== 0)).toBe(true); // the running statistics moved
  return {
    name: 'CNN + batch norm + SGD momentum',
    json: saveGraph(g, { optimizer: opt.state(), history: { losses, best: -Infinity }, space: 1 }),
    space: 1,
    target: () => {
      const graph = cnnGraph(2);
      return { graph, optimizer: new SGD(graph.parameters(), { lr: 0.05, momentum: 0.9 }) };
    },
  };
}

const fixtures = [mlpFixture(), cnnFixture()];

// ---- what "target unchanged" and "equals the original" mean -------------------------------------

function bitsOf(g: ComputationalGraph): string {
  return [...namedParameters(g)].map(([k, n]) => `${k}:${Buffer.from(n.value!.data.buffer, n.value!.data.byteOffset, n.value!.data.byteLength).toString('base64')}`).join(',');
}

interface Target {
  graph: ComputationalGraph;
  optimizer: Optimizer;
  container: Container;
  snapshot: () => string;
}

function makeTarget(f: Fixture): Target {
  const { graph, optimizer } = f.target();
  const container = createGatesContainer();
  // Exact: the optimizer's state with every number's bits, the graph's parameter bytes, the container's gates.
  const snapshot = (): string => [bitsOf(graph), JSON.stringify(optimizer.state(), (_k, v) => (typeof v === 'number' ? Array.from(new Uint8Array(new Float64Array([v]).buffer)).join('.') : v)), GateRegistry.of(container).names().join()].join('|');
  return { graph, optimizer, container, snapshot };
}

type Outcome = 'refused' | 'equal' | 'loaded';

function expectSerializationError(f: () => unknown): SerializationError {
  try {
    f();
  } catch (e) {
    if (!(e instanceof SerializationError)) throw new Error(`expected a SerializationError, got ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`);
    expect(e.message).toMatch(/^(load|loadGraph|loadParameters)\b/);
    return e;
  }
  throw new Error('expected a SerializationError, the call succeeded');
}

/** Unsealed corruption: refused with the target untouched, or loads and equals the original. */
function checkUnsealed(f: Fixture, doc: string): Outcome {
  const t = makeTarget(f);
  const before = t.snapshot();
  let parsed;
  try {
    parsed = parseSaved(doc);
  } catch {
    expectSerializationError(() => parseSaved(doc));
    expectSerializationError(() => loadGraph(doc, t.container));
    expectSerializationError(() => loadParameters(t.graph, doc));
    expect(t.snapshot()).toBe(before);
    return 'refused';
  }
  // It loads: then everything in it must be the original, bit for bit (re-saving gives the same file).
  const loaded = loadGraph(doc, t.container);
  expect(saveGraph(loaded, { optimizer: parsed.optimizer, history: parsed.history, metadata: parsed.metadata, space: f.space })).toBe(f.json);
  loadParameters(t.graph, doc);
  t.optimizer.loadState(parsed.optimizer as OptimizerState);
  expect(t.optimizer.state()).toEqual(parseSaved(f.json).optimizer);
  return 'equal';
}

/** Re-sealed corruption: each call either succeeds or throws a SerializationError (the optimizer's own check a ChainruleError) with its target untouched. */
function checkResealed(f: Fixture, doc: string): Outcome {
  const t = makeTarget(f);
  let outcome: Outcome = 'loaded';
  const attempt = (call: () => unknown, target: () => string, isOptimizer = false): void => {
    const before = target();
    try {
      call();
    } catch (e) {
      outcome = 'refused';
      if (isOptimizer ? !(e instanceof ChainruleError) : !(e instanceof SerializationError)) throw e;
      expect(target()).toBe(before);
    }
  };
  attempt(() => loadGraph(doc, t.container), t.snapshot);
  attempt(() => loadParameters(t.graph, doc), t.snapshot);
  let parsed: ReturnType<typeof parseSaved> | undefined;
  attempt(() => (parsed = parseSaved(doc)), t.snapshot);
  if (parsed !== undefined) attempt(() => t.optimizer.loadState(parsed!.optimizer as OptimizerState), t.snapshot, true);
  return outcome;
}

// ---- corruptions ---------------------------------------------------------------------------------

type ByteEdit = { op: 'replace' | 'delete' | 'insert' | 'truncate'; at: number; byte: number };

const byteEdit = fc.record({ op: fc.constantFrom<ByteEdit['op']>('replace', 'replace', 'replace', 'delete', 'insert', 'truncate'), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) });

function applyByteEdit(json: string, e: ByteEdit): string {
  const bytes = Buffer.from(json, 'utf8');
  const at = e.at % bytes.length;
  let out: Buffer;
  if (e.op === 'replace') {
    out = Buffer.from(bytes);
    out[at] = e.byte === bytes[at] ? (e.byte + 1) & 255 : e.byte;
  } else if (e.op === 'delete') out = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
  else if (e.op === 'insert') out = Buffer.concat([bytes.subarray(0, at), Buffer.from([e.byte]), bytes.subarray(at)]);
  else out = bytes.subarray(0, at);
  return new TextDecoder().decode(out); // as a file read as UTF-8 would be (bad bytes become U+FFFD)
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type FieldEdit = { op: 'replace' | 'delete' | 'add-key' | 'duplicate'; pick: number; value: Json; key: string };

/** Every position in the document: [parent, key] pairs, the top level's included. */
function positions(doc: Json): [Json[] | Record<string, Json>, string | number][] {
  const out: [Json[] | Record<string, Json>, string | number][] = [];
  const stack: Json[] = [doc];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (Array.isArray(v)) v.forEach((c, i) => (out.push([v, i]), stack.push(c)));
    else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) out.push([v, k]), stack.push(v[k]);
  }
  return out;
}

// Values a corruption writes: any JSON, plus the ones most likely to slip through a lax check.
const anyValue: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  fc.constantFrom<Json>(0, -0, 1, -1, 1e9, 2 ** 32, 0.5, '', 'Linear', 'float32', 'float64', 'gate', [], {}, null, true, [6000, 6000], { $chainrule: 'tensor' }),
);
const fieldEdit = fc.record({
  op: fc.constantFrom<FieldEdit['op']>('replace', 'replace', 'delete', 'add-key', 'duplicate'),
  pick: fc.nat(),
  value: anyValue,
  key: fc.oneof(fc.constantFrom('shpae', 'crc', 'extra', '__proto__', 'constructor', '$chainrule', 'outFeature'), fc.string({ maxLength: 6 })),
});

function applyFieldEdit(json: string, e: FieldEdit): Record<string, unknown> {
  const doc = JSON.parse(json) as Json;
  const all = positions(doc);
  const [parent, key] = all[e.pick % all.length];
  const def = (o: Record<string, Json>, k: string, v: Json): void => void Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  if (Array.isArray(parent)) {
    const i = key as number;
    if (e.op === 'delete') parent.splice(i, 1);
    else if (e.op === 'duplicate') parent.splice(i, 0, JSON.parse(JSON.stringify(parent[i])));
    else if (e.op === 'add-key' && parent[i] !== null && typeof parent[i] === 'object' && !Array.isArray(parent[i])) def(parent[i] as Record<string, Json>, e.key, e.value);
    else parent[i] = e.value;
  } else {
    const k = key as string;
    if (e.op === 'delete') delete parent[k];
    else if (e.op === 'add-key') def(parent, e.key, e.value);
    else if (e.op === 'duplicate') def(parent, `${k}2`, parent[k]);
    else def(parent, k, e.value);
  }
  return doc as Record<string, unknown>;
}

// ---- the properties ------------------------------------------------------------------------------

const tally: Record<string, Record<Outcome, number>> = {};
function count(property: string, outcome: Outcome): void {
  tally[property] ??= { refused: 0, equal: 0, loaded: 0 };
  tally[property][outcome]++;
}

afterAll(() => {
  // The closing note of issue 15 reports these counts.
  const lines = Object.entries(tally).map(([p, c]) => `${p}: ${c.refused + c.equal + c.loaded} cases (${c.refused} refused, ${c.equal} loaded equal, ${c.loaded} loaded re-sealed)`);
  process.stdout.write(`serialize-fuzz\n${lines.join('\n')}\n`);
});

describe.each(fixtures)('$name', (f) => {
  test('the uncorrupted document loads and equals the original (the properties below compare against this)', () => {
    expect(checkUnsealed(f, f.json)).toBe('equal');
  });

  test('any byte replaced, deleted, inserted or the file cut: refused with SerializationError, target unchanged, or loads equal', () => {
    fc.assert(
      fc.property(byteEdit, (e) => count(`bytes ${f.name}`, checkUnsealed(f, applyByteEdit(f.json, e)))),
      { numRuns: runs(150) },
    );
  });

  test('any field replaced, deleted, duplicated or given an extra key: refused with SerializationError, target unchanged, or loads equal', () => {
    fc.assert(
      fc.property(fieldEdit, (e) => {
        const file = JSON.stringify(applyFieldEdit(f.json, e));
        const outcome = checkUnsealed(f, file);
        // Only a write of the same value can load (-0 over 0 is written as 0): anything else changed the content.
        if (outcome === 'equal') expect(documentChecksum(JSON.parse(file), 64, 'load')).toBe(JSON.parse(f.json).checksum);
        count(`fields ${f.name}`, outcome);
      }),
      { numRuns: runs(150) },
    );
  });

  test('the same field edits with the checksum recomputed: only SerializationError escapes, and a refused call writes nothing', () => {
    fc.assert(
      fc.property(fieldEdit, (e) => {
        const doc = applyFieldEdit(f.json, e);
        doc.checksum = documentChecksum(doc, 64, 'save');
        count(`re-sealed fields ${f.name}`, checkResealed(f, JSON.stringify(doc)));
      }),
      { numRuns: runs(100) },
    );
  });
});
