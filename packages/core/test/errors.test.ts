// Every error a user can meet at a public entry point: its class (a ChainruleError subclass) and a
// message that names the node, the gate and what was expected against what came.
import 'reflect-metadata';
import {
  ArityError,
  BackwardBeforeForwardError,
  bindGate,
  ChainruleError,
  CompositeGate,
  ComputationalGraph,
  createContainer,
  CycleError,
  DTypeError,
  FeedError,
  Gate,
  GradientContractError,
  GraphNode,
  InvalidArgumentError,
  NonFiniteError,
  ShapeError,
  Tensor,
  UnknownGateError,
} from '@chainrule/core';
import { AddGate, ConcatGate, MultiplyGate, ReciprocalGate, ReLUGate, ScaleGate, SigmoidGate } from '@chainrule/gates';
import { injectable } from 'inversify';

type ErrorClass = abstract new (...args: never[]) => Error;

/** Runs f, expects an error of class `cls` (and ChainruleError) whose message matches every pattern. */
function expectError(f: () => unknown, cls: ErrorClass, ...patterns: (RegExp | string)[]): Error {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  if (caught === undefined) throw new Error(`expected ${cls.name}, but nothing was thrown`);
  expect(caught).toBeInstanceOf(cls);
  expect(caught).toBeInstanceOf(ChainruleError);
  for (const p of patterns) expect((caught as Error).message).toMatch(p);
  return caught as Error;
}

/** A graph whose container binds gate classes on first use. */
const newGraph = (options: { finiteCheck?: boolean; strictGates?: boolean } = {}): ComputationalGraph =>
  new ComputationalGraph(createContainer(), { ...options });

describe('wrong arity', () => {
  test('in a graph: names the node, the gate, expected and got', () => {
    const g = newGraph();
    const x = g.input('x');
    expectError(() => g.gate(AddGate, [x], { name: 'q' }), ArityError, "node 'q' (AddGate): expected 2 inputs, got 1 ('x')");
    expectError(() => g.gate(ConcatGate, [], { name: 'c' }), ArityError, "node 'c' (ConcatGate): expected at least 1 inputs, got 0 (none)");
  });

  test('a gate called directly', () => {
    expectError(() => new MultiplyGate().forward(Tensor.from(1), Tensor.from(2), Tensor.from(3)), ArityError, 'MultiplyGate.forward: expected 2 inputs, got 3');
    expectError(() => new ReLUGate().forward(), ArityError, 'ReLUGate.forward: expected 1 input, got 0');
  });

  test('a composite gate', () => {
    @injectable()
    class Twice extends CompositeGate {
      readonly arity = 1;
      protected build(g: ComputationalGraph, [x]: GraphNode[]): GraphNode {
        return g.gate(AddGate, [x, x]);
      }
    }
    const g = newGraph();
    const a = g.input('a');
    const b = g.input('b');
    // A composite expands when added, so its arity is checked then, and nothing is added.
    const e = expectError(() => g.gate(Twice, [a, b], { name: 't' }), ArityError, "node 't' (Twice): expected 1 input, got 2");
    expect(e).toMatchObject({ node: 't', gate: 'Twice' });
    expect(g.nodes.map((n) => n.name)).toEqual(['a', 'b']);
    expectError(() => new Twice().forward(Tensor.from(1), Tensor.from(2)), ArityError, 'Twice.forward: expected 1 input, got 2');
  });

  test('a non-tensor passed to a gate', () => {
    expectError(() => new AddGate().forward(Tensor.from(1), 3 as never), InvalidArgumentError, 'AddGate.forward input 1: expected a Tensor, got number');
  });
});

