import { Container, injectable } from 'inversify';
import {
  ArityError,
  assertGradcheck,
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
  gateModule,
  gradcheck,
  gradcheckGraph,
  GradcheckError,
  GradientContractError,
  GraphNode,
  InvalidArgumentError,
  NonFiniteError,
  ShapeError,
  Tensor,
  UnknownGateError,
} from '../src';
import { TestAdd, TestIncrement, TestMul, TestSquare } from './test-gates';

const testGates = () => gateModule({ TestAdd, TestMul, TestSquare, TestIncrement });
const newGraph = (options = {}) => new ComputationalGraph(createContainer(testGates()), options);

function lectureGraph() {
  const g = newGraph();
  const x = g.input('x');
  const y = g.input('y');
  const z = g.input('z');
  const q = g.gate(TestAdd, [x, y], { name: 'q' });
  const f = g.gate(TestMul, [q, z], { name: 'f' });
  return { g, x, y, z, q, f };
}

describe('ComputationalGraph', () => {
  test('the lecture graph (x + y) * z at x=-2, y=5, z=-4', () => {
    const { g, x, y, z, q, f } = lectureGraph();
    expect(g.forward({ x: -2, y: 5, z: -4 }).item()).toBe(-12);
    expect(q.value!.item()).toBe(3);
    g.backward();
    expect(f.grad!.item()).toBe(1);
    expect(q.grad!.item()).toBe(-4);
    expect(z.grad!.item()).toBe(3);
    expect(x.grad!.item()).toBe(-4);
    expect(y.grad!.item()).toBe(-4);
  });

  test('gates can be named by their bound name', () => {
    const g = newGraph();
    const a = g.input('a');
    g.gate('TestSquare', [a]);
    g.forward({ a: 3 });
    g.backward();
    expect(a.grad!.item()).toBe(6);
  });

  test('gradients add at a fan-out: x·x', () => {
    const g = newGraph();
    const x = g.input('x');
    g.gate(TestMul, [x, x]);
    expect(g.forward({ x: 3 }).item()).toBe(9);
    g.backward();
    expect(x.grad!.item()).toBe(6);
  });

  test('gradients add at a diamond: f = x²·(x + 1)', () => {
    const g = newGraph();
    const x = g.input('x');
    const sq = g.gate(TestSquare, [x]);
    const inc = g.gate(TestIncrement, [x]);
    g.gate(TestMul, [sq, inc]);
    const xs = [-1.5, 0.5, 2];
    expect(g.forward({ x: Tensor.from(xs) }).toArray()).toEqual(xs.map((v) => v * v * (v + 1)));
    g.backward({ seed: Tensor.ones([3]) });
    expect(x.grad!.toArray()).toEqual(xs.map((v) => 3 * v * v + 2 * v));
    expect(gradcheckGraph(g, { x: Tensor.from(xs) }).ok).toBe(true);
  });

  test('a 100,000-node chain sorts, runs forward and backward without overflowing the stack', () => {
    const g = newGraph();
    let node: GraphNode = g.input('x');
    for (let i = 0; i < 100_000; i++) node = g.gate(TestIncrement, [node]);
    expect(g.topologicalOrder()).toHaveLength(100_001);
    expect(g.forward({ x: 1 }).item()).toBe(100_001);
    g.backward();
    expect(g.node('x').grad!.item()).toBe(1);
  });

  test('broadcast inputs get gradients summed back to their shape (a bias)', () => {
    const g = newGraph();
    const x = g.input('x');
    const b = g.parameter('b', Tensor.from([1, 2, 3]));
    g.gate(TestAdd, [x, b]);
    const out = g.forward({ x: Tensor.from([[0, 0, 0], [1, 1, 1]]) });
    expect(out.toArray()).toEqual([[1, 2, 3], [2, 3, 4]]);
    g.backward({ seed: Tensor.from([[1, 2, 3], [4, 5, 6]]) });
    expect(b.grad!.toArray()).toEqual([5, 7, 9]);
    expect(x.grad!.shape).toEqual([2, 3]);
  });

  test('every node uses its own gate instance (transient binding), so caches are never shared', () => {
    const g = newGraph();
    const a = g.input('a');
    const b = g.input('b');
    const m1 = g.gate(TestMul, [a, b], { name: 'm1' });
    const m2 = g.gate(TestMul, [m1, b], { name: 'm2' });
    expect(m1.gate).not.toBe(m2.gate);
    expect(g.forward({ a: 2, b: 3 }).item()).toBe(18);
    g.backward();
    // m2's cache holds (6, 3) and m1's (2, 3); a shared instance would mix them up.
    expect(a.grad!.item()).toBe(9);
    expect(b.grad!.item()).toBe(12);
  });

  test('gates are resolved once, when the node is added; forward and backward never touch the container', () => {
    const container = createContainer(testGates());
    const g = new ComputationalGraph(container);
    const x = g.input('x');
    g.gate(TestSquare, [g.gate(TestIncrement, [x])]);
    const get = jest.spyOn(container, 'get');
    for (let i = 0; i < 3; i++) {
      g.forward({ x: i });
      g.backward();
    }
    expect(get).not.toHaveBeenCalled();
  });

  test('backward replaces gradients; accumulate adds; zeroGrad clears', () => {
    const g = newGraph();
    const w = g.parameter('w', Tensor.from(2));
    const x = g.input('x', { requiresGrad: false });
    g.gate(TestMul, [w, x]);
    g.forward({ x: 3 });
    g.backward();
    g.backward();
    expect(w.grad!.item()).toBe(3);
    g.backward({ accumulate: true });
    expect(w.grad!.item()).toBe(6);
    g.zeroGrad();
    expect(w.grad!.item()).toBe(0);
    expect(x.grad).toBeUndefined();
    expect(g.parameters()).toEqual([w]);
  });

  test('constants get no gradient', () => {
    const g = newGraph();
    const x = g.input('x');
    const c = g.constant('c', 4);
    g.gate(TestMul, [x, c]);
    g.forward({ x: 2 });
    g.backward();
    expect(x.grad!.item()).toBe(4);
    expect(c.grad).toBeUndefined();
  });

  test('setOutput picks the output, whatever is added after', () => {
    const g = newGraph();
    g.input('x');
    const s = g.gate(TestSquare, ['x'], { name: 's' });
    g.setOutput('s');
    g.gate(TestIncrement, [s], { name: 'unused' });
    expect(g.forward({ x: 5 }).item()).toBe(25);
    expect(g.node('unused').value!.item()).toBe(26); // a node reading what the output reads is computed too
  });
});

