import { injectable } from 'inversify';
import { BackwardBeforeForwardError, ChainruleError, ComputationalGraph, createContainer, FeedError, gateModule, InvalidArgumentError, Tensor, TypedArray, UnaryGate } from '../src';
import { PlanCache } from '../src/forward-plan';
import { TestAdd, TestMul, TestSquare } from './test-gates';

/** Counts its forwards, so a test can see which gates a forward ran. */
@injectable()
class CountingIdentity extends UnaryGate {
  static runs = 0;
  protected compute(x: TypedArray, out: TypedArray): void {
    CountingIdentity.runs++;
    out.set(x);
  }
  protected differentiate(_x: TypedArray, _o: TypedArray, d: TypedArray, dx: TypedArray): void {
    dx.set(d);
  }
}

const newGraph = () => new ComputationalGraph(createContainer(gateModule({ TestAdd, TestMul, TestSquare, CountingIdentity })));

/** scores = x·W; loss = (scores − y)², the shape of a classifier: predicting needs x, not y. */
function model() {
  const g = newGraph();
  const x = g.input('x', { requiresGrad: false });
  const y = g.input('y', { requiresGrad: false });
  const W = g.parameter('W', Tensor.from(2));
  const scores = g.gate(TestMul, [x, W], { name: 'scores' });
  const negY = g.gate(TestMul, [y, g.constant('minus1', -1)], { name: 'negY' });
  const diff = g.gate(TestAdd, [scores, negY], { name: 'diff' });
  const loss = g.gate(TestSquare, [diff], { name: 'loss' });
  g.setOutput(loss);
  return { g, x, y, W, scores, loss };
}

describe('forward to any node', () => {
  test('forward(feeds, { output }) needs only the inputs the node depends on (no labels to predict)', () => {
    const { g, scores } = model();
    expect(Array.from(g.forward({ x: [1, 2] }, { output: scores }).data)).toEqual([2, 4]);
    expect(Array.from(g.forward({ x: [2, 3] }, { output: 'scores' }).data)).toEqual([4, 6]);
    // Labels given anyway are accepted and ignored.
    expect(Array.from(g.forward({ x: [1, 1], y: [0, 0] }, { output: scores }).data)).toEqual([2, 2]);
    // The loss still needs them, and says which node does.
    expect(() => g.forward({ x: 3 })).toThrow(FeedError);
    expect(() => g.forward({ x: 3 })).toThrow("no feed for input 'y', which node 'loss' (TestSquare) depends on");
    expect(g.forward({ x: 3, y: 6 }).item()).toBe(0);
  });

  test('only the ancestors of the requested node run', () => {
    const g = newGraph();
    const a = g.input('a');
    const b = g.input('b');
    const left = g.gate(CountingIdentity, [a], { name: 'left' });
    const right = g.gate(CountingIdentity, [b], { name: 'right' });
    g.gate(TestAdd, [left, right], { name: 'sum' });
    CountingIdentity.runs = 0;
    expect(g.forward({ a: 5 }, { output: left }).item()).toBe(5);
    expect(CountingIdentity.runs).toBe(1);
    expect(right.value).toBeUndefined();
    expect(g.forward({ a: 5, b: 2 }).item()).toBe(7);
    expect(CountingIdentity.runs).toBe(3);
  });

  test('forward to the loss and to the scores share buffers, and the plans are made once', () => {
    const { g, scores, loss } = model();
    const plans = jest.spyOn(PlanCache.prototype as unknown as { make: () => unknown }, 'make');
    try {
      const first = g.forward({ x: 1 }, { output: scores });
      g.forward({ x: 1, y: 0 });
      expect(scores.value).toBe(first); // the loss's forward wrote the scores into the same tensor
      for (let i = 0; i < 5; i++) {
        expect(g.forward({ x: 3 }, { output: scores })).toBe(first);
        g.forward({ x: 1, y: 0 });
        g.backward();
      }
      expect(plans).toHaveBeenCalledTimes(2); // one plan for the scores, one for the loss, then reused
      expect(loss.value!.item()).toBe(4);
      // A change to the graph makes new plans.
      g.gate(TestSquare, [scores], { name: 'debug' });
      g.forward({ x: 1 }, { output: scores });
      expect(plans).toHaveBeenCalledTimes(3);
    } finally {
      plans.mockRestore();
    }
  });

  test('backward after a forward to another node than the output is refused, naming both', () => {
    const { g, scores, W } = model();
    g.forward({ x: 1, y: 0 });
    g.backward();
    const grad = Array.from(W.grad!.data);
    g.forward({ x: 1 }, { output: scores });
    expect(() => g.backward()).toThrow(BackwardBeforeForwardError);
    expect(() => g.backward()).toThrow("backward: the last forward computed node 'scores' (TestMul) (forward with { output }), not the output node 'loss' (TestSquare) that backward differentiates");
    expect(Array.from(W.grad!.data)).toEqual(grad); // nothing changed
    g.forward({ x: 1, y: 0 });
    expect(() => g.backward()).not.toThrow();
  });

  test('a forward to the output also computes only its ancestors, and backward differentiates them', () => {
    const g = newGraph();
    const x = g.input('x');
    const f = g.gate(TestSquare, [x], { name: 'f' });
    const p = g.parameter('p', Tensor.from([1, 2]));
    g.gate(TestMul, [f, g.input('unused')], { name: 'debug' }); // reads an input the output does not need
    g.gate(TestMul, [f, p], { name: 'debug2' });
    g.setOutput(f);
    expect(g.forward({ x: 3 }).item()).toBe(9);
    g.backward();
    expect(x.grad!.item()).toBe(6);
    expect(Array.from(p.grad!.data)).toEqual([0, 0]); // a parameter the output does not read gets a zero gradient, as every parameter did before
  });

  test('an output that is not a node of this graph, or no node, is refused', () => {
    const { g } = model();
    const other = newGraph().input('x');
    expect(() => g.forward({ x: 1 }, { output: other })).toThrow(InvalidArgumentError);
    expect(() => g.forward({ x: 1 }, { output: other })).toThrow("forward: options.output: expected a node of this graph or its name, got input 'x' of another graph");
    expect(() => g.forward({ x: 1 }, { output: 'nope' })).toThrow("graph has no node named 'nope'");
  });
});