describe('shapes', () => {
  test('that do not broadcast', () => {
    const g = newGraph();
    g.gate(AddGate, [g.input('x'), g.input('y')], { name: 'q' });
    expectError(
      () => g.forward({ x: [[1, 2, 3], [4, 5, 6]], y: [1, 2] }),
      ShapeError,
      "node 'q' (AddGate): AddGate.forward: shapes [2, 3] and [2] do not broadcast (axis 1 of the result: 3 against 2",
    );
  });

  test('that do not multiply (MatMulGate)', () => {
    const { MatMulGate } = jest.requireActual('@chainrule/gates') as Record<string, new () => Gate>;
    if (!MatMulGate) return; // not built in (yet)
    const g = newGraph();
    g.gate(MatMulGate, [g.input('x'), g.parameter('W', Tensor.zeros([4, 2]))], { name: 'mm' });
    expectError(() => g.forward({ x: Tensor.zeros([5, 3]) }), ShapeError, "node 'mm' (MatMulGate)", /\[5, 3\] and \[4, 2\] do not multiply/);
  });

  test('a dout of the wrong shape given to a gate directly', () => {
    const s = new SigmoidGate();
    s.forward(Tensor.zeros([2, 3]));
    expectError(() => s.backward(Tensor.zeros([3, 2])), ShapeError, "SigmoidGate.backward: dout must have the output's shape [2, 3], got [3, 2]");
  });

  test('a seed of the wrong shape, and a missing seed for a non-scalar output', () => {
    const g = newGraph();
    g.gate(SigmoidGate, [g.input('x')], { name: 's' });
    g.forward({ x: [1, 2] });
    expectError(() => g.backward(), ShapeError, "backward: node 's' (SigmoidGate) has shape [2]; an implicit seed dL/dL = 1 needs a one-element output");
    expectError(() => g.backward({ seed: Tensor.zeros([3]) }), ShapeError, "backward: seed must have the output's shape [2], got [3]");
  });
});

describe('feeds', () => {
  const graph = (): ComputationalGraph => {
    const g = newGraph();
    g.gate(MultiplyGate, [g.input('x', { shape: [null, 2], dtype: 'float32' }), g.input('y')], { name: 'f' });
    return g;
  };
  const x = Tensor.zeros([3, 2], 'float32');

  test('missing', () => {
    expectError(() => graph().forward({ x }), FeedError, "forward: no feed for input 'y', which node 'f' (MultiplyGate) depends on (fed: x)");
  });
  test('unknown', () => {
    expectError(() => graph().forward({ x, y: 1, z: 2 }), FeedError, "forward: 'z' is not an input of this graph (inputs: x, y)");
    expectError(() => graph().forward({ x, y: 1, f: 2 }), FeedError, "forward: 'f' is not an input of this graph");
  });
  test('of the wrong shape', () => {
    expectError(() => graph().forward({ x: Tensor.zeros([3, 4], 'float32'), y: 1 }), ShapeError, "forward: input 'x' expects shape [*, 2], got [3, 4]");
    expectError(() => graph().forward({ x: Tensor.zeros([2], 'float32'), y: 1 }), ShapeError, "input 'x' expects shape [*, 2], got [2]");
  });
  test('of the wrong dtype', () => {
    expectError(() => graph().forward({ x: Tensor.zeros([3, 2]), y: 1 }), DTypeError, "forward: input 'x' expects float32, got float64");
  });
  test('ragged or not numbers', () => {
    expectError(() => graph().forward({ x, y: [[1, 2], [3]] }), ShapeError, "forward: the feed for input 'y': Tensor.from: ragged nested array");
    expectError(() => graph().forward({ x, y: 'abc' as never }), FeedError, "forward: the feed for input 'y' is a string, expected a Tensor, a number, nested arrays of numbers or a Float32Array/Float64Array");
    expectError(() => graph().forward({ x, y: null as never }), FeedError, "the feed for input 'y' is null");
  });
  test('forwardInputs with the wrong count', () => {
    expectError(() => graph().forwardInputs([x]), FeedError, 'forward: expected 2 input values (x, y), got 1');
  });
  test('non-finite feed in finite-check mode (and accepted without it)', () => {
    const g = newGraph({ finiteCheck: true });
    g.gate(ScaleGate, [g.input('x')], { name: 's' });
    expectError(() => g.forward({ x: [1, NaN] }), NonFiniteError, "forward: the feed for input 'x' holds NaN or Infinity");
    expectError(() => g.forward({ x: [Infinity] }), NonFiniteError, "input 'x'");
    const h = newGraph();
    h.gate(ScaleGate, [h.input('x')]);
    expect(Number.isNaN(h.forward({ x: [NaN] }).data[0])).toBe(true);
  });
});

