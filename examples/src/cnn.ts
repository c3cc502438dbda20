import 'reflect-metadata';
import { join } from 'path';
import { Tensor } from '@chainrule/core';
import { Conv2D } from '@chainrule/gates';
import { predict } from '@chainrule/optim';
import { loggerFor, outDirFor, percent } from './common';
import { loadMnist, MNIST_PIXELS } from './data';
import { MnistResult, MnistRunOptions, runMnist } from './mnist';
import { imageGrid, savePlot } from './plot';

/**
 * `npm run example -- cnn`: the LeNet-style CNN (cnn-network.ts) trained on the same digits and the
 * same 2,000 held-out ones as the MLP main job, with its progress bar, loss/accuracy curves and
 * throughput (all runMnist's), then two pictures: the learned first-layer filters, and what every
 * channel of both convolution blocks makes of one held-out digit.
 */
export async function runCnn(options: MnistRunOptions = {}): Promise<MnistResult & { pictures: string[] }> {
  const log = loggerFor(options);
  const outDir = options.outDir ?? outDirFor('cnn', options);
  const result = await runMnist({ ...options, model: 'cnn', outDir });
  const graph = result.net.graph;
  graph.eval();

  const w = (graph.group('conv1').gate as Conv2D).weight.value as Tensor; // [F, 1, KH, KW]
  const [f, , kh, kw] = w.shape;
  const filterImages = Array.from({ length: f }, (_, i) => ({ label: `filter ${i + 1}`, values: w.data.subarray(i * kh * kw, (i + 1) * kh * kw), height: kh, width: kw }));

  const { test } = loadMnist({ limit: options.limit, seed: options.seed ?? 42, dtype: 'float32' });
  const digit = new Tensor(test.x.slice(0, MNIST_PIXELS), [1, 1, 28, 28]);
  const predicted = predict(graph, digit, { scores: result.net.scores }).classes[0]; // forward to the scores only: no label needed
  const maps = (node: string, label: string) => {
    const t = graph.node(node).value as Tensor; // [1, C, H, W]
    const [, c, h, wd] = t.shape;
    return Array.from({ length: c }, (_, i) => ({ label: `${label} ${i + 1}`, values: t.data.subarray(i * h * wd, (i + 1) * h * wd), height: h, width: wd }));
  };
  const pictures = [
    await savePlot(
      join(outDir, 'filters.svg'),
      imageGrid({ title: 'Learned first-layer filters', subtitle: `conv1 W [${w.shape.join(', ')}]: red positive, blue negative (each filter to its own scale)`, images: filterImages, scheme: 'redblue', pixel: 14 }),
    ),
    await savePlot(
      join(outDir, 'feature-maps.svg'),
      imageGrid({
        title: `Feature maps of one held-out digit (a ${test.y[0]}, predicted ${predicted})`,
        subtitle: 'the input, then every channel after conv1 + batch norm (24×24), then after conv2 + batch norm (8×8); dark = high',
        images: [{ label: 'input', values: digit.data, height: 28, width: 28 }, ...maps('conv1_bn', 'conv1'), ...maps('conv2_bn', 'conv2')],
        columns: 9,
        pixel: 4,
      }),
    ),
  ];
  for (const p of pictures) log(`wrote ${p}`);
  log(`CNN: ${percent(result.testAccuracy, 2)} held-out accuracy after ${result.trainSeconds.toFixed(1)} s of training`);
  return { ...result, pictures };
}
