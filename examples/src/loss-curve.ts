import 'reflect-metadata';
import { join } from 'path';
import { ExampleOptions, loggerFor, outDirFor } from './common';
import { loadMnist, MNIST_PIXELS } from './data';
import { buildClassifier, makeOptimizer, makeTrainer, trainerData } from './network';
import { movingAverage, round, Row, savePlot, Spec, withDefaults } from './plot';

/**
 * The loss curve as the lectures show it: the loss of every mini-batch while training (noisy, since
 * each batch is a different small sample of the data) and its moving average going down.
 * An MLP on MNIST digits with plain SGD and small batches.
 */

export interface LossCurveOptions extends ExampleOptions {
  /** Digits used (80% train); default 3,000. */
  limit?: number;
  epochs?: number;
  batchSize?: number;
  /** Moving-average window in batches. */
  window?: number;
  lr?: number;
}

export interface LossCurveResult {
  batches: number;
  /** Loss of every mini-batch, in training order. */
  losses: number[];
  movingAverage: number[];
  window: number;
  /** Moving average over the first and the last `window` batches. */
  firstAverage: number;
  lastAverage: number;
  plots: string[];
}

export async function runLossCurve(options: LossCurveOptions = {}): Promise<LossCurveResult> {
  const log = loggerFor(options);
  const outDir = outDirFor('loss-curve', options);
  const seed = options.seed ?? 0;
  const epochs = options.epochs ?? 3;
  const batchSize = options.batchSize ?? 32;
  const window = options.window ?? 25;
  const lr = options.lr ?? 0.05;
  const { train: data } = loadMnist({ limit: options.limit ?? 3000, seed, dtype: 'float32' });
  const net = buildClassifier({ inputs: MNIST_PIXELS, hidden: [64], classes: 10, activation: 'relu', dtype: 'float32', seed });
  const optimizer = makeOptimizer('sgd', net.graph.parameters(), lr);
  log(`Loss per mini-batch: ${MNIST_PIXELS} → 64 → 10 on ${data.n} MNIST digits, SGD lr ${lr}, batch size ${batchSize}, ${epochs} epochs`);
  const losses: number[] = [];
  const epochStarts: number[] = [];
  makeTrainer(net, optimizer, batchSize, seed).fit(trainerData(data), {
    epochs,
    onStep: (s) => {
      if (s.step === 0) epochStarts.push(losses.length + 1);
      losses.push(s.loss);
    },
  });
  const avg = movingAverage(losses, window);
  const firstAverage = mean(losses.slice(0, window));
  const lastAverage = mean(losses.slice(-window));
  log(`${losses.length} batches: mean loss of the first ${window} ${firstAverage.toFixed(3)}, of the last ${window} ${lastAverage.toFixed(3)}`);
  const spread = Math.max(...losses.slice(-window)) - Math.min(...losses.slice(-window));
  log(`the per-batch loss still jumps by up to ${spread.toFixed(3)} between batches at the end; the moving average shows the trend`);
  const plots = [await savePlot(join(outDir, 'loss-curve.svg'), lossCurveSpec(losses, avg, window, epochStarts))];
  for (const p of plots) log(`wrote ${p}`);
  return { batches: losses.length, losses, movingAverage: avg, window, firstAverage, lastAverage, plots };
}

export function lossCurveSpec(losses: number[], avg: number[], window: number, epochStarts: number[] = []): Spec {
  const perBatch = 'loss of each mini-batch';
  const smooth = `moving average (${window} batches)`;
  const rows: Row[] = [];
  losses.forEach((l, i) => rows.push({ batch: i + 1, loss: round(l), curve: perBatch }));
  avg.forEach((l, i) => rows.push({ batch: i + 1, loss: round(l), curve: smooth }));
  return withDefaults({
    title: { text: 'Training loss over mini-batches', subtitle: 'softmax cross-entropy; dotted lines mark the start of each epoch' },
    width: 520,
    height: 280,
    layer: [
      {
        data: { values: epochStarts.slice(1).map((b) => ({ batch: b })) },
        mark: { type: 'rule', strokeDash: [2, 3], color: '#999' },
        encoding: { x: { field: 'batch', type: 'quantitative' } },
      },
      ...[
        { curve: perBatch, width: 1 },
        { curve: smooth, width: 2.5 },
      ].map(({ curve, width }) => ({
        data: { values: rows },
        transform: [{ filter: { field: 'curve', equal: curve } }],
        mark: { type: 'line', strokeWidth: width },
        encoding: {
          x: { field: 'batch', type: 'quantitative', title: 'mini-batch' },
          y: { field: 'loss', type: 'quantitative', title: 'loss' },
          color: { field: 'curve', type: 'nominal', title: null, scale: { domain: [perBatch, smooth], range: ['#9ecae9', '#d62728'] } },
        },
      })),
    ],
  });
}

function mean(values: number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}
