import 'reflect-metadata';
import { join } from 'path';
import { Tensor } from '@chainrule/core';
import { ExampleOptions, loggerFor, outDirFor, percent } from './common';
import { Dataset, spiralData } from './data';
import { buildClassifier, Classifier, evaluate, makeOptimizer, makeTrainer, predict, trainerData } from './network';
import { classRuns, linspace, round, Row, savePlot, Spec, withDefaults } from './plot';

/**
 * The three-class spiral of the lectures: a linear softmax classifier cannot separate the arms
 * (about half right), a two-layer ReLU network can (close to all right). Both are trained
 * full-batch with Adam on the same 300 points; the pictures colour the plane by predicted class.
 */

export interface SpiralOptions extends ExampleOptions {
  perClass?: number;
  hidden?: number;
  /** Full-batch steps for each model. */
  steps?: number;
  /** Grid cells per side of the decision-boundary picture. */
  resolution?: number;
}

export interface ModelResult {
  model: string;
  accuracy: number;
  loss: number;
  plot: string;
}

export interface SpiralResult {
  points: number;
  linear: ModelResult;
  twoLayer: ModelResult;
  plots: string[];
}

const CLASS_NAMES = ['class 0', 'class 1', 'class 2'];

export async function runSpiral(options: SpiralOptions = {}): Promise<SpiralResult> {
  const log = loggerFor(options);
  const outDir = outDirFor('spiral', options);
  const seed = options.seed ?? 0;
  const data = spiralData({ perClass: options.perClass ?? 100, seed, dtype: 'float32' });
  const steps = options.steps ?? 1000;
  const hidden = options.hidden ?? 100;
  const resolution = options.resolution ?? 100;
  log(`Spiral: ${data.n} points in ${data.classes} classes (seeded Random, seed ${seed}); ${steps} full-batch Adam steps per model`);

  const fit = async (name: string, file: string, hiddenSizes: number[], lr: number): Promise<ModelResult> => {
    const net = buildClassifier({ inputs: 2, hidden: hiddenSizes, classes: 3, activation: 'relu', seed, dtype: 'float32' });
    const optimizer = makeOptimizer('adam', net.graph.parameters(), lr);
    const started = performance.now();
    makeTrainer(net, optimizer, data.n, seed).fit(trainerData(data), { epochs: steps });
    const { loss, accuracy } = evaluate(net, data);
    log(`  ${name.padEnd(32)} training accuracy ${percent(accuracy)}, loss ${loss.toFixed(4)} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    const plot = await savePlot(join(outDir, file), boundarySpec(net, data, `${name}: ${percent(accuracy)} right`, resolution));
    return { model: name, accuracy, loss, plot };
  };

  const linear = await fit('Linear softmax classifier', 'linear.svg', [], 0.05);
  const twoLayer = await fit(`Two-layer net, ${hidden} ReLU units`, 'two-layer.svg', [hidden], 0.02);
  const plots = [linear.plot, twoLayer.plot];
  log(
    `The linear classifier's boundaries are straight lines (scores x·W + b), and no straight cut follows three interleaved arms: ${percent(linear.accuracy)} right, ` +
      `above the ${percent(1 / data.classes)} of guessing but far from all. The hidden layer's ReLUs bend the boundaries into pieces of lines that follow the arms: ${percent(twoLayer.accuracy)}.`,
  );
  for (const p of plots) log(`wrote ${p}`);
  return { points: data.n, linear, twoLayer, plots };
}

/** Predicted class over a grid (merged into runs) with the data points on top. */
export function boundarySpec(net: Classifier, data: Dataset, title: string, resolution: number): Spec {
  const lo = -1.1;
  const hi = 1.1;
  const xs = linspace(lo, hi, resolution);
  const ys = linspace(lo, hi, resolution);
  const grid = Tensor.zeros([resolution * resolution, 2], 'float32');
  for (let r = 0; r < resolution; r++) {
    for (let c = 0; c < resolution; c++) {
      grid.data[(r * resolution + c) * 2] = xs[c];
      grid.data[(r * resolution + c) * 2 + 1] = ys[r];
    }
  }
  const classes = predict(net, grid);
  const regions = classRuns(xs, ys, classes, (k) => CLASS_NAMES[k]).map((row) => ({
    ...row,
    x: round(row.x as number),
    x2: round(row.x2 as number),
    y: round(row.y as number),
    y2: round(row.y2 as number),
  }));
  const points: Row[] = [];
  for (let i = 0; i < data.n; i++) points.push({ x: round(data.x[2 * i]), y: round(data.x[2 * i + 1]), label: CLASS_NAMES[data.y[i]] });
  const scale = { domain: [lo, hi], nice: false };
  const colors = { domain: CLASS_NAMES, range: ['#4c78a8', '#f58518', '#54a24b'] };
  return withDefaults({
    title: { text: title, subtitle: 'colour: predicted class; dots: training points' },
    width: 340,
    height: 340,
    layer: [
      {
        data: { values: regions },
        mark: { type: 'rect', opacity: 0.3 },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale, title: 'x₁' },
          x2: { field: 'x2' },
          y: { field: 'y', type: 'quantitative', scale, title: 'x₂' },
          y2: { field: 'y2' },
          color: { field: 'region', type: 'nominal', scale: colors, title: 'class' },
        },
      },
      {
        data: { values: points },
        mark: { type: 'point', filled: true, size: 22, stroke: 'white', strokeWidth: 0.5, opacity: 1 },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale },
          y: { field: 'y', type: 'quantitative', scale },
          color: { field: 'label', type: 'nominal', scale: colors, title: 'class' },
        },
      },
    ],
  });
}
