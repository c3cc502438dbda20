import 'reflect-metadata';
import { ComputationalGraph, InvalidArgumentError, Tensor } from '@chainrule/core';
import { AddGate, MatMulGate, SoftmaxCrossEntropyGate } from '@chainrule/gates';
import { argmaxRows, countCorrect, evaluate, SGD, Trainer } from '@chainrule/optim';

/** scores = x · W + b with fixed weights, so every score and the loss can be checked by hand. */
function linearNet() {
  const graph = new ComputationalGraph();
  const x = graph.input('x', { shape: [null, 2], requiresGrad: false });
  const y = graph.input('y', { requiresGrad: false });
  const W = graph.parameter('W', Tensor.from([[1, 0], [0, 1]]));
  const b = graph.parameter('b', Tensor.from([0, 0]));
  const scores = graph.gate(AddGate, [graph.gate(MatMulGate, [x, W]), b], { name: 'scores' });
  graph.gate(SoftmaxCrossEntropyGate, [scores, y], { name: 'loss' });
  return { graph, x, y, scores };
}

// Scores equal the features: rows 0 and 2 pick class 0, row 1 class 1, row 3 ties (class 0, the first).
const data = { features: Float64Array.from([2, 0, 0, 3, 1, -1, 0, 0]), labels: [0, 1, 1, 0] };

describe('evaluate: loss and accuracy without an optimizer', () => {
  test('agrees with the losses computed by hand and with Trainer.evaluate', () => {
    const net = linearNet();
    const result = evaluate(net.graph, data, { features: net.x, labels: net.y, scores: net.scores, batchSize: 3 });
    // −log softmax(s)[y] = log-sum-exp(s) − s_y per row, averaged.
    const lse = (a: number, c: number) => Math.log(Math.exp(a) + Math.exp(c));
    const expected = (lse(2, 0) - 2 + (lse(0, 3) - 3) + (lse(1, -1) + 1) + (lse(0, 0) - 0)) / 4;
    expect(result.loss).toBeCloseTo(expected, 12);
    expect(result.accuracy).toBe(0.75);
    expect(result.samples).toBe(4);
    const trainer = new Trainer({ graph: net.graph, optimizer: new SGD(net.graph.parameters(), { lr: 0.1 }), features: 'x', labels: 'y', scores: 'scores', batchSize: 2 });
    expect(trainer.evaluate(data).loss).toBeCloseTo(result.loss, 12);
    expect(trainer.evaluate(data).accuracy).toBe(result.accuracy);
  });

  test('without scores gives NaN accuracy; a bad batch size throws', () => {
    const net = linearNet();
    expect(evaluate(net.graph, data, { features: 'x', labels: 'y' }).accuracy).toBeNaN();
    expect(() => evaluate(net.graph, data, { features: 'x', labels: 'y', batchSize: 0 })).toThrow(InvalidArgumentError);
    expect(() => evaluate(net.graph, data, { features: 'x', labels: 'y', batchSize: 0 })).toThrow(/evaluate: 'batchSize' must be an integer >= 1, got 0/);
  });
});

describe('argmaxRows and countCorrect share one argmax', () => {
  test('ties go to the first class; width-1 scores use the threshold', () => {
    const scores = Tensor.from([[0, 2, 2], [5, -1, 0], [1, 1, 1]]);
    expect(Array.from(argmaxRows(scores))).toEqual([1, 0, 0]);
    expect(countCorrect(scores, Tensor.from([1, 0, 2]), 3)).toBe(2);
    expect(countCorrect(Tensor.from([[0.7], [0.2]]), Tensor.from([1, 1]), 2)).toBe(1);
    expect(countCorrect(Tensor.from([[0.7], [0.2]]), Tensor.from([1, 1]), 2, 0.1)).toBe(2);
  });
});
