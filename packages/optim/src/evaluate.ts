import { assertGraph, ComputationalGraph, describeArgument, InvalidArgumentError } from '@chainrule/core';
import { BatchFeed, FeedOptions } from './batch-feed';
import { classesOf } from './data/argmax';
import { ConfusionMatrix } from './data/confusion-matrix';
import { copyRows, Dataset } from './data/dataset';

export interface Evaluation {
  loss: number;
  /** NaN without a scores node. */
  accuracy: number;
  samples: number;
  /**
   * Counts of (true class, predicted class) over the data set, with a scores node and one class
   * index per example (C classes; 2 for a width-1 sigmoid output). Its accuracy equals `accuracy`.
   */
  confusion?: ConfusionMatrix;
}

/** Options of evaluate(): the graph's inputs, as the Trainer takes them, and the batch size. */
export interface EvaluateOptions extends Omit<FeedOptions, 'graph'> {
  /** Rows per forward pass (default 32; at most the data set's size is allocated). */
  batchSize?: number;
}

/**
 * Mean loss (weighted by batch size) and accuracy of a data set fed through `feed`, in order, forward
 * only, in the graph's evaluation mode (dropout off, batch norm on its running statistics), then back
 * to the mode it was in.
 */
export function evaluateFeed(feed: BatchFeed, graph: ComputationalGraph, data: Dataset, batchSize: number, where: string): Evaluation {
  const { n, d, k } = feed.check(data, 'data set');
  let lossSum = 0;
  let correct = 0;
  let confusion: ConfusionMatrix | undefined;
  const predicted = new Int32Array(Math.min(batchSize, n));
  const wasTraining = graph.training;
  graph.eval();
  try {
    for (let start = 0; start < n; start += batchSize) {
      const b = Math.min(batchSize, n - start);
      const batch = feed.batch(b);
      copyRows(batch.x.data, data.features, undefined, start, b, d);
      copyRows(batch.y.data, data.labels, undefined, start, b, k);
      lossSum += feed.forwardLoss(batch, where) * b;
      correct += feed.correct(batch, b);
      const scores = feed.scoresNode?.value;
      if (scores && k === 1) {
        const c = scores.size / b;
        confusion ??= new ConfusionMatrix(c === 1 ? 2 : c);
        confusion.add(classesOf(scores, b, feed.threshold, predicted).subarray(0, b), batch.y.data);
      }
    }
  } finally {
    graph.train(wasTraining);
  }
  return { loss: lossSum / n, accuracy: feed.scoresNode ? correct / n : NaN, samples: n, confusion };
}

/**
 * Mean loss, accuracy and confusion matrix of a graph over a data set, forward only, in evaluation mode: no
 * optimizer, no update. The graph's output must be a one-element loss (the mean over the batch), as for the
 * Trainer. For scores alone, without labels, use predict().
 */
export function evaluate(graph: ComputationalGraph, data: Dataset, options: EvaluateOptions): Evaluation {
  const where = 'evaluate';
  assertGraph(graph, where);
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError(`${where}: options must be an object such as { features, labels }, got ${describeArgument(options)}`);
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`${where}: 'batchSize' must be an integer >= 1, got ${batchSize}`);
  const feed = new BatchFeed({ ...options, graph }, where);
  const n = feed.check(data, 'data set').n;
  return evaluateFeed(feed, graph, data, Math.min(batchSize, n), where);
}