describe('finite-check mode names the first gate that made NaN or Infinity', () => {
  test('in forward', () => {
    const g = newGraph({ finiteCheck: true });
    const r = g.gate(ReciprocalGate, [g.input('x')], { name: 'inv' });
    g.gate(ScaleGate, [r], { name: 'after' });
    expectError(() => g.forward({ x: [1, 0] }), NonFiniteError, "node 'inv' (ReciprocalGate): forward produced NaN or Infinity (the first gate to do so); inputs: x=[1,0]");
  });
  test('in backward', () => {
    const g = newGraph({ finiteCheck: true });
    g.gate(MultiplyGate, [g.input('x'), g.parameter('w', Tensor.from(1e300))], { name: 'm' });
    g.gate(MultiplyGate, ['m', 'm'], { name: 'sq' });
    g.forward({ x: 1e-300 });
    expectError(() => g.backward({ seed: Tensor.from(1e300) }), NonFiniteError, "node 'm' (MultiplyGate).backward: produced NaN or Infinity in the gradient for 'x' (the first gate to do so)");
  });
});

describe('unknown gate', () => {
  test('by name', () => {
    const c = createContainer();
    bindGate(c, AddGate);
    const g = new ComputationalGraph(c);
    const e = expectError(() => g.gate('FooGate', [g.input('x')], { name: 'n' }), UnknownGateError, "node 'n' (FooGate): gate 'FooGate' is not registered in the container (registered: AddGate)");
    expect(e).toMatchObject({ node: 'n', gate: 'FooGate' });
    const empty = new ComputationalGraph(createContainer());
    expectError(() => empty.gate('ReLUGate', [empty.input('x')], { name: 'r' }), UnknownGateError, "node 'r' (ReLUGate): gate 'ReLUGate' is not registered in the container (the container has no gates: load gatesModule or bindGate your own)");
  });
  test('a class needs no registration to run, and the graph binds nothing in the container', () => {
    const c = createContainer();
    const g = new ComputationalGraph(c);
    g.gate(ReLUGate, [g.input('x')], { name: 'r' });
    expect(g.forward({ x: [-1, 2] }).toArray()).toEqual([0, 2]);
    expect(c.isBound(ReLUGate)).toBe(false);
  });
  test('a class that cannot be bound', () => {
    class NotInjectable implements Gate {
      constructor(readonly needed: number) {}
      forward(): Tensor {
        return Tensor.from(0);
      }
      backward(): Tensor[] {
        return [];
      }
    }
    expectError(() => bindGate(createContainer(), NotInjectable as never), UnknownGateError, /cannot bind gate NotInjectable as 'NotInjectable'/);
  });
  test('something that is not a gate cannot be registered or used as one', () => {
    class Weird {
      nope = true;
    }
    expectError(() => bindGate(createContainer(), Weird as never, 'Weird'), UnknownGateError, "cannot register Weird as gate 'Weird': it is not a class with forward and backward");
    const g = new ComputationalGraph(createContainer());
    expectError(() => g.gate(Weird as never, [], { name: 'w' }), UnknownGateError, "node 'w' (Weird): Weird resolved to something that is not a Gate (no forward/backward)");
  });
});

