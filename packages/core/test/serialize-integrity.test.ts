// Issue 15, items 3-5: a saved document is checked whole (SHA-256 over everything), names only
// registered gates, declares sizes that are checked against a budget before any allocation, is
// bounded in depth, and refuses unknown fields; every failure a SerializationError naming where.
import 'reflect-metadata';
import {
  ComputationalGraph,
  decodeTensor,
  documentChecksum,
  encodeTensor,
  FORMAT_VERSION,
  GateRegistry,
  loadGraph,
  loadParameters,
  namedParameters,
  parseSaved,
  Random,
  saveGraph,
  saveParameters,
  SerializationError,
  Tensor,
} from '@chainrule/core';
import { createGatesContainer, Linear, mlp } from '@chainrule/gates';
import { Adam } from '@chainrule/optim';
import { injectable } from 'inversify';
import { withAllocationBudget } from '../src/allocation-budget';
import { resealed, thrownAs } from './saved-helpers';

function model(): ComputationalGraph {
  const g = new ComputationalGraph(createGatesContainer());
  g.input('x', { shape: [null, 3] });
  g.input('y', { requiresGrad: false });
  const h = mlp(g, 'x', [3, 4, 2], 'TanhGate', { seed: 5 });
  g.gate('ScaleGate', [h], { name: 'scaled', options: { a: 2 } });
  g.gate('SoftmaxCrossEntropyGate', ['scaled', 'y'], { name: 'loss' });
  return g;
}

const feeds = { x: [[0.5, -1, 2], [1, 0, -0.5]], y: [1, 0] };

function trainedFile(space?: number): string {
  const g = model();
  const opt = new Adam(g.parameters(), { lr: 0.1 });
  const history: number[] = [];
  for (let i = 0; i < 3; i++) {
    history.push(g.forward(feeds).item());
    g.backward();
    opt.step();
  }
  return saveGraph(g, { optimizer: opt.state(), history: { losses: history, epochs: [{ epoch: 0, loss: history[2] }] }, space });
}

const good = trainedFile();

const reseal = (change: (doc: any) => void, json = good): Record<string, unknown> => resealed(json, change);
const refusal = (f: () => unknown): SerializationError => thrownAs(f, SerializationError);

const values = (g: ComputationalGraph): number[][] => [...namedParameters(g).values()].map((n) => Array.from(n.value!.data));

