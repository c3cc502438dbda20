import { ComputationalGraph, DType, GraphNode, InvalidArgumentError, Random, Tensor } from '@chainrule/core';
import { createGatesContainer, Linear, mlp, ReLUGate, SigmoidGate, SoftmaxCrossEntropyGate, TanhGate } from '@chainrule/gates';
import {
  Adagrad,
  Adam,
  AdamW,
  Dataset as TrainerDataset,
  evaluate as evaluateGraph,
  predict as predictGraph,
  RMSProp,
  Scheduler,
  SGD,
  TrainableOptimizer,
  Trainer,
} from '@chainrule/optim';
import { Dataset } from './data';

/**
 * The networks of the examples, built from the library: `mlp` stacks Linear composite gates
 * (x · W + b, from MatMulGate and AddGate) with an activation gate between them, and
 * SoftmaxCrossEntropyGate(scores, labels) is the loss.
 */

export type Activation = 'relu' | 'sigmoid' | 'tanh';
/**
 * naive: N(0, 0.01²), the lectures' first try; xavier: N(0, 2/(fan_in + fan_out)) (Glorot, for
 * sigmoid/tanh); he: N(0, 2/fan_in) (for ReLU). Xavier and He are Linear's own initialisers.
 */
export type Init = 'naive' | 'xavier' | 'he';

export interface ClassifierSpec {
  inputs: number;
  /** Hidden layer widths; [] is a linear softmax classifier. */
  hidden: readonly number[];
  classes: number;
  activation?: Activation;
  /** Default: he for ReLU, xavier otherwise. */
  init?: Init;
  dtype?: DType;
  seed?: number;
}

export interface Layer {
  /** The Linear layer's output node (`fc<i>`, the layer's x·W + b). */
  linear: GraphNode;
  /** Its weight and bias parameters (`fc<i>/W`, `fc<i>/b`). */
  W: GraphNode;
  b: GraphNode | undefined;
  /** The activation's node (undefined for the output layer). */
  out: GraphNode | undefined;
}

export interface Classifier {
  graph: ComputationalGraph;
  x: GraphNode;
  labels: GraphNode;
  layers: Layer[];
  scores: GraphNode;
  loss: GraphNode;
  dtype: DType;
  spec: ClassifierSpec;
}

const ACTIVATION_GATES = { relu: ReLUGate, sigmoid: SigmoidGate, tanh: TanhGate } as const;

/** The standard deviation of the naive initialisation. */
export const NAIVE_STD = 0.01;

export function buildClassifier(spec: ClassifierSpec): Classifier {
  const dtype = spec.dtype ?? 'float32';
  const activation = spec.activation ?? 'relu';
  const init = spec.init ?? (activation === 'relu' ? 'he' : 'xavier');
  const seed = spec.seed ?? 0;
  const graph = new ComputationalGraph(createGatesContainer());
  const x = graph.input('x', { shape: [null, spec.inputs], dtype, requiresGrad: false });
  const labels = graph.input('labels', { shape: [null], dtype, requiresGrad: false });
  const sizes = [spec.inputs, ...spec.hidden, spec.classes];
  const scores = mlp(graph, x, sizes, ACTIVATION_GATES[activation], { init: init === 'naive' ? 'he' : init, seed, dtype, name: 'fc' });
  const loss = graph.gate(SoftmaxCrossEntropyGate, [scores, labels], { name: 'loss' });
  const layers: Layer[] = [];
  for (let i = 1; i < sizes.length; i++) {
    const linear = graph.node(`fc${i}`);
    const gate = graph.group(`fc${i}`).gate as Linear;
    layers.push({ linear, W: gate.weight, b: gate.bias, out: i + 1 < sizes.length ? graph.node(`fc${i}_act`) : undefined });
  }
  if (init === 'naive') {
    const rng = new Random(seed);
    for (const l of layers) {
      const w = (l.W.value as Tensor).data;
      for (let k = 0; k < w.length; k++) w[k] = rng.normal(0, NAIVE_STD);
    }
  }
  return { graph, x, labels, layers, scores, loss, dtype, spec };
}