describe('graph structure', () => {
  test('an input name not (yet) in the graph is refused when the gate is added (so no cycle can be built)', () => {
    const g = newGraph();
    const x = g.input('x');
    expectError(() => g.gate(AddGate, [x, 'nope'], { name: 'q' }), InvalidArgumentError, "node 'q' (AddGate): input 'nope' is not a node of this graph (nodes: 'x'); a gate's inputs must be added before it");
    expectError(() => g.gate(MultiplyGate, ['q', 'x'], { name: 'q' }), InvalidArgumentError, "node 'q' (MultiplyGate): input 'q' is not a node of this graph");
    expect(g.nodes.map((n) => n.name)).toEqual(['x']);
  });
  test('a duplicate name, a node of another graph, an unknown node', () => {
    const g = newGraph();
    g.input('x');
    expectError(() => g.input('x'), InvalidArgumentError, "graph already has a node named 'x'");
    const other = newGraph();
    expectError(() => g.gate(ReLUGate, [other.input('z')], { name: 'r' }), InvalidArgumentError, "node 'r' (ReLUGate): input 'z', given as an input, belongs to another graph");
    expectError(() => g.node('nope'), InvalidArgumentError, "graph has no node named 'nope'");
    expectError(() => newGraph().output, InvalidArgumentError, 'graph has no gate nodes, so no output');
  });
  test('options for a gate that takes none, and bad options', () => {
    const g = newGraph();
    expectError(() => g.gate(ReLUGate, [g.input('x')], { name: 'r', options: { a: 1 } }), InvalidArgumentError, "node 'r' (ReLUGate): this gate takes no options, got {\"a\":1}");
    expectError(() => g.gate(ScaleGate, ['x'], { name: 's', options: { b: 1 } }), InvalidArgumentError, "node 's' (ScaleGate): ScaleGate: unknown option 'b' (expected 'a')");
    expectError(() => g.gate(ScaleGate, ['x'], { name: 's2', options: { a: 'big' } }), InvalidArgumentError, "node 's2' (ScaleGate): ScaleGate: option 'a' must be a finite number, got 'big'");
  });
});

describe('backward before forward', () => {
  test('on a graph: before any forward, and after a forward that threw', () => {
    const g = newGraph();
    g.gate(AddGate, [g.input('x'), g.input('y')], { name: 'q' });
    expectError(() => g.backward(), BackwardBeforeForwardError, "backward: no successful forward to differentiate (output node 'q' (AddGate))");
    g.forward({ x: 1, y: 2 });
    g.backward();
    expect(() => g.forward({ x: [1, 2, 3], y: [1, 2] })).toThrow(ShapeError);
    expectError(() => g.backward(), BackwardBeforeForwardError, 'a forward that threw');
  });
  test('on a gate', () => {
    expectError(() => new MultiplyGate().backward(Tensor.from(1)), BackwardBeforeForwardError, 'MultiplyGate.backward: called before forward');
    expectError(() => new ReLUGate().backward(Tensor.from(1)), BackwardBeforeForwardError, 'ReLUGate.backward: called before forward');
  });
  test('on a composite gate', () => {
    @injectable()
    class Id extends CompositeGate {
      readonly arity = 1;
      protected build(g: ComputationalGraph, [x]: GraphNode[]): GraphNode {
        return g.gate(ScaleGate, [x]);
      }
    }
    expectError(() => new Id().backward(Tensor.from(1)), BackwardBeforeForwardError, 'Id.backward: called before forward');
  });
});

describe('labels out of range', () => {
  const gates = jest.requireActual('@chainrule/gates') as Record<string, new () => Gate>;
  const losses = ['SoftmaxCrossEntropyGate', 'SVMLossGate'].filter((n) => gates[n]);
  test.each(losses)('%s', (name) => {
    const g = newGraph();
    g.gate(gates[name], [g.input('scores'), g.input('labels', { requiresGrad: false })], { name: 'loss' });
    const scores = Tensor.zeros([3, 4]);
    expectError(
      () => g.forward({ scores, labels: [0, 4, 1] }),
      InvalidArgumentError,
      `node 'loss' (${name}): ${name}.forward: label 4 at index 1 is invalid: expected an integer class index in [0, 4) for scores [3, 4]`,
    );
    expectError(() => g.forward({ scores, labels: [0, -1, 1] }), InvalidArgumentError, 'label -1 at index 1');
    expectError(() => g.forward({ scores, labels: [0, 1.5, 1] }), InvalidArgumentError, 'label 1.5 at index 1');
    expectError(() => g.forward({ scores, labels: [0, 1] }), ShapeError, `node 'loss' (${name})`, /labels must have shape \[N\] = \[3\]/);
    if (gates.LabelError) {
      expect(() => g.forward({ scores, labels: [9, 0, 0] })).toThrow(gates.LabelError as unknown as new () => Error);
    }
  });
});

