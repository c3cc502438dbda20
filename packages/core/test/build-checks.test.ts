import { injectable } from 'inversify';
import { ArityError, ComputationalGraph, createContainer, Gate, GateDescription, gateModule, InvalidArgumentError, loadGraph, saveGraph, scalarRule, ShapeError, Tensor } from '../src';
import { TestAdd, TestMul, TestSquare } from './test-gates';

/** Σ x: a gate that declares itself a loss. */
@injectable()
class TestSumLoss implements Gate {
  static readonly description: GateDescription = { arity: 1, loss: true, shape: scalarRule };
  private shape: readonly number[] = [];
  forward(...inputs: Tensor[]): Tensor {
    this.shape = inputs[0].shape;
    let s = 0;
    for (const v of inputs[0].data) s += v;
    return Tensor.from(s);
  }
  backward(dout: Tensor): Tensor[] {
    return [Tensor.full(this.shape, dout.item())];
  }
}

const newGraph = () => new ComputationalGraph(createContainer(gateModule({ TestAdd, TestMul, TestSquare, TestSumLoss })));

/** q = x + y, f = q · z: 6 at x = 1, y = 2, z = 2. */
function lecture() {
  const g = newGraph();
  const [x, y, z] = [g.input('x'), g.input('y'), g.input('z')];
  const q = g.gate(TestAdd, [x, y], { name: 'q' });
  const f = g.gate(TestMul, [q, z], { name: 'f' });
  return { g, q, f, feeds: { x: 1, y: 2, z: 2 } };
}

describe('the output is explicit, never the last node added', () => {
  test('a debugging node added after the loss does not change what forward returns (6 stays 6)', () => {
    const { g, q, f, feeds } = lecture();
    g.gate(TestSumLoss, [f], { name: 'loss' });
    expect(g.forward(feeds).item()).toBe(6);
    const debug = g.gate(TestSquare, [q], { name: 'debug' });
    expect(g.output.name).toBe('loss');
    expect(g.forward(feeds).item()).toBe(6);
    expect(debug.value!.item()).toBe(9); // computed too: it reads what the loss reads
    g.backward();
    expect(q.grad!.item()).toBe(2);
  });

  test('setOutput wins over the rule, whatever is added after it', () => {
    const { g, q, feeds } = lecture();
    g.setOutput('f');
    g.gate(TestSquare, [q], { name: 'debug' });
    expect(g.forward(feeds).item()).toBe(6);
  });

  test('with no loss and no setOutput: the single node nothing reads; an error naming the candidates when there are several', () => {
    const { g, q, feeds } = lecture();
    expect(g.output.name).toBe('f');
    expect(g.forward(feeds).item()).toBe(6);
    g.gate(TestSquare, [q], { name: 'debug' });
    expect(() => g.forward(feeds)).toThrow(InvalidArgumentError);
    expect(() => g.forward(feeds)).toThrow("the graph has no loss gate and 2 nodes that nothing reads ('f', 'debug'): call graph.setOutput(node)");
    g.setOutput('f');
    expect(g.forward(feeds).item()).toBe(6);
  });

  test('a loss that another node reads, or two losses, need setOutput', () => {
    const { g, f, feeds } = lecture();
    const loss = g.gate(TestSumLoss, [f], { name: 'loss' });
    const total = g.gate(TestMul, [loss, g.constant('half', 0.5)], { name: 'total' });
    expect(() => g.output).toThrow("node 'loss' (TestSumLoss) is a loss, but node 'total' (TestMul) reads it, so the loss may not be the output: call graph.setOutput(node)");
    g.setOutput(total);
    expect(g.forward(feeds).item()).toBe(3);
    const h = lecture();
    h.g.gate(TestSumLoss, [h.f], { name: 'l1' });
    h.g.gate(TestSumLoss, [h.q], { name: 'l2' });
    expect(() => h.g.forward(h.feeds)).toThrow("the graph has 2 losses ('l1', 'l2')");
  });

  test('a saved graph keeps its output; an ambiguous one saves none and stays ambiguous when loaded', () => {
    const { g, q, feeds } = lecture();
    g.gate(TestSquare, [q], { name: 'debug' });
    const container = () => createContainer(gateModule({ TestAdd, TestMul, TestSquare, TestSumLoss }));
    expect(() => loadGraph(saveGraph(g), container()).output).toThrow("2 nodes that nothing reads ('f', 'debug')");
    g.setOutput('f');
    expect(loadGraph(saveGraph(g), container()).forward(feeds).item()).toBe(6);
  });
});