/**
 * What the examples need of an optimizer: the Trainer's view of one. (Every @chainrule/optim rule
 * fits; the base class type `Optimizer<Hyperparameters>` does not accept SGD in TypeScript.)
 */
export type Stepper = TrainableOptimizer;

export type OptimizerName = 'sgd' | 'momentum' | 'nesterov' | 'adagrad' | 'rmsprop' | 'adam' | 'adamw';
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam', 'adamw'];

/** A sensible learning rate for each rule on these networks. */
export const DEFAULT_LR: Readonly<Record<OptimizerName, number>> = {
  sgd: 0.1,
  momentum: 0.05,
  nesterov: 0.05,
  adagrad: 0.05,
  rmsprop: 0.001,
  adam: 0.001,
  adamw: 0.001,
};

export function makeOptimizer(name: OptimizerName, params: GraphNode[], lr = DEFAULT_LR[name]): Stepper {
  switch (name) {
    case 'sgd':
      return new SGD(params, { lr });
    case 'momentum':
      return new SGD(params, { lr, momentum: 0.9 });
    case 'nesterov':
      return new SGD(params, { lr, momentum: 0.9, nesterov: true });
    case 'adagrad':
      return new Adagrad(params, { lr });
    case 'rmsprop':
      return new RMSProp(params, { lr });
    case 'adam':
      return new Adam(params, { lr });
    case 'adamw':
      return new AdamW(params, { lr });
    default:
      throw new InvalidArgumentError(`unknown optimizer '${name as string}' (expected one of ${OPTIMIZER_NAMES.join(', ')})`);
  }
}

/** A data set as @chainrule/optim's Trainer takes it. */
export function trainerData(data: Dataset): TrainerDataset {
  return { features: data.x, labels: data.y };
}

/**
 * The library's mini-batch Trainer for a classifier: a seeded shuffle per epoch, then per batch
 * forward, backward and optimizer.step() into reused batch tensors; accuracy from the scores node.
 */
export function makeTrainer(net: TrainableNet, optimizer: Stepper, batchSize: number, seed = 0, scheduler?: Scheduler): Trainer {
  return new Trainer({ graph: net.graph, optimizer, features: net.x, labels: net.labels, scores: net.scores, batchSize, seed, featureShape: net.featureShape, scheduler });
}

/** What makeTrainer needs of a network: its graph, input, label and scores nodes, and (for a CNN) one example's [C, H, W]. */
export interface TrainableNet {
  graph: ComputationalGraph;
  x: GraphNode;
  labels: GraphNode;
  scores: GraphNode;
  featureShape?: readonly number[];
}

/** Mean loss and accuracy over a data set, forward only (optim's evaluate, in batches of 1000). */
export function evaluate(net: Classifier, data: Dataset, batchSize = 1000): { loss: number; accuracy: number } {
  const { loss, accuracy } = evaluateGraph(net.graph, trainerData(data), { features: net.x, labels: net.labels, scores: net.scores, batchSize });
  return { loss, accuracy };
}

/** Predicted class of every row of `x` ([n, features]): optim's predict, a forward to the scores alone (no labels). */
export function predict(net: Classifier, x: Tensor): Int32Array {
  return predictGraph(net.graph, x, { scores: net.scores }).classes;
}

/** Euclidean norm of a tensor's values. */
export function norm(t: Tensor): number {
  let s = 0;
  const d = t.data;
  for (let i = 0; i < d.length; i++) s += d[i] * d[i];
  return Math.sqrt(s);
}

/** Standard deviation of a tensor's values (population: divided by their count). */
export function std(t: Tensor): number {
  const d = t.data;
  let mean = 0;
  for (let i = 0; i < d.length; i++) mean += d[i];
  mean /= d.length;
  let s = 0;
  for (let i = 0; i < d.length; i++) s += (d[i] - mean) ** 2;
  return Math.sqrt(s / d.length);
}
