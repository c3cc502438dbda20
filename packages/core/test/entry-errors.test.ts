// Issue 15 item 7 / issue 18 item 4: each case a user met that escaped as a TypeError, a RangeError,
// an inversify error, or not at all, now a ChainruleError that says what came and what was expected.
// Every test here failed before the fix (the message it checks did not exist, or another class came).
import 'reflect-metadata';
import {
  bindGate,
  ChainruleError,
  ComputationalGraph,
  createContainer,
  DTypeError,
  FeedError,
  Gate,
  InvalidArgumentError,
  loadParameters,
  Random,
  saveParameters,
  SerializationError,
  ShapeError,
  suggest,
  Tensor,
  UnknownGateError,
} from '@chainrule/core';
import { AddGate, createGatesContainer, Linear, mlp, ReLUGate, ScaleGate } from '@chainrule/gates';
import { Adam, SGD } from '@chainrule/optim';
import { injectable } from 'inversify';
import { expectError } from './expect-error';

function sumGraph(): ComputationalGraph {
  const g = new ComputationalGraph(createGatesContainer());
  const x = g.input('x');
  const y = g.input('y');
  g.gate('AddGate', [x, y], { name: 's' });
  g.gate('SumGate', ['s'], { name: 'loss' });
  return g;
}

describe('graph entry points', () => {
  test('backward({ seed: [1, 1] }) names the seed it got and the Tensor it needs', () => {
    const g = new ComputationalGraph(createGatesContainer());
    const x = g.input('x');
    g.gate('ScaleGate', [x], { name: 'h', options: { a: 2 } });
    g.forward({ x: [1, 2] });
    expectError(() => g.backward({ seed: [1, 1] as never }), InvalidArgumentError, "seed must be a Tensor of the output's shape [2]", 'got an array of 2');
    expectError(() => g.backward(null as never), InvalidArgumentError, 'backward: options must be an object', 'got null');
  });

  test('forward(null) and forward with a non-object say what a feed object is', () => {
    const g = sumGraph();
    expectError(() => g.forward(null as never), FeedError, 'forward: feeds must be an object mapping input names to values, like { x: ... }, got null');
    expectError(() => g.forward([1, 2] as never), FeedError, 'got an array of 2');
    expectError(() => g.forwardInputs('x' as never), FeedError, "forwardInputs: expected an array of 2 Tensors, got a string ('x')");
  });

  test('setOutput with another graph\'s node is refused (it made forward return undefined)', () => {
    const g = sumGraph();
    const other = new ComputationalGraph();
    const q = other.input('q');
    expectError(() => g.setOutput(q), InvalidArgumentError, "setOutput: input 'q' belongs to another graph");
    expectError(() => g.setOutput(42 as never), InvalidArgumentError, 'setOutput: expected a node of this graph or its name, got number 42');
    expect(g.forward({ x: [1], y: [2] }).item()).toBe(3);
  });

  test('node names, gate inputs, input options and switches are checked when given', () => {
    const g = sumGraph();
    expectError(() => g.input(7 as never), InvalidArgumentError, 'a node name must be a non-empty string, got number 7');
    expectError(() => g.input('z', { shape: [-1] }), InvalidArgumentError, "input 'z': shape must be an array of sizes and nulls");
    expectError(() => g.input('z', { dtype: 'int32' as never }), InvalidArgumentError, "dtype must be 'float32' or 'float64', got a string ('int32')");
    expectError(() => g.gate('AddGate', null as never), InvalidArgumentError, 'gate AddGate: inputs must be an array of nodes or node names, got null');
    expectError(() => g.gate('AddGate', ['x', 3] as never), InvalidArgumentError, 'input 1 must be a node or a node name, got number 3');
    expectError(() => g.gate('AddGate', ['x', 'y'], null as never), InvalidArgumentError, 'the node options must be an object');
    expectError(() => g.setRequiresGrad('x', 'no' as never), InvalidArgumentError, "setRequiresGrad: expected true or false for input 'x'");
    expectError(() => g.train(0 as never), InvalidArgumentError, 'train: expected true or false, got number 0');
    expect(g.nodes.map((n) => n.name)).toEqual(['x', 'y', 's', 'loss']); // nothing half-added
  });
});