describe('checks when the graph is built', () => {
  test('arity: g.gate(AddGate, [x]) fails at once, naming the node, the gate, expected and got', () => {
    const g = newGraph();
    const x = g.input('x');
    expect(() => g.gate(TestAdd, [x], { name: 'sum' })).toThrow(ArityError);
    expect(() => g.gate(TestAdd, [x], { name: 'sum' })).toThrow("node 'sum' (TestAdd): expected 2 inputs, got 1 ('x')");
    expect(() => g.gate(TestSumLoss, [x, x])).toThrow('expected 1 input, got 2');
    expect(g.nodes).toHaveLength(1);
  });

  test("an unknown input name fails at once, listing the graph's nodes", () => {
    const g = newGraph();
    const x = g.input('x');
    g.input('nop');
    expect(() => g.gate(TestAdd, [x, 'nope'], { name: 'sum' })).toThrow(InvalidArgumentError);
    expect(() => g.gate(TestAdd, [x, 'nope'], { name: 'sum' })).toThrow("node 'sum' (TestAdd): input 'nope' is not a node of this graph (nodes: 'x', 'nop')");
    expect(g.nodes).toHaveLength(2);
  });

  test('declared input shapes are carried through every gate with a shape rule', () => {
    const g = newGraph();
    const x = g.input('x', { shape: [null, 3] });
    const b = g.parameter('b', Tensor.zeros([3]));
    const s = g.gate(TestAdd, [x, b], { name: 's' });
    const sq = g.gate(TestSquare, [s], { name: 'sq' });
    const loss = g.gate(TestSumLoss, [sq], { name: 'loss' });
    expect(s.inferredShape).toEqual([null, 3]);
    expect(sq.inferredShape).toEqual([null, 3]);
    expect(loss.inferredShape).toEqual([]);
  });

  test('a shape mismatch is reported when the gate is added, naming the node, the gate and both shapes', () => {
    const g = newGraph();
    const x = g.input('x', { shape: [null, 784] });
    const b = g.parameter('b', Tensor.zeros([10]));
    expect(() => g.gate(TestAdd, [x, b], { name: 'logits' })).toThrow(ShapeError);
    expect(() => g.gate(TestAdd, [x, b], { name: 'logits' })).toThrow(
      "node 'logits' (TestAdd): shapes [null, 784] and [10] do not broadcast (axis 1 of the result: 784 against 10; each pair must be equal or 1) (input shapes: x [null, 784], b [10]; found when the graph was built)",
    );
    try {
      g.gate(TestAdd, [x, b], { name: 'logits' });
    } catch (e) {
      expect((e as ShapeError).node).toBe('logits');
      expect((e as ShapeError).gate).toBe('TestAdd');
    }
    expect(g.nodes.map((n) => n.name)).toEqual(['x', 'b']);
  });

  test('without declared shapes, or through a gate with no rule, shapes are checked at forward as before', () => {
    @injectable()
    class NoRule implements Gate {
      forward(...inputs: Tensor[]): Tensor {
        return inputs[0];
      }
      backward(dout: Tensor): Tensor[] {
        return [dout];
      }
    }
    const g = newGraph();
    const x = g.input('x', { shape: [null, 784] });
    const opaque = g.gate(NoRule, [x], { name: 'opaque' });
    expect(opaque.inferredShape).toBeUndefined();
    const sum = g.gate(TestAdd, [opaque, g.parameter('b', Tensor.zeros([10]))], { name: 'sum' });
    expect(sum.inferredShape).toBeUndefined();
    expect(() => g.forward({ x: Tensor.zeros([2, 784]) })).toThrow("node 'sum' (TestAdd): TestAdd.forward: shapes [2, 784] and [10] do not broadcast");
  });
});
