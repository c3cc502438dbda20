import 'reflect-metadata';
import { ChainruleError, ComputationalGraph, Random, Tensor } from '@chainrule/core';
import { createGatesContainer, DropoutGate, mlp, ReLUGate, SoftmaxCrossEntropyGate } from '@chainrule/gates';
import { argmaxRows, confusionMatrix, evaluate, predict } from '@chainrule/optim';

/** A seeded 4 → 8 → 3 classifier with a label input the scores do not read. */
function classifier(dropout = false) {
  const graph = new ComputationalGraph(createGatesContainer());
  const x = graph.input('x', { shape: [null, 4], requiresGrad: false });
  const labels = graph.input('labels', { shape: [null], requiresGrad: false });
  const input = dropout ? graph.gate(DropoutGate, [x], { name: 'drop', options: { p: 0.5, seed: 1 } }) : x;
  const scores = mlp(graph, input, [4, 8, 3], ReLUGate, { seed: 3, name: 'fc' });
  graph.gate(SoftmaxCrossEntropyGate, [scores, labels], { name: 'loss' });
  return { graph, x, labels, scores };
}

const rng = new Random(11);
const features = rng.randn([10, 4]);
const labels = Float64Array.from({ length: 10 }, () => rng.int(3));

describe('predict: scores and classes without labels or an optimizer', () => {
  test('feeds only the features and returns the scores forward computes with the labels fed, and their argmax', () => {
    const net = classifier();
    const p = predict(net.graph, features, { scores: net.scores });
    net.graph.forward({ x: features, labels: Tensor.from(Array.from(labels)) });
    const withLabels = (net.scores.value as Tensor).clone();
    expect(p.scores.shape).toEqual([10, 3]);
    expect(Array.from(p.scores.data)).toEqual(Array.from(withLabels.data));
    expect(Array.from(p.classes)).toEqual(Array.from(argmaxRows(withLabels)));
    // the caller's copy: a later forward does not change it
    net.graph.forward({ x: Tensor.zeros([10, 4]), labels: Tensor.zeros([10]) });
    expect(Array.from(p.scores.data)).toEqual(Array.from(withLabels.data));
  });

  test('in batches, by name, and from a flat typed array shaped by the declared input: the same answer', () => {
    const net = classifier();
    const whole = predict(net.graph, features, { scores: 'fc2' });
    for (const batchSize of [1, 3, 4, 10, 64]) {
      const p = predict(net.graph, features, { scores: net.scores, batchSize });
      expect(Array.from(p.scores.data)).toEqual(Array.from(whole.scores.data));
      expect(Array.from(p.classes)).toEqual(Array.from(whole.classes));
    }
    const flat = predict(net.graph, Float64Array.from(features.data), { scores: net.scores, input: 'x' });
    expect(Array.from(flat.classes)).toEqual(Array.from(whole.classes));
  });

  test('runs in evaluation mode (dropout off) and gives the graph back in the mode it was in', () => {
    const net = classifier(true);
    net.graph.train();
    const a = predict(net.graph, features, { scores: net.scores });
    const b = predict(net.graph, features, { scores: net.scores });
    expect(Array.from(a.scores.data)).toEqual(Array.from(b.scores.data)); // no random dropout mask
    expect(net.graph.training).toBe(true);
    net.graph.eval();
    predict(net.graph, features, { scores: net.scores });
    expect(net.graph.training).toBe(false);
  });

  test('mistakes are named', () => {
    const net = classifier();
    expect(() => predict(net.graph, features, { scores: 'nope' })).toThrow(ChainruleError);
    expect(() => predict(net.graph, features, { scores: net.scores, batchSize: 0 })).toThrow(/predict: 'batchSize' must be an integer >= 1, got 0/);
    expect(() => predict(net.graph, new Float64Array(7), { scores: net.scores })).toThrow(/7 feature values do not split into rows of \[4\]/);
    expect(() => predict(net.graph, features, { scores: net.graph.node('loss') })).toThrow(/depends on 2 inputs \('x', 'labels'\); say which one the features feed with options.input/);
  });
});

describe('evaluate: loss, accuracy and the confusion matrix', () => {
  test('the confusion matrix counts predict\'s classes against the labels, and its accuracy is evaluate\'s', () => {
    const net = classifier();
    const data = { features: Float64Array.from(features.data), labels };
    const e = evaluate(net.graph, data, { features: 'x', labels: 'labels', scores: net.scores, batchSize: 4 });
    const p = predict(net.graph, features, { scores: net.scores });
    const expected = confusionMatrix(p.classes, labels, 3);
    expect(e.confusion?.toArray()).toEqual(expected.toArray());
    expect(e.confusion?.total).toBe(10);
    expect(e.confusion?.accuracy).toBeCloseTo(e.accuracy, 12);
  });
});
