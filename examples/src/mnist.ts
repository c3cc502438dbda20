import 'reflect-metadata';
import { join } from 'path';
import { SingleBar, Presets } from 'cli-progress';
import { DEFAULT_OPSET } from '@chainrule/onnx';
import { writeOnnx } from '@chainrule/onnx/node';
import { ExampleOptions, loggerFor, outDirFor, percent } from './common';
import { loadMnist, MNIST_PIXELS } from './data';
import { buildClassifier, DEFAULT_LR, makeOptimizer, makeTrainer, OptimizerName, trainerData } from './network';
import { lineChart, Row, savePlot } from './plot';

/**
 * The main job: a multilayer perceptron on real handwritten digits (the `mnist` package's 10,000,
 * shipped with it), float32, mini-batches, a progress bar per epoch, loss and accuracy per epoch,
 * the held-out test accuracy, throughput, and the loss/accuracy curves as SVG.
 */

export interface MnistRunOptions extends ExampleOptions {
  epochs?: number;
  batchSize?: number;
  /** Hidden layer widths (default [128, 64]). */
  hidden?: number[];
  optimizer?: OptimizerName;
  /** Default: the optimizer's own (DEFAULT_LR). */
  lr?: number;
  /** Digits used in all (default every one the package ships, 10,000); 20% of them are held out. */
  limit?: number;
  /** Show a cli-progress bar per epoch (on a terminal). */
  progress?: boolean;
}

export interface MnistEpoch {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  seconds: number;
  samplesPerSecond: number;
}

export interface MnistResult {
  trainSize: number;
  testSize: number;
  hidden: number[];
  optimizer: OptimizerName;
  lr: number;
  epochs: MnistEpoch[];
  testAccuracy: number;
  /** Training samples per second over all epochs (forward + backward + update). */
  samplesPerSecond: number;
  trainSeconds: number;
  plots: string[];
  /** The trained network from input x to the scores, as ONNX (`<outDir>/model.onnx`). */
  model: string;
}

export const MNIST_DEFAULTS = { epochs: 8, batchSize: 64, hidden: [128, 64], optimizer: 'adam' as OptimizerName, seed: 42, outDir: join('out', 'mnist') };