describe('custom gates that break the contract', () => {
  /** A gate whose backward misbehaves as told. */
  @injectable()
  class Rogue implements Gate {
    static mode: 'count' | 'shape' | 'dtype' | 'notArray' | 'notTensor' | 'mutate' | 'output' | 'throws' = 'count';
    private x: Tensor | undefined;
    forward(...inputs: Tensor[]): Tensor {
      this.x = inputs[0];
      if (Rogue.mode === 'output') return [1, 2] as never;
      return inputs[0].clone();
    }
    backward(dout: Tensor): Tensor[] {
      const x = this.x as Tensor;
      switch (Rogue.mode) {
        case 'count':
          return [dout.clone(), dout.clone()];
        case 'shape':
          return [Tensor.zeros([x.size + 1])];
        case 'dtype':
          return [dout.astype(x.dtype === 'float64' ? 'float32' : 'float64')];
        case 'notArray':
          return dout as never;
        case 'notTensor':
          return [[1, 2] as never];
        case 'mutate':
          dout.data[0] *= 2;
          return [dout.clone()];
        case 'throws':
          throw new RangeError('kaboom');
        default:
          return [dout.clone()];
      }
    }
  }
  const run = (mode: typeof Rogue.mode, strictGates = false): (() => void) => {
    Rogue.mode = mode;
    const g = newGraph({ strictGates });
    const r = g.gate(Rogue, [g.input('x')], { name: 'rogue' });
    g.gate(SigmoidGate, [r], { name: 'out' });
    return () => {
      g.forward({ x: [1, 2] });
      g.backward({ seed: Tensor.ones([2]) });
    };
  };

  test('wrong number of gradients', () => {
    expectError(run('count'), GradientContractError, "node 'rogue' (Rogue).backward: returned 2 gradients for 1 inputs (one per input, in order)");
  });
  test('wrong shape', () => {
    expectError(run('shape'), GradientContractError, "node 'rogue' (Rogue).backward: gradient 0 (for 'x') has shape [3], expected the input's shape [2]");
  });
  test('wrong dtype', () => {
    expectError(run('dtype'), GradientContractError, "node 'rogue' (Rogue).backward: gradient 0 (for 'x') is float32, expected the input's dtype float64");
  });
  test('not an array, not tensors', () => {
    expectError(run('notArray'), GradientContractError, "node 'rogue' (Rogue).backward: must return an array of 1 gradients, got object");
    expectError(run('notTensor'), GradientContractError, "node 'rogue' (Rogue).backward: gradient 0 (for 'x') is not a Tensor");
  });
  test('forward that returns no tensor', () => {
    expectError(run('output'), GradientContractError, "node 'rogue' (Rogue): forward must return a Tensor, got object");
  });
  test('mutating dout: caught in strictGates mode', () => {
    expect(run('mutate', false)).not.toThrow();
    expectError(run('mutate', true), GradientContractError, "node 'rogue' (Rogue).backward: changed its upstream gradient dout at element 0 (gates must not mutate dout)");
  });
  test("a gate's own non-chainrule error is wrapped with the node named, the cause kept", () => {
    const e = expectError(run('throws'), ChainruleError, "node 'rogue' (Rogue): kaboom");
    expect((e as Error & { cause?: unknown }).cause).toBeInstanceOf(RangeError);
  });
});

test('every error class derives from ChainruleError and carries its own name', () => {
  for (const cls of [ArityError, BackwardBeforeForwardError, CycleError, DTypeError, FeedError, GradientContractError, InvalidArgumentError, NonFiniteError, ShapeError, UnknownGateError]) {
    const e = new cls('m');
    expect(e).toBeInstanceOf(ChainruleError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe(cls.name);
  }
});

test('docs/errors.md lists every error class the packages export', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { readFileSync } = require('fs') as typeof import('fs');
  const doc = readFileSync(require('path').join(__dirname, '../../../docs/errors.md'), 'utf8');
  const modules = ['@chainrule/core', '@chainrule/gates', '@chainrule/optim', '@chainrule/viz', '@chainrule/onnx', '@chainrule/eager'].map((m) => jest.requireActual(m) as Record<string, unknown>);
  const classes = new Set<string>();
  for (const mod of modules) {
    for (const [name, value] of Object.entries(mod)) {
      if (typeof value === 'function' && (value === ChainruleError || value.prototype instanceof ChainruleError)) classes.add(name);
    }
  }
  expect(classes.size).toBeGreaterThanOrEqual(12);
  for (const name of classes) expect(doc).toContain(`| \`${name}\` |`);
});