describe('one checksum over the whole document', () => {
  test('the file carries format, version and a SHA-256; it loads and the same content gives the same checksum however it is laid out', () => {
    const doc = JSON.parse(good);
    expect(Object.keys(doc).slice(0, 3)).toEqual(['format', 'version', 'checksum']);
    expect(doc.version).toBe(FORMAT_VERSION);
    expect(doc.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
    const indented = JSON.stringify(doc, null, 2);
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(doc).reverse()));
    for (const json of [good, indented, reordered]) expect(values(loadGraph(json, createGatesContainer()))).toEqual(values(loadGraph(good, createGatesContainer())));
    expect(documentChecksum(JSON.parse(indented), 64, 'load')).toBe(doc.checksum);
  });

  // Each was loaded silently before (issue 15 item 3): an edit anywhere, tensors or not.
  const edits: [string, (json: string) => string][] = [
    ['a gate option (a: 2 -> 3)', (j) => j.replace('"options":{"a":2}', '"options":{"a":3}')],
    ['a misspelt option key', (j) => j.replace('"options":{"a":2}', '"options":{"A":2}')],
    ['a structure field (requiresGrad)', (j) => j.replace('"name":"y","requiresGrad":false', '"name":"y","requiresGrad":true')],
    ['a digit of the optimizer state', (j) => j.replace(/"step":3/, '"step":4')],
    ['a hyperparameter', (j) => j.replace('"lr":0.1', '"lr":0.2')],
    ['a digit of the training history', (j) => j.replace(/"epoch":0/, '"epoch":1')],
    ['0 -> -0 (equal for JSON.stringify, not for a model)', (j) => j.replace('"epoch":0', '"epoch":-0')],
    ['the graph options', (j) => j.replace('"finiteCheck":false', '"finiteCheck":true')],
    ['a tensor value with its CRC-32 recomputed', (j) => {
      const doc = JSON.parse(j);
      const t = decodeTensor(doc.parameters['fc1/W']);
      t.data[0] += 1;
      doc.parameters['fc1/W'] = encodeTensor(t);
      return JSON.stringify(doc);
    }],
  ];

  test.each(edits)('%s: refused by the checksum, naming the field when it can; the target is untouched', (_name, change) => {
    const edited = change(good);
    expect(edited).not.toBe(good);
    const target = model();
    const before = values(target);
    for (const f of [() => parseSaved(edited), () => loadGraph(edited, createGatesContainer()), () => loadParameters(target, edited)]) {
      expect(refusal(f).message).toMatch(/load: \$\.checksum does not match the document \(file says sha256:[0-9a-f]{64}, content gives sha256:[0-9a-f]{64}\): the file was corrupted or edited after it was saved/);
    }
    expect(values(target)).toEqual(before);
  });

  test('damage in a tensor says which: its CRC-32 still localises it', () => {
    const doc = JSON.parse(good);
    const d: string = doc.parameters['fc2/W'].data;
    doc.parameters['fc2/W'].data = (d[0] === 'A' ? 'B' : 'A') + d.slice(1);
    expect(refusal(() => parseSaved(doc)).message).toMatch(/damage includes \$\.parameters\["fc2\/W"\], whose bytes fail their CRC-32/);
  });

  test("parseSaved checks every tensor's CRC-32 as it says, even under a recomputed document checksum", () => {
    const doc = reseal((d) => {
      const s: string = d.parameters['fc1/b'].data;
      d.parameters['fc1/b'].data = (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    });
    expect(refusal(() => parseSaved(doc)).message).toMatch(/\$\.parameters\["fc1\/b"\] \(parameter 'fc1\/b'\): checksum mismatch/);
  });

  test('expectedChecksum pins the document: a checksum from a trusted place makes a re-sealed edit fail', () => {
    const pinned = JSON.parse(good).checksum as string;
    expect(() => loadGraph(good, createGatesContainer(), { expectedChecksum: pinned })).not.toThrow();
    const forged = reseal((d) => (d.graph.nodes.find((n: { name: string }) => n.name === 'scaled').options.a = 3));
    expect(() => loadGraph(forged, createGatesContainer())).not.toThrow(); // not a signature: a re-sealed edit loads...
    expect(refusal(() => loadGraph(forged, createGatesContainer(), { expectedChecksum: pinned })).message).toMatch(/not the expected "sha256:[0-9a-f]{8}.*it is another document/);
  });

  test('version 1 files (no whole-document checksum) and unknown versions are refused, saying which version is read', () => {
    const v1 = JSON.stringify({ format: 'chainrule', version: 1, parameters: {} });
    expect(refusal(() => parseSaved(v1)).message).toMatch(/file format version 1 is not supported \(this chainrule reads version 2\) \(version 1 files carry no whole-document checksum.*re-save the model\)/);
    expect(refusal(() => parseSaved(reseal((d) => (d.version = 3)))).message).toMatch(/version 3 is not supported \(this chainrule reads version 2\)$/);
    const unsealed = JSON.parse(good);
    delete unsealed.checksum;
    expect(refusal(() => parseSaved(unsealed)).message).toMatch(/\$\.checksum is missing, expected 'sha256:' and 64 hex digits/);
  });
});

describe('loading creates only registered gates', () => {
  test('a name bound in the container to something that is not a registered gate is refused before anything is constructed', () => {
    let constructed = 0;
    @injectable()
    class Service {
      constructor() {
        constructed++;
      }
      forward(): Tensor {
        return Tensor.from(666);
      }
      backward(): Tensor[] {
        return [];
      }
    }
    const c = createGatesContainer();
    c.bind('Service').to(Service);
    const doc = reseal((d) => (d.graph.nodes.find((n: { name: string }) => n.name === 'scaled').gate = 'Service'));
    expect(refusal(() => loadGraph(doc, c)).message).toMatch(/node 'scaled' uses gate 'Service', not registered in the container/);
    expect(constructed).toBe(0);
  });
});

describe('unknown fields are refused, not ignored', () => {
  const cases: [string, (d: any) => void, RegExp][] = [
    ['top level', (d) => (d.extra = 1), /\$ has an unknown field 'extra' \(allowed: format, version, checksum/],
    ['a node', (d) => (d.graph.nodes[0].shpae = [1]), /\$\.graph\.nodes\[0\] \(node 'x'\) has an unknown field 'shpae'/],
    ['graph options', (d) => (d.graph.options.finiteChek = true), /\$\.graph\.options has an unknown field 'finiteChek'/],
    ['the graph', (d) => (d.graph.outputs = ['loss']), /\$\.graph has an unknown field 'outputs'/],
    ['a tensor', (d) => (d.parameters['fc1/W'].crc = 1), /\$\.parameters\["fc1\/W"\] \(parameter 'fc1\/W'\) has an unknown field 'crc'/],
    ['a tagged value', (d) => (d.history.losses[0] = { $chainrule: 'number', value: 'NaN', note: 1 }), /\$\.history\.losses\[0\] has an unknown field 'note'/],
    ['a misspelt Linear option', (d) => (d.graph.nodes.find((n: { name: string }) => n.name === 'fc1').options.outFeature = 4), /node 'fc1' \(Linear\): Linear: unknown option 'outFeature'/],
    ['a misspelt ScaleGate option', (d) => (d.graph.nodes.find((n: { name: string }) => n.name === 'scaled').options = { A: 2 }), /ScaleGate: unknown option 'A' \(did you mean 'a'\?\) \(expected 'a'\)/],
    ['options on a gate that takes none', (d) => (d.graph.nodes.find((n: { name: string }) => n.name === 'loss').options = { a: 1 }), /this gate takes no options/],
  ];
  test.each(cases)('%s (checksum recomputed)', (_name, change, pattern) => {
    expect(refusal(() => loadGraph(reseal(change), createGatesContainer())).message).toMatch(pattern);
  });

  test('every registered gate refuses a misspelt option key', () => {
    const container = createGatesContainer();
    const names = GateRegistry.of(container).names();
    expect(names.length).toBeGreaterThan(30);
    for (const gate of names) {
      const g = new ComputationalGraph(createGatesContainer());
      g.input('x');
      const doc = reseal((d) => d.graph.nodes.push({ kind: 'gate', name: 'probe', gate, inputs: ['x'], options: { notAnOption: 1 } }), saveGraph(g));
      const message = refusal(() => loadGraph(doc, container)).message;
      expect([gate, message]).toEqual([gate, expect.stringMatching(/unknown option 'notAnOption'|takes no options/)]);
    }
  });
});

describe('sizes are checked against a budget before anything is allocated', () => {
  const refuseAll = (n: number): Error => new Error(`allocated ${n} values`);

  test('a Linear whose options ask for 6000×6000 while its saved weights are 3×4 (and b 4) is refused before it allocates or draws them', () => {
    const doc = reseal((d) => Object.assign(d.graph.nodes.find((n: { name: string }) => n.name === 'fc1').options, { inFeatures: 6000, outFeatures: 6000 }));
    const t0 = performance.now();
    const e = refusal(() => loadGraph(doc, createGatesContainer()));
    const ms = performance.now() - t0;
    expect(e.message).toMatch(/gate node 'fc1' \(Linear\) with options \{"inFeatures":6000,"outFeatures":6000,.*asked to allocate 36000000 values, more than the 65552 left of its budget \(16 in its saved parameters \+ 65536/);
    expect(ms).toBeLessThan(500); // allocating and drawing 36 M values took 3.4 s before
  });

  test('a Conv2D of 5000×5000×3×3 likewise, and 20000×20000 even with maxElements raised', () => {
    const g = new ComputationalGraph(createGatesContainer());
    g.gate('Conv2D', [g.input('x')], { name: 'conv', options: { inChannels: 1, outChannels: 2, kernel: 3 } });
    const conv = reseal((d) => Object.assign(d.graph.nodes[1].options, { inChannels: 5000, outChannels: 5000 }), saveGraph(g));
    expect(refusal(() => loadGraph(conv, createGatesContainer())).message).toMatch(/gate node 'conv' \(Conv2D\).*asked to allocate 225000000 values/);
    const big = reseal((d) => Object.assign(d.graph.nodes.find((n: { name: string }) => n.name === 'fc1').options, { inFeatures: 20000, outFeatures: 20000 }));
    expect(refusal(() => loadGraph(big, createGatesContainer(), { maxElements: 2 ** 40 })).message).toMatch(/asked to allocate 400000000 values/);
  });

  test('a layer that really is large loads: its budget is what its saved parameters hold', () => {
    const g = new ComputationalGraph(createGatesContainer());
    g.gate(Linear, [g.input('x')], { name: 'big', options: { inFeatures: 300, outFeatures: 250 } });
    const loaded = loadGraph(saveGraph(g), createGatesContainer());
    expect(values(loaded)).toEqual(values(g));
  });

  test('declared tensor sizes over maxElements are refused before any tensor is decoded', () => {
    const declared = [...namedParameters(model()).values()].reduce((n, p) => n + p.value!.size, 0);
    const e = withAllocationBudget(0, refuseAll, () => refusal(() => parseSaved(good, { maxElements: declared - 1 })));
    expect(e.message).toMatch(new RegExp(`the file declares ${declared} tensor values, more than the budget of ${declared - 1} \\(option maxElements\\); nothing was allocated`));
    expect(() => parseSaved(good, { maxElements: declared * 5 })).not.toThrow();
    expect(refusal(() => parseSaved(good, { maxElements: -1 })).message).toMatch(/option maxElements is -1/);
  });
});

describe('nesting depth is bounded', () => {
  const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);

  test('a training history nested 20,000 deep is a SerializationError naming where, not a stack overflow', () => {
    const json = good.replace(/"history":.*$/, `"history":${deep(20000)}}`);
    expect(json).toContain('[[[[[[');
    for (const f of [() => parseSaved(json), () => loadGraph(json, createGatesContainer()), () => loadParameters(model(), json)]) {
      expect(refusal(f).message).toMatch(/load: \$\.history(\[0\])+\.\.\.(\[0\])+ is nested more than 64 levels deep \(the limit, option maxDepth\)/);
    }
    expect(refusal(() => parseSaved(good, { maxDepth: 3 })).message).toMatch(/nested more than 3 levels/);
  });

  test('saving refuses what loading would (deep history, cyclic state), and a cyclic object handed to parseSaved is refused', () => {
    let nested: unknown[] = [];
    const root = nested;
    for (let i = 0; i < 20000; i++) nested.push((nested = []));
    expect(refusal(() => saveGraph(model(), { history: root })).message).toMatch(/save: history(\[0\])+ is nested more than 64 levels deep in the document/);
    const cyclic: Record<string, unknown> = JSON.parse(good);
    (cyclic.history as Record<string, unknown>).self = cyclic;
    expect(refusal(() => parseSaved(cyclic)).message).toMatch(/nested more than 64 levels/);
  });
});

describe('parameter names that are also Object.prototype names', () => {
  test('constructor, toString and __proto__ survive save and load', () => {
    const g = new ComputationalGraph(createGatesContainer());
    for (const [i, name] of ['constructor', 'toString', '__proto__', 'hasOwnProperty'].entries()) g.parameter(name, new Random(i).randn([2]));
    const json = saveParameters(g);
    const h = new ComputationalGraph(createGatesContainer());
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) h.parameter(name, Tensor.zeros([2]));
    loadParameters(h, json);
    expect(values(h)).toEqual(values(g));
    expect(Object.keys(parseSaved(json).parameters)).toEqual(['constructor', 'toString', '__proto__', 'hasOwnProperty']);
  });
});