export async function runMnist(options: MnistRunOptions = {}): Promise<MnistResult> {
  const log = loggerFor(options);
  const outDir = options.outDir ?? outDirFor('mnist', options);
  const epochs = options.epochs ?? MNIST_DEFAULTS.epochs;
  const batchSize = options.batchSize ?? MNIST_DEFAULTS.batchSize;
  const hidden = options.hidden ?? MNIST_DEFAULTS.hidden;
  const optimizerName = options.optimizer ?? MNIST_DEFAULTS.optimizer;
  const lr = options.lr ?? DEFAULT_LR[optimizerName];
  const seed = options.seed ?? MNIST_DEFAULTS.seed;

  const loadStart = performance.now();
  const { train: trainSet, test: testSet, available } = loadMnist({ limit: options.limit, seed, dtype: 'float32' });
  log(
    `MNIST: ${trainSet.n} training and ${testSet.n} held-out test digits (of ${available} shipped in the mnist package), 28×28 float32, loaded in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`,
  );
  const net = buildClassifier({ inputs: MNIST_PIXELS, hidden, classes: 10, activation: 'relu', init: 'he', dtype: 'float32', seed });
  const optimizer = makeOptimizer(optimizerName, net.graph.parameters(), lr);
  const params = net.graph.parameters().reduce((s, p) => s + (p.value?.size ?? 0), 0);
  log(`network: ${[MNIST_PIXELS, ...hidden, 10].join(' → ')} (ReLU, He init, ${params.toLocaleString('en-US')} parameters), softmax cross-entropy`);
  log(`training: ${epochs} epochs, batch size ${batchSize}, ${optimizerName} lr ${lr}, seed ${seed}`);

  const showBar = (options.progress ?? false) && process.stderr.isTTY === true;
  const batches = Math.ceil(trainSet.n / batchSize);
  let bar: SingleBar | undefined;
  let running = { loss: 0, correct: 0, seen: 0, seconds: 0 };
  const history: MnistEpoch[] = [];
  let trainSeconds = 0;
  const trainer = makeTrainer(net, optimizer, batchSize, seed);
  trainer.fit(trainerData(trainSet), {
    epochs,
    validation: trainerData(testSet),
    onStep: (s) => {
      if (s.step === 0) {
        running = { loss: 0, correct: 0, seen: 0, seconds: 0 };
        if (showBar) {
          bar = new SingleBar(
            {
              format: `epoch ${String(s.epoch + 1).padStart(String(epochs).length)}/${epochs} [{bar}] {value}/{total} batches | loss {loss} | accuracy {acc} | {speed} samples/s`,
              hideCursor: true,
              clearOnComplete: true,
            },
            Presets.shades_classic,
          );
          bar.start(batches, 0, { loss: '-', acc: '-', speed: '-' });
        }
      }
      running.loss += s.loss * s.batchSize;
      running.correct += s.accuracy * s.batchSize;
      running.seen += s.batchSize;
      running.seconds += s.seconds;
      bar?.update(s.step + 1, {
        loss: (running.loss / running.seen).toFixed(4),
        acc: percent(running.correct / running.seen),
        speed: Math.round(running.seen / running.seconds),
      });
    },
    onEpochEnd: (e) => {
      bar?.stop();
      bar = undefined;
      trainSeconds += e.seconds;
      const row: MnistEpoch = {
        epoch: e.epoch + 1,
        trainLoss: e.loss,
        trainAccuracy: e.accuracy,
        testLoss: e.valLoss,
        testAccuracy: e.valAccuracy,
        seconds: e.seconds,
        samplesPerSecond: e.samplesPerSecond,
      };
      history.push(row);
      log(
        `epoch ${String(row.epoch).padStart(String(epochs).length)}/${epochs}  loss ${e.loss.toFixed(4)}  accuracy ${percent(e.accuracy)}  |  test loss ${e.valLoss.toFixed(4)}  test accuracy ${percent(e.valAccuracy)}  |  ${e.seconds.toFixed(1)} s, ${Math.round(e.samplesPerSecond)} samples/s`,
      );
    },
  });
  const final = history[history.length - 1];
  const samplesPerSecond = (trainSet.n * epochs) / trainSeconds;
  log('');
  log(`final test accuracy: ${percent(final.testAccuracy, 2)} on ${testSet.n} held-out digits`);
  log(`throughput: ${Math.round(samplesPerSecond)} samples/s (forward + backward + ${optimizerName} step, float32), ${trainSeconds.toFixed(1)} s of training`);

  const plots = await saveMnistPlots(outDir, history);
  for (const p of plots) log(`wrote ${p}`);
  // The inference part (pixels → 10 scores, no loss) for ONNX Runtime and every engine that reads ONNX.
  const model = join(outDir, 'model.onnx');
  const bytes = writeOnnx(model, net.graph, { inputs: ['x'], output: net.scores });
  log(`wrote ${model} (${(bytes / 1024).toFixed(0)} KiB, ONNX opset ${DEFAULT_OPSET}: input x [N, ${MNIST_PIXELS}] → 10 scores [N, 10])`);
  return {
    trainSize: trainSet.n,
    testSize: testSet.n,
    hidden,
    optimizer: optimizerName,
    lr,
    epochs: history,
    testAccuracy: final.testAccuracy,
    samplesPerSecond,
    trainSeconds,
    plots,
    model,
  };
}

export async function saveMnistPlots(outDir: string, history: MnistEpoch[]): Promise<string[]> {
  const lossRows: Row[] = [];
  const accRows: Row[] = [];
  for (const h of history) {
    lossRows.push({ epoch: h.epoch, loss: h.trainLoss, set: 'training' }, { epoch: h.epoch, loss: h.testLoss, set: 'test (held out)' });
    accRows.push({ epoch: h.epoch, accuracy: h.trainAccuracy, set: 'training' }, { epoch: h.epoch, accuracy: h.testAccuracy, set: 'test (held out)' });
  }
  const order = ['training', 'test (held out)'];
  return [
    await savePlot(
      join(outDir, 'loss.svg'),
      lineChart({ title: 'MNIST: loss per epoch', subtitle: 'softmax cross-entropy; training: mean over the epoch\'s batches', rows: lossRows, x: 'epoch', y: 'loss', series: 'set', seriesTitle: 'data', seriesOrder: order, xTitle: 'epoch', yTitle: 'loss', points: true, xIntegers: true }),
    ),
    await savePlot(
      join(outDir, 'accuracy.svg'),
      lineChart({ title: 'MNIST: accuracy per epoch', subtitle: 'share of digits classified right', rows: accRows, x: 'epoch', y: 'accuracy', series: 'set', seriesTitle: 'data', seriesOrder: order, xTitle: 'epoch', yTitle: 'accuracy', points: true, xIntegers: true, yFormat: '.0%' }),
    ),
  ];
}