describe('graph errors name the node, the gate, expected and got', () => {
  test('missing and unknown feeds', () => {
    const { g } = lectureGraph();
    expect(() => g.forward({ x: 1, y: 2 })).toThrow(FeedError);
    expect(() => g.forward({ x: 1, y: 2 })).toThrow(/no feed for input 'z'/);
    expect(() => g.forward({ x: 1, y: 2, z: 3, w: 4 })).toThrow(/'w' is not an input of this graph \(inputs: x, y, z\)/);
  });

  test('a feed of the wrong shape or dtype for a declared input', () => {
    const g = newGraph();
    const x = g.input('x', { shape: [null, 3], dtype: 'float32' });
    g.gate(TestSquare, [x]);
    expect(() => g.forward({ x: Tensor.zeros([2, 4], 'float32') })).toThrow(ShapeError);
    expect(() => g.forward({ x: Tensor.zeros([2, 4], 'float32') })).toThrow("input 'x' expects shape [*, 3], got [2, 4]");
    expect(() => g.forward({ x: Tensor.zeros([2, 3]) })).toThrow(DTypeError);
    expect(g.forward({ x: Tensor.zeros([5, 3], 'float32') }).shape).toEqual([5, 3]);
  });

  test('shapes that do not broadcast: the node and gate are named', () => {
    const g = newGraph();
    g.gate(TestAdd, [g.input('a'), g.input('b')], { name: 'sum' });
    expect(() => g.forward({ a: Tensor.zeros([2, 3]), b: Tensor.zeros([2]) })).toThrow(ShapeError);
    expect(() => g.forward({ a: Tensor.zeros([2, 3]), b: Tensor.zeros([2]) })).toThrow(
      /node 'sum' \(TestAdd\): TestAdd.forward: shapes \[2, 3\] and \[2\] do not broadcast/,
    );
  });

  test('wrong arity', () => {
    const g = newGraph();
    const a = g.input('a');
    expect(() => g.gate(TestMul, [a], { name: 'm' })).toThrow(ArityError);
    expect(() => g.gate(TestMul, [a], { name: 'm' })).toThrow("node 'm' (TestMul): expected 2 inputs, got 1 ('a')");
    expect(g.nodes.map((n) => n.name)).toEqual(['a']); // nothing added
  });

  test('unknown gate names fail; an unregistered class runs without touching the container', () => {
    const g = newGraph();
    @injectable()
    class Unregistered extends TestSquare {}
    expect(() => g.gate('Unregistered', [g.input('x')], { name: 'u' })).toThrow(UnknownGateError);
    expect(() => g.gate('Nope', ['x'], { name: 'u' })).toThrow(/node 'u' \(Nope\): gate 'Nope' is not registered in the container \(registered: TestAdd, TestMul, TestSquare, TestIncrement\)/);
    expect(g.nodes.map((n) => n.name)).toEqual(['x']);
    g.gate(Unregistered, ['x'], { name: 'u' });
    expect(g.forward({ x: 3 }).item()).toBe(9);
    expect(g.container.isBound(Unregistered)).toBe(false);
    expect(g.node('u').gateType).toBe('Unregistered');
  });

  test('a name of a node not yet added is refused when the gate is added, so no cycle can be built', () => {
    const g = newGraph();
    g.input('x');
    expect(() => g.gate(TestAdd, ['x', 'b'], { name: 'a' })).toThrow(InvalidArgumentError);
    expect(() => g.gate(TestAdd, ['x', 'b'], { name: 'a' })).toThrow("node 'a' (TestAdd): input 'b' is not a node of this graph (nodes: 'x'); a gate's inputs must be added before it");
    expect(() => g.gate(TestSquare, ['ghost'], { name: 's' })).toThrow("node 's' (TestSquare): input 'ghost' is not a node of this graph");
    expect(g.nodes.map((n) => n.name)).toEqual(['x']);
  });

  test('backward before forward, and after a forward that threw', () => {
    const { g } = lectureGraph();
    expect(() => g.backward()).toThrow(BackwardBeforeForwardError);
    g.forward({ x: 1, y: 2, z: 3 });
    g.backward();
    expect(() => g.forward({ x: Tensor.zeros([2]), y: Tensor.zeros([3]), z: 1 })).toThrow(ShapeError);
    expect(() => g.backward()).toThrow(BackwardBeforeForwardError);
  });

  test('a non-scalar output needs an explicit seed', () => {
    const g = newGraph();
    g.gate(TestSquare, [g.input('x')], { name: 's' });
    g.forward({ x: [1, 2] });
    expect(() => g.backward()).toThrow(/node 's' \(TestSquare\) has shape \[2\]; an implicit seed/);
    expect(() => g.backward({ seed: Tensor.ones([3]) })).toThrow(/seed must have the output's shape \[2\], got \[3\]/);
  });

  describe('a custom gate that breaks the backward contract', () => {
    function graphWith(gate: new () => Gate) {
      const c = createContainer(testGates());
      bindGate(c, gate);
      const g = new ComputationalGraph(c, { strictGates: true });
      const w = g.parameter('w', Tensor.from([1, 2]));
      const x = g.input('x');
      const m = g.gate(TestMul, [w, x], { name: 'm' });
      g.gate(gate, [m, x], { name: 'bad' });
      return { g, w };
    }
    @injectable()
    class TooFew implements Gate {
      forward(a: Tensor): Tensor {
        return a.clone();
      }
      backward(d: Tensor): Tensor[] {
        return [d.clone()];
      }
    }
    @injectable()
    class WrongShape extends TooFew {
      override backward(d: Tensor): Tensor[] {
        return [d.clone(), Tensor.zeros([3])];
      }
    }
    @injectable()
    class WrongDType extends TooFew {
      override backward(d: Tensor): Tensor[] {
        return [d.clone(), d.astype('float32')];
      }
    }
    @injectable()
    class Mutates extends TooFew {
      override backward(d: Tensor): Tensor[] {
        d.data[0] = 42;
        return [d, d.clone()];
      }
    }
    test.each([
      [TooFew, /node 'bad' \(TooFew\)\.backward: returned 1 gradients for 2 inputs/],
      [WrongShape, /node 'bad' \(WrongShape\)\.backward: gradient 1 \(for 'x'\) has shape \[3\], expected the input's shape \[2\]/],
      [WrongDType, /node 'bad' \(WrongDType\)\.backward: gradient 1 \(for 'x'\) is float32, expected the input's dtype float64/],
      [Mutates, /node 'bad' \(Mutates\)\.backward: changed its upstream gradient dout/],
    ])('%p: a GradientContractError, and the gradients of the last good pass stay', (gate, message) => {
      const { g, w } = graphWith(gate as unknown as new () => Gate);
      g.forward({ x: [3, 4] });
      // A first, good pass is impossible with a broken gate, so plant known gradients with a seed-less check:
      expect(() => g.backward({ seed: Tensor.ones([2]) })).toThrow(GradientContractError);
      expect(() => g.backward({ seed: Tensor.ones([2]) })).toThrow(message);
      expect(w.grad).toBeUndefined();
      expect(Array.from(w.value!.data)).toEqual([1, 2]);
    });
  });

  test('a failed backward leaves earlier gradients untouched', () => {
    let fail = false;
    @injectable()
    class Flaky extends TestSquare {
      override backward(d: Tensor): Tensor[] {
        if (fail) throw new ShapeError('Flaky: planned failure');
        return super.backward(d);
      }
    }
    const c = createContainer(testGates());
    bindGate(c, Flaky);
    const g = new ComputationalGraph(c);
    const w = g.parameter('w', Tensor.from(3));
    g.gate(Flaky, [g.gate(TestMul, [w, w])]);
    g.forward();
    g.backward();
    expect(w.grad!.item()).toBe(2 * 9 * 2 * 3);
    fail = true;
    expect(() => g.backward()).toThrow(/node 'Flaky#2' \(Flaky\): Flaky: planned failure/);
    expect(w.grad!.item()).toBe(108);
  });

  test('finite-check names the first gate that produced NaN or Infinity, and non-finite feeds', () => {
    const g = newGraph({ finiteCheck: true });
    const x = g.input('x');
    const sq = g.gate(TestSquare, [x], { name: 'square' });
    g.gate(TestSquare, [sq], { name: 'square2' });
    expect(() => g.forward({ x: 1e200 })).toThrow(NonFiniteError);
    expect(() => g.forward({ x: 1e200 })).toThrow(/node 'square' \(TestSquare\): forward produced NaN or Infinity \(the first gate to do so\); inputs: x=\[1e\+200\]/);
    expect(() => g.forward({ x: NaN })).toThrow(/the feed for input 'x' holds NaN or Infinity/);
  });

  test('a gate that throws a plain Error is wrapped in a ChainruleError naming the node', () => {
    @injectable()
    class Boom implements Gate {
      forward(): Tensor {
        throw new TypeError('undefined is not a function');
      }
      backward(): Tensor[] {
        return [];
      }
    }
    const c = createContainer();
    bindGate(c, Boom);
    const g = new ComputationalGraph(c);
    g.gate(Boom, [], { name: 'boom' });
    expect(() => g.forward()).toThrow(ChainruleError);
    expect(() => g.forward()).toThrow("node 'boom' (Boom): undefined is not a function");
  });

  test('a gate class that needs constructor arguments cannot be bound', () => {
    @injectable()
    class NeedsArgs implements Gate {
      constructor(readonly k: number) {}
      forward(a: Tensor): Tensor {
        return a;
      }
      backward(d: Tensor): Tensor[] {
        return [d];
      }
    }
    expect(() => bindGate(new Container(), NeedsArgs as unknown as new () => Gate)).toThrow(UnknownGateError);
  });

  test('options for a gate whose constructor takes none are rejected', () => {
    const g = newGraph();
    expect(() => g.gate(TestSquare, [g.input('x')], { name: 's', options: { a: 1 } })).toThrow(InvalidArgumentError);
  });
});

describe('composite gates', () => {
  /** f(x) = x² + 1 built from two gates, with a parameter scale s: f = s·x² + 1 via a subgraph. */
  @injectable()
  class ScaledSquarePlusOne extends CompositeGate {
    readonly arity = 1;
    protected build(g: ComputationalGraph, [x]: GraphNode[]): GraphNode {
      const s = g.parameter('s', Tensor.from(2));
      return g.gate(TestIncrement, [g.gate(TestMul, [s, g.gate(TestSquare, [x])])]);
    }
  }

  test('used on its own: forward, backward, and gradcheck', () => {
    const gate = new ScaledSquarePlusOne();
    expect(gate.forward(Tensor.from([1, 3])).toArray()).toEqual([3, 19]);
    expect(gate.backward(Tensor.from([1, 1]))[0].toArray()).toEqual([4, 12]);
    expect(assertGradcheck(new ScaledSquarePlusOne(), [Tensor.from([[0.3, -1.2], [2, 0.7]])]).maxError).toBeLessThan(1e-7);
  });

  test('inside a graph: its parameters are the graph’s, and get gradients', () => {
    const c = createContainer(testGates());
    bindGate(c, ScaledSquarePlusOne);
    const g = new ComputationalGraph(c);
    const x = g.input('x');
    g.gate(ScaledSquarePlusOne, [x], { name: 'f' });
    const params = g.parameters();
    // Expanded into the graph: its nodes are the graph's, named under the composite's name.
    expect(params.map((p) => p.name)).toEqual(['f/s']);
    expect(g.nodes.filter((n) => n.group?.name === 'f').map((n) => n.gateType ?? n.kind)).toEqual(['parameter', 'TestSquare', 'TestMul', 'TestIncrement']);
    expect(g.node('f')).toBe(g.group('f').output);
    g.forward({ x: 3 });
    g.backward();
    expect(x.grad!.item()).toBe(12);
    expect(params[0].grad!.item()).toBe(9);
    expect(gradcheckGraph(g, { x: 0.7 }).ok).toBe(true);
  });
});

describe('composite gates expand into the owning graph', () => {
  /** (a + b) · k with its own parameter k. */
  @injectable()
  class Pair extends CompositeGate {
    readonly arity = 2;
    protected build(g: ComputationalGraph, [a, b]: GraphNode[]): GraphNode {
      const k = g.parameter('k', Tensor.from(3));
      return g.gate(TestMul, [g.gate(TestAdd, [a, b], { name: 'sum' }), k], { name: 'scaled' });
    }
  }

  @injectable()
  class Broken extends CompositeGate {
    readonly arity = 1;
    protected build(g: ComputationalGraph, [x]: GraphNode[]): GraphNode {
      g.parameter('w', Tensor.from(1));
      g.gate(TestSquare, [x], { name: 'sq' });
      throw new InvalidArgumentError('cannot finish');
    }
  }

  test('inner nodes are named under the composite; checks and errors reach them', () => {
    const g = newGraph({ finiteCheck: true });
    const out = g.gate(Pair, [g.input('a'), g.input('b')], { name: 'p' });
    expect(g.nodes.map((n) => n.name)).toEqual(['a', 'b', 'p/k', 'p/sum', 'p/scaled']);
    expect(out).toBe(g.node('p'));
    expect(g.node('p/sum').group).toBe(g.group('p'));
    expect(g.group('p')).toMatchObject({ name: 'p', gateType: 'Pair', inputs: [g.node('a'), g.node('b')] });
    expect(g.forward({ a: 1, b: 2 }).item()).toBe(9);
    let err: ChainruleError | undefined;
    try {
      g.forward({ a: 1e308, b: 1e308 }); // finite feeds whose sum overflows inside the composite
    } catch (e) {
      err = e as ChainruleError;
    }
    expect(err).toBeInstanceOf(NonFiniteError);
    expect(err).toMatchObject({ node: 'p/sum', gate: 'TestAdd' });
  });

  test('a composite whose build throws adds nothing, and the error names it', () => {
    const g = newGraph();
    const x = g.input('x');
    const before = g.gate(TestSquare, [x], { name: 'first' });
    let err: ChainruleError | undefined;
    try {
      g.gate(Broken, [x], { name: 'bad' });
    } catch (e) {
      err = e as ChainruleError;
    }
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err?.message).toBe("node 'bad' (Broken): cannot finish");
    expect(err).toMatchObject({ node: 'bad', gate: 'Broken' });
    expect(g.nodes.map((n) => n.name)).toEqual(['x', 'first']);
    expect(g.groups).toEqual([]);
    expect(g.output).toBe(before);
    expect(g.forward({ x: 3 }).item()).toBe(9);
    expect(g.gate(TestSquare, [x], { name: 'bad' }).name).toBe('bad'); // the name is free again
  });
});

describe('gradcheck', () => {
  @injectable()
  class WrongSquare extends TestSquare {
    override backward(d: Tensor): Tensor[] {
      const [g] = super.backward(d);
      g.data[1] *= 1.001;
      return [g];
    }
  }

  test('passes a correct gate, fails a wrong one and says where', () => {
    const x = Tensor.from([[0.5, -1.5], [2, 3]]);
    const ok = gradcheck(new TestSquare(), [x]);
    expect(ok.ok).toBe(true);
    expect(ok.maxError).toBeLessThan(1e-9);
    expect(ok.checked).toBe(4);
    const bad = gradcheck(new WrongSquare(), [x]);
    expect(bad.ok).toBe(false);
    expect(bad.worst!.index).toEqual([0, 1]);
    expect(() => assertGradcheck(new WrongSquare(), [x])).toThrow(GradcheckError);
    expect(() => assertGradcheck(new WrongSquare(), [x])).toThrow(/worst at input 0 index \[0, 1\]/);
  });

  test('checks float32 inputs on float64 copies', () => {
    expect(gradcheck(new TestMul(), [Tensor.from([1.5, 2], { dtype: 'float32' }), Tensor.from(3)]).ok).toBe(true);
  });
});
