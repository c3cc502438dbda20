/**
 * The lectures' softmax classifier on one image: scores cat 3.2, car 5.1, frog −1.7, true class cat.
 * Prints the probabilities, the cross-entropy loss and its gradient on the scores.
 *
 *   npm run build && node examples/dist/softmax-classifier.js
 */
import 'reflect-metadata';
import { ComputationalGraph, Tensor } from '@chainrule/core';
import { createGatesContainer, SoftmaxCrossEntropyGate, SoftmaxGate } from '@chainrule/gates';

export interface SoftmaxClassifierResult {
  classes: string[];
  scores: number[];
  /** softmax(scores): 0.13, 0.87, 0.00. */
  probabilities: number[];
  /** −ln P(cat) = 2.04 (natural log, what the gate computes). */
  loss: number;
  /** −log10 P(cat) = 0.89, the number on the lecture slide. */
  lossLog10: number;
  /** dL/dscores = softmax − onehot(cat): −0.87, 0.87, 0.00. */
  gradient: number[];
}

export function run(log: (line: string) => void = console.log): SoftmaxClassifierResult {
  const classes = ['cat', 'car', 'frog'];
  const g = new ComputationalGraph(createGatesContainer());
  const scores = g.input('scores', { shape: [null, 3] });
  const labels = g.input('labels', { requiresGrad: false });
  g.gate(SoftmaxGate, [scores], { name: 'probabilities' });
  const loss = g.gate(SoftmaxCrossEntropyGate, [scores, labels], { name: 'loss' });
  g.setOutput(loss);

  const feeds = { scores: Tensor.from([[3.2, 5.1, -1.7]]), labels: Tensor.from([0]) };
  const L = g.forward(feeds).item();
  g.backward();

  const probabilities = Array.from((g.node('probabilities').value as Tensor).data);
  const gradient = Array.from((g.node('scores').grad as Tensor).data);
  const lossLog10 = -Math.log10(probabilities[0]);
  const fmt = (v: number) => (Object.is(Math.round(v * 100), -0) ? 0 : v).toFixed(2);
  const row = (values: number[]) => classes.map((c, i) => `${c} ${fmt(values[i])}`).join(', ');

  log(`scores:        ${classes.map((c, i) => `${c} ${feeds.scores.data[i]}`).join(', ')}`);
  log(`true class:    ${classes[0]}`);
  log(`probabilities: ${row(probabilities)}`);
  log(`loss L = −ln P(cat) = ${fmt(L)}  (natural log; the slide's ${fmt(lossLog10)} is the base-10 log, −log10 P(cat))`);
  log(`dL/dscores = softmax − onehot(cat): ${row(gradient)}`);
  return { classes, scores: Array.from(feeds.scores.data), probabilities, loss: L, lossLog10, gradient };
}

/** The same function under the name the examples registry uses for the others (runAddMultiply, …). */
export const runSoftmaxClassifier = run;

if (require.main === module) run();