describe('the container', () => {
  test('binding the same gate twice under its name is a no-op (it was an inversify "ambiguous bindings" error at the first gate)', () => {
    const c = createContainer();
    bindGate(c, AddGate);
    bindGate(c, AddGate);
    const g = new ComputationalGraph(c);
    const x = g.input('x');
    g.gate('AddGate', [x, x], { name: 'twice' });
    expect(g.forward({ x: [2] }).item()).toBe(4);
    // A module that registers it, then bindGate again: still one binding.
    const c2 = createGatesContainer();
    bindGate(c2, AddGate);
    bindGate(c2, AddGate, 'Plus'); // an alias: the same class under another name
    const g2 = new ComputationalGraph(c2);
    const y = g2.input('y');
    g2.gate('Plus', [y, y]);
    expect(g2.forward({ y: [1] }).item()).toBe(2);
  });

  test('another class under a registered name is refused at bindGate, naming both', () => {
    const c = createContainer();
    bindGate(c, AddGate);
    expectError(() => bindGate(c, ReLUGate, 'AddGate'), UnknownGateError, "cannot register ReLUGate as gate 'AddGate': the name is already registered for AddGate");
    expectError(() => bindGate({} as never, AddGate), UnknownGateError, 'bindGate: expected an inversify Container, got an object');
  });

  test('a gate whose constructor throws comes back as a ChainruleError naming the node and the gate', () => {
    @injectable()
    class Boom implements Gate {
      constructor() {
        throw new TypeError('boom');
      }
      forward(x: Tensor): Tensor {
        return x;
      }
      backward(d: Tensor): Tensor[] {
        return [d];
      }
    }
    const g = new ComputationalGraph();
    const x = g.input('x');
    const e = expectError(() => g.gate(Boom, [x], { name: 'b' }), UnknownGateError, "node 'b' (Boom): cannot construct gate Boom: boom") as ChainruleError;
    expect([e.node, e.gate]).toEqual(['b', 'Boom']);
  });
});

describe('tensors and random draws: shapes checked before anything is allocated', () => {
  test('Tensor.zeros([1e6, 1e6]) and Random.randn([-1]) (RangeErrors before)', () => {
    expectError(() => Tensor.zeros([1e6, 1e6]), InvalidArgumentError, 'Tensor.zeros shape [1000000, 1000000] holds 1000000000000 values, more than one tensor may hold (2147483647)');
    expectError(() => new Random(1).randn([-1]), InvalidArgumentError, 'Random.randn shape: every dimension must be a non-negative integer, got number -1 at axis 0');
    expectError(() => new Random(1).rand([2 ** 53]), InvalidArgumentError, 'every dimension must be a non-negative integer');
    expectError(() => new Random(1).permutation(-3), InvalidArgumentError, 'Random.permutation: n must be an integer');
    expectError(() => Tensor.zeros('3' as never), InvalidArgumentError, "expected an array of sizes such as [2, 3], got a string ('3')");
    expectError(() => Tensor.zeros([2], 'int8' as never), InvalidArgumentError, "Tensor.zeros: dtype must be 'float32' or 'float64', got a string ('int8')");
  });

  test('integer typed arrays: the constructor refuses them, Tensor.from converts them (never labelled float64 as they are)', () => {
    expectError(() => new Tensor(new Int32Array([1, 2]) as never, [2]), DTypeError, 'Tensor: data must be a Float32Array or Float64Array, got an Int32Array (Tensor.from converts other arrays)');
    const t = Tensor.from(new Int32Array([1, -2, 3]));
    expect(t.dtype).toBe('float64');
    expect(t.data).toBeInstanceOf(Float64Array);
    expect(Array.from(t.data)).toEqual([1, -2, 3]);
    const u = Tensor.from(new Uint8Array([255, 0, 7, 1]), { shape: [2, 2], dtype: 'float32' });
    expect(u.data).toBeInstanceOf(Float32Array);
    expect(u.toArray()).toEqual([[255, 0], [7, 1]]);
  });

  test("Tensor.from('hello') says it got a string (it said 'ragged nested array ... got an array')", () => {
    expectError(() => Tensor.from('hello' as never), InvalidArgumentError, "Tensor.from: expected a number, nested arrays of numbers, a typed array or a Tensor, got a string ('hello')");
    expectError(() => Tensor.from([[1, 'a']] as never), InvalidArgumentError, "expected a number at depth 2 of nested arrays of shape [1, 2], got a string ('a')");
    expectError(() => Tensor.from([[1, 2], [3]]), ShapeError, /ragged/);
    expectError(() => Tensor.from(null as never), InvalidArgumentError, 'got null');
  });
});