describe('feeds of every kind', () => {
  test('forward(null) and other non-objects give a ChainruleError', () => {
    const { g } = model();
    for (const bad of [null, 3, [1, 2], Tensor.from([1]), new Float32Array(2)]) {
      expect(() => g.forward(bad as never)).toThrow(FeedError);
    }
    expect(() => g.forward(null as never)).toThrow(ChainruleError);
    expect(() => g.forward(null as never)).toThrow('forward: feeds must be an object mapping input names to values, like { x: ... }, got null');
  });

  test('a bare typed array takes the input’s declared shape, the batch dimension worked out', () => {
    const g = newGraph();
    const x = g.input('x', { shape: [null, 3] });
    g.gate(TestSquare, [x], { name: 'sq' });
    const out = g.forward({ x: new Float32Array([1, 2, 3, 4, 5, 6]) });
    expect(out.shape).toEqual([2, 3]);
    expect(out.dtype).toBe('float32');
    expect(Array.from(out.data)).toEqual([1, 4, 9, 16, 25, 36]);
    expect(() => g.forward({ x: new Float32Array(7) })).toThrow("forward: the feed for input 'x' holds 7 values, which do not fill its declared shape [null, 3]: feed Tensor.from(values, [n, 3])");
  });

  test('a bare typed array for an input without a declared shape asks for the shape', () => {
    const g = newGraph();
    g.gate(TestSquare, [g.input('x')], { name: 'sq' });
    expect(() => g.forward({ x: new Float64Array(4) })).toThrow(FeedError);
    expect(() => g.forward({ x: new Float64Array(4) })).toThrow('declares no shape, so its shape is unknown: feed Tensor.from(values, [n, 4 / n])');
    expect(g.forward({ x: Tensor.from(new Float64Array([1, 2, 3, 4]), [2, 2]) }).shape).toEqual([2, 2]);
  });

  test('a declared dtype converts a typed array of the other precision', () => {
    const g = newGraph();
    g.gate(TestSquare, [g.input('x', { shape: [2], dtype: 'float64' })], { name: 'sq' });
    expect(g.forward({ x: new Float32Array([1, 2]) }).dtype).toBe('float64');
  });
});