describe('saving and loading parameters with names that are also Object.prototype keys', () => {
  test("loadParameters into a graph with parameters named 'constructor' and 'toString' (a TypeError before)", () => {
    const g = new ComputationalGraph();
    g.parameter('constructor', Tensor.from([1]));
    g.parameter('toString', Tensor.from([2]));
    const other = new ComputationalGraph();
    other.parameter('a', Tensor.from([3]));
    expectError(() => loadParameters(g, saveParameters(other)), SerializationError, "parameter 'constructor' is missing from the file", "parameter 'toString' is missing from the file");
    // and they round-trip
    const h = new ComputationalGraph();
    h.parameter('constructor', Tensor.from([0]));
    h.parameter('toString', Tensor.from([0]));
    loadParameters(h, saveParameters(g));
    expect(h.parameters().map((p) => (p.value as Tensor).item())).toEqual([1, 2]);
  });

  test("a parameter named '__proto__' is saved and loaded (it was silently dropped)", () => {
    const g = new ComputationalGraph();
    g.parameter('__proto__', Tensor.from([5, 6]));
    const json = saveParameters(g);
    expect(json).toContain('"__proto__"');
    const h = new ComputationalGraph();
    h.parameter('__proto__', Tensor.from([0, 0]));
    loadParameters(h, json);
    expect(Array.from((h.parameters()[0].value as Tensor).data)).toEqual([5, 6]);
    expectError(() => loadParameters(null as never, json), SerializationError, 'loadParameters: expected a ComputationalGraph, got null');
  });
});

describe('did you mean', () => {
  test("unknown gate names: 'Relu' and 'ReLU' suggest ReLUGate", () => {
    const g = new ComputationalGraph(createGatesContainer());
    const x = g.input('x');
    expectError(() => g.gate('Relu', [x]), UnknownGateError, "gate 'Relu' is not registered in the container (did you mean 'ReLUGate'?)");
    expectError(() => g.gate('ReLU', [x]), UnknownGateError, "(did you mean 'ReLUGate'?)");
    expectError(() => g.gate('sigmod', [x]), UnknownGateError, "(did you mean 'SigmoidGate'?)");
    expect(suggest('Zebra', ['ReLUGate', 'AddGate'])).toEqual([]);
  });

  test('unknown option keys: gates, optimizers, kernels', () => {
    const g = new ComputationalGraph(createGatesContainer());
    const x = g.input('x');
    expectError(() => g.gate(ScaleGate, [x], { options: { A: 2 } }), InvalidArgumentError, "unknown option 'A' (did you mean 'a'?)");
    expectError(() => g.gate('Linear', [x], { options: { inFeature: 2, outFeatures: 1 } }), InvalidArgumentError, "unknown option 'inFeature' (did you mean 'inFeatures'?)");
    const p = { value: Tensor.from([1]), grad: Tensor.from([1]) };
    expectError(() => new SGD([p], { lr: 0.1, momentun: 0.9 } as never), InvalidArgumentError, "SGD: unknown option 'momentun' (did you mean 'momentum'?)");
    expectError(() => new Adam([p], { Beta1: 0.9 } as never), InvalidArgumentError, "(did you mean 'beta1'?)");
  });

  test('unknown feed names and node names', () => {
    const g = new ComputationalGraph(createGatesContainer());
    const images = g.input('images');
    const labels = g.input('labels');
    g.gate('AddGate', [images, labels], { name: 'sum' });
    expectError(() => g.forward({ image: [1], labels: [1] }), FeedError, "forward: 'image' is not an input of this graph (did you mean 'images'?)");
    expectError(() => g.node('Sum'), InvalidArgumentError, "graph has no node named 'Sum' (did you mean 'sum'?)");
  });
});

describe("parameters named with their layer ('fc1/W')", () => {
  test('a graph built from layers: the optimizer names the qualified parameter', () => {
    const g = new ComputationalGraph(createGatesContainer());
    const x = g.input('x', { requiresGrad: false });
    mlp(g, x, [2, 3, 1], 'ReLUGate');
    expectError(() => new Adam(g.parameters()).step(), InvalidArgumentError, /Adam\.step: parameter 0 '[^']+\/W' has no gradient/);
  });

  test("a layer used on its own names its parameters after its class ('Linear/W', not 'W')", () => {
    const layer = new Linear({ inFeatures: 2, outFeatures: 1 });
    expect(layer.weight.name).toBe('Linear/W');
    expectError(() => new Adam([layer.weight, layer.bias as never]).step(), InvalidArgumentError, "Adam.step: parameter 0 'Linear/W' has no gradient");
    // it still runs on its own
    const y = layer.forward(Tensor.from([[1, 2]]));
    expect(y.shape).toEqual([1, 1]);
    expect(layer.backward(Tensor.from([[1]]))[0].shape).toEqual([1, 2]);
  });
});
