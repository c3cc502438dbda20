import {
  allocate,
  ComputationalGraph,
  DType,
  formatShape,
  GraphNode,
  InvalidArgumentError,
  NonFiniteError,
  Random,
  ShapeError,
  sizeOf,
  Tensor,
  TypedArray,
} from '@chainrule/core';
import { clipGradNorm } from './clip';
import { Parameter } from './optimizer';
import { Scheduler } from './schedules';

/** What the Trainer needs of an optimizer (every Optimizer is one). */
export interface TrainableOptimizer {
  readonly params: readonly Parameter[];
  lr: number;
  step(): void;
}

/**
 * A data set: `features` row-major [N, ...featureShape] and `labels` [N, ...labelShape] (class
 * indices for classification: labelShape [], the default). N is labels.length / size(labelShape).
 */
export interface Dataset {
  features: Float32Array | Float64Array;
  labels: ArrayLike<number>;
}

export interface TrainerOptions {
  graph: ComputationalGraph;
  optimizer: TrainableOptimizer;
  /** The input node fed each batch of features, [B, ...featureShape] (name or node). */
  features: string | GraphNode;
  /** The input node fed each batch of labels, [B, ...labelShape] (name or node). */
  labels: string | GraphNode;
  /** A node whose value is [B, C] class scores: accuracy is argmax(scores) == label. Omit for no accuracy. */
  scores?: string | GraphNode;
  /** Rows per mini-batch (default 32). */
  batchSize?: number;
  /** Seed of the shuffle (core's Random; default 42). */
  seed?: number;
  /** Reshuffle every epoch (default true). */
  shuffle?: boolean;
  /** Skip the last, smaller batch of an epoch (default false). A tail batch makes the gates reallocate their buffers twice an epoch. */
  dropLast?: boolean;
  /** Clip the global L2 norm of all gradients to this before each step (default: no clipping). */
  clipNorm?: number;
  /** Advanced per step or per epoch, as the scheduler says. */
  scheduler?: Scheduler;
  /** Shape of one example's features (default [D], D = features.length / N). */
  featureShape?: readonly number[];
  /** Shape of one example's label (default []: one class index per example). */
  labelShape?: readonly number[];
  /** dtype of the fed tensors (default: the input node's declared dtype, else that of `features`). */
  dtype?: DType;
  /** For scores of width 1 (a sigmoid output): predicted class 1 when score > threshold (default 0.5). */
  threshold?: number;
  /** Values for any other graph inputs, fed unchanged every step. */
  extraFeeds?: Readonly<Record<string, Tensor>>;
}

/**
 * Passed to onStep after each optimizer step. The Trainer reuses one object for every step (so a
 * step allocates nothing): copy what you want to keep.
 */
export interface StepInfo {
  epoch: number;
  /** Step within the epoch, from 0. */
  step: number;
  /** Steps since fit() started, from 0. */
  globalStep: number;
  batchSize: number;
  /** The batch's loss (the graph's output, before this step's update). */
  loss: number;
  /** The batch's accuracy before the update (NaN without a scores node). */
  accuracy: number;
  /** The learning rate this step used. */
  lr: number;
  /** Global gradient norm before clipping (NaN when clipNorm is not set). */
  gradNorm: number;
  /** Wall time of the step: copy, forward, backward, clip, update. */
  seconds: number;
  samplesPerSecond: number;
}

export interface EpochInfo {
  epoch: number;
  /** Mean training loss over the epoch's batches, weighted by batch size. */
  loss: number;
  /** Running training accuracy over the epoch (each batch scored before its update); NaN without scores. */
  accuracy: number;
  /** Held-out loss and accuracy after the epoch (NaN without a validation set / scores). */
  valLoss: number;
  valAccuracy: number;
  steps: number;
  samples: number;
  /** Wall time of the epoch's training steps (not the evaluation). */
  seconds: number;
  samplesPerSecond: number;
  secondsPerStep: number;
  /** The learning rate at the end of the epoch. */
  lr: number;
}

export interface FitOptions {
  /** Epochs to run at most (default 10). */
  epochs?: number;
  /** Held-out data, evaluated after each epoch. */
  validation?: Dataset;
  /** Early stopping: stop after this many epochs without improvement of the monitored value (default: never). */
  patience?: number;
  /** What early stopping watches: 'loss' (lower is better, the default) or 'accuracy' (higher is better), on the validation set if given, else on training. */
  monitor?: 'loss' | 'accuracy';
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Put back the parameter values of the best epoch (by the monitored value) at the end (default false). */
  restoreBest?: boolean;
  onStep?: (info: StepInfo) => void;
  /** Return false to stop training after this epoch. */
  onEpochEnd?: (info: EpochInfo) => void | boolean;
}

export interface FitResult {
  history: EpochInfo[];
  /** Whether training ended before `epochs` (early stopping or onEpochEnd returned false). */
  stopped: boolean;
  /** The first epoch with the best monitored value (see FitOptions.monitor); -1 when no epoch ran. */
  bestEpoch: number;
  seconds: number;
}

export interface Evaluation {
  loss: number;
  /** NaN without a scores node. */
  accuracy: number;
  samples: number;
}

interface Batch {
  x: Tensor;
  y: Tensor;
  values: Tensor[];
}

/**
 * Runs epochs of shuffled mini-batches through a graph whose output is a one-element loss (the mean
 * over the batch): copy the batch into reused input tensors, forward, backward, clip, optimizer step,
 * scheduler step. Reports through onStep and onEpochEnd; evaluates a held-out set; stops early.
 */
export class Trainer {
  readonly graph: ComputationalGraph;
  readonly optimizer: TrainableOptimizer;
  readonly batchSize: number;
  /** The shuffle's generator; its state (rng.getState()) resumes a run's data order. */
  readonly rng: Random;
  private readonly featureNode: GraphNode;
  private readonly labelNode: GraphNode;
  private readonly scoresNode: GraphNode | undefined;
  private readonly opts: TrainerOptions;
  private readonly dtype: DType;
  private readonly labelDtype: DType;
  private readonly batches = new Map<number, Batch>();
  private perm: Int32Array | undefined;
  private readonly stepInfo: StepInfo = {
    epoch: 0,
    step: 0,
    globalStep: 0,
    batchSize: 0,
    loss: NaN,
    accuracy: NaN,
    lr: NaN,
    gradNorm: NaN,
    seconds: 0,
    samplesPerSecond: 0,
  };
  private globalStep = 0;
  /** Feature values per example, fixed by the first data set seen. */
  private dim = -1;

  constructor(options: TrainerOptions) {
    const where = 'Trainer';
    if (!options || !(options.graph instanceof ComputationalGraph)) throw new InvalidArgumentError(`${where}: 'graph' must be a ComputationalGraph`);
    const opt = options.optimizer;
    if (!opt || typeof opt.step !== 'function' || !Array.isArray(opt.params)) {
      throw new InvalidArgumentError(`${where}: 'optimizer' must be an optimizer (with params and step())`);
    }
    this.graph = options.graph;
    this.optimizer = opt;
    this.opts = options;
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`${where}: 'batchSize' must be an integer >= 1, got ${batchSize}`);
    this.batchSize = batchSize;
    if (options.clipNorm !== undefined && !(options.clipNorm > 0 && Number.isFinite(options.clipNorm))) {
      throw new InvalidArgumentError(`${where}: 'clipNorm' must be a finite number > 0, got ${options.clipNorm}`);
    }
    if (options.scheduler !== undefined && !(options.scheduler instanceof Scheduler)) {
      throw new InvalidArgumentError(`${where}: 'scheduler' must be a Scheduler`);
    }
    const nodeOf = (ref: string | GraphNode | undefined, what: string): GraphNode => {
      if (ref instanceof GraphNode) {
        if (ref.graph !== this.graph) throw new InvalidArgumentError(`${where}: '${what}' node '${ref.name}' belongs to another graph`);
        return ref;
      }
      if (typeof ref !== 'string') throw new InvalidArgumentError(`${where}: '${what}' must name a node of the graph, got ${typeof ref}`);
      return this.graph.node(ref);
    };
    this.featureNode = nodeOf(options.features, 'features');
    this.labelNode = nodeOf(options.labels, 'labels');
    for (const [what, n] of [['features', this.featureNode], ['labels', this.labelNode]] as const) {
      if (n.kind !== 'input') throw new InvalidArgumentError(`${where}: '${what}' must be an input node, got ${n.describe()}`);
    }
    if (this.featureNode === this.labelNode) throw new InvalidArgumentError(`${where}: 'features' and 'labels' are the same node '${this.featureNode.name}'`);
    this.scoresNode = options.scores === undefined ? undefined : nodeOf(options.scores, 'scores');
    for (const input of this.graph.inputs) {
      if (input !== this.featureNode && input !== this.labelNode && !(options.extraFeeds && options.extraFeeds[input.name] instanceof Tensor)) {
        throw new InvalidArgumentError(`${where}: the graph's input '${input.name}' is neither 'features' nor 'labels'; give it a value in 'extraFeeds'`);
      }
    }
    for (const name of Object.keys(options.extraFeeds ?? {})) {
      const n = this.graph.node(name);
      if (n.kind !== 'input' || n === this.featureNode || n === this.labelNode) {
        throw new InvalidArgumentError(`${where}: 'extraFeeds' key '${name}' must be another input of the graph`);
      }
    }
    this.dtype = options.dtype ?? this.featureNode.inputSpec?.dtype ?? 'float64';
    this.labelDtype = this.labelNode.inputSpec?.dtype ?? options.dtype ?? this.featureNode.inputSpec?.dtype ?? 'float64';
    this.rng = new Random(options.seed ?? 42);
  }

  /** Trains for up to `epochs` epochs; returns the per-epoch history. */
  fit(train: Dataset, options: FitOptions = {}): FitResult {
    const where = 'Trainer.fit';
    const epochs = options.epochs ?? 10;
    if (!Number.isInteger(epochs) || epochs < 0) throw new InvalidArgumentError(`${where}: 'epochs' must be an integer >= 0, got ${epochs}`);
    const patience = options.patience;
    if (patience !== undefined && (!Number.isInteger(patience) || patience < 1)) {
      throw new InvalidArgumentError(`${where}: 'patience' must be an integer >= 1, got ${patience}`);
    }
    const monitor = options.monitor ?? 'loss';
    if (monitor !== 'loss' && monitor !== 'accuracy') throw new InvalidArgumentError(`${where}: 'monitor' must be 'loss' or 'accuracy', got ${JSON.stringify(monitor)}`);
    if (monitor === 'accuracy' && !this.scoresNode) throw new InvalidArgumentError(`${where}: monitor 'accuracy' needs a 'scores' node`);
    const minDelta = options.minDelta ?? 0;
    if (!(minDelta >= 0)) throw new InvalidArgumentError(`${where}: 'minDelta' must be >= 0, got ${minDelta}`);
    const { n, d, k } = this.checkDataset(train, 'training set');
    if (options.validation) this.checkDataset(options.validation, 'validation set');
    // The feature dtype of the data should match what the graph is fed: checked here once.
    const features = train.features;
    const labels = train.labels;
    const bs = this.batchSize;
    const stepsPerEpoch = this.opts.dropLast ? Math.floor(n / bs) : Math.ceil(n / bs);
    if (stepsPerEpoch === 0) throw new InvalidArgumentError(`${where}: ${n} examples make no batch of ${bs} with dropLast`);
    const perm = this.permutation(n);
    const params = this.optimizer.params;
    const scheduler = this.opts.scheduler;
    const clip = this.opts.clipNorm;
    const info = this.stepInfo;
    const history: EpochInfo[] = [];
    const sign = monitor === 'loss' ? 1 : -1;
    let best = Infinity;
    let bestEpoch = -1;
    let since = 0;
    let stopped = false;
    let snapshot: TypedArray[] | undefined;
    const t0 = now();
    for (let epoch = 0; epoch < epochs; epoch++) {
      for (let i = 0; i < n; i++) perm[i] = i;
      if (this.opts.shuffle ?? true) this.rng.shuffle(perm);
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      const e0 = now();
      for (let s = 0; s < stepsPerEpoch; s++) {
        const s0 = now();
        const start = s * bs;
        const b = Math.min(bs, n - start);
        const batch = this.batch(b);
        fillRows(batch.x.data, features, perm, start, b, d);
        fillRows(batch.y.data, labels, perm, start, b, k);
        const out = this.graph.forwardInputs(batch.values);
        if (out.size !== 1) throw new ShapeError(`${where}: the graph's output ${this.graph.output.describe()} must be a one-element loss, got shape ${formatShape(out.shape)}`);
        const loss = out.data[0];
        if (!Number.isFinite(loss)) {
          throw new NonFiniteError(`${where}: the loss is ${loss} at epoch ${epoch}, step ${s}; the parameters were not updated (lower the learning rate or set clipNorm)`);
        }
        const batchCorrect = this.scoresNode ? this.countCorrect(batch.y, b) : 0;
        this.graph.backward();
        const norm = clip !== undefined ? clipGradNorm(params, clip) : NaN;
        const lr = this.optimizer.lr;
        this.optimizer.step();
        if (scheduler && scheduler.per === 'step') scheduler.step();
        const seconds = (now() - s0) / 1000;
        lossSum += loss * b;
        correct += batchCorrect;
        seen += b;
        if (options.onStep) {
          info.epoch = epoch;
          info.step = s;
          info.globalStep = this.globalStep;
          info.batchSize = b;
          info.loss = loss;
          info.accuracy = this.scoresNode ? batchCorrect / b : NaN;
          info.lr = lr;
          info.gradNorm = norm;
          info.seconds = seconds;
          info.samplesPerSecond = seconds > 0 ? b / seconds : Infinity;
          options.onStep(info);
        }
        this.globalStep++;
      }
      const seconds = (now() - e0) / 1000;
      if (scheduler && scheduler.per === 'epoch') scheduler.step();
      const val = options.validation ? this.evaluate(options.validation) : undefined;
      const epochInfo: EpochInfo = {
        epoch,
        loss: lossSum / seen,
        accuracy: this.scoresNode ? correct / seen : NaN,
        valLoss: val ? val.loss : NaN,
        valAccuracy: val ? val.accuracy : NaN,
        steps: stepsPerEpoch,
        samples: seen,
        seconds,
        samplesPerSecond: seconds > 0 ? seen / seconds : Infinity,
        secondsPerStep: seconds / stepsPerEpoch,
        lr: this.optimizer.lr,
      };
      history.push(epochInfo);
      const watched = monitor === 'loss' ? (val ? val.loss : epochInfo.loss) : val ? val.accuracy : epochInfo.accuracy;
      if (bestEpoch < 0 || sign * watched < best - minDelta) {
        best = sign * watched;
        bestEpoch = epoch;
        since = 0;
        if (options.restoreBest) snapshot = saveParams(params, snapshot);
      } else {
        since++;
      }
      const keepGoing = options.onEpochEnd ? options.onEpochEnd(epochInfo) : undefined;
      if (keepGoing === false) {
        stopped = epoch < epochs - 1;
        break;
      }
      if (patience !== undefined && since >= patience) {
        stopped = epoch < epochs - 1;
        break;
      }
    }
    if (snapshot && history.length > 0 && bestEpoch !== history.length - 1) restoreParams(params, snapshot);
    return { history, stopped, bestEpoch, seconds: (now() - t0) / 1000 };
  }

  /** Mean loss (weighted by batch size) and accuracy over a data set, in order, forward only (no update), in the graph's evaluation mode. */
  evaluate(data: Dataset): Evaluation {
    const { n, d, k } = this.checkDataset(data, 'data set');
    const bs = this.batchSize;
    let lossSum = 0;
    let correct = 0;
    // Evaluation mode (dropout off, batch norm on its running statistics), then back to the mode it was in.
    const wasTraining = this.graph.training;
    this.graph.eval();
    try {
      for (let start = 0; start < n; start += bs) {
        const b = Math.min(bs, n - start);
        const batch = this.batch(b);
        copyRows(batch.x.data, data.features, start, b, d);
        copyRows(batch.y.data, data.labels, start, b, k);
        const out = this.graph.forwardInputs(batch.values);
        if (out.size !== 1) throw new ShapeError(`Trainer.evaluate: the graph's output ${this.graph.output.describe()} must be a one-element loss, got shape ${formatShape(out.shape)}`);
        lossSum += out.data[0] * b;
        if (this.scoresNode) correct += this.countCorrect(batch.y, b);
      }
    } finally {
      this.graph.train(wasTraining);
    }
    return { loss: lossSum / n, accuracy: this.scoresNode ? correct / n : NaN, samples: n };
  }

  private featureShape(d: number): number[] {
    const shape = this.opts.featureShape ? this.opts.featureShape.slice() : [d];
    if (sizeOf(shape) !== d) throw new ShapeError(`Trainer: featureShape ${formatShape(shape)} holds ${sizeOf(shape)} values, but each example has ${d}`);
    return shape;
  }

  private checkDataset(data: Dataset, what: string): { n: number; d: number; k: number } {
    const where = `Trainer: the ${what}`;
    if (!data || !(data.features instanceof Float32Array || data.features instanceof Float64Array)) {
      throw new InvalidArgumentError(`${where} needs 'features' as a Float32Array or Float64Array (row-major [N, D])`);
    }
    if (!data.labels || typeof data.labels.length !== 'number') throw new InvalidArgumentError(`${where} needs 'labels' (an array of N numbers)`);
    const k = sizeOf(this.opts.labelShape ?? []);
    if (k < 1 || data.labels.length % k !== 0) {
      throw new ShapeError(`${where}: ${data.labels.length} label values do not split into labels of shape ${formatShape(this.opts.labelShape ?? [])}`);
    }
    const n = data.labels.length / k;
    if (n === 0) throw new InvalidArgumentError(`${where} is empty`);
    if (data.features.length % n !== 0) {
      throw new ShapeError(`${where}: ${data.features.length} feature values do not split into ${n} rows (one per label)`);
    }
    const d = data.features.length / n;
    this.featureShape(d);
    if (this.dim === -1) this.dim = d;
    else if (d !== this.dim) throw new ShapeError(`${where} has ${d} feature values per example, the trainer was first given ${this.dim}`);
    return { n, d, k };
  }

  /** The input tensors for a batch of b rows, made once per distinct b and reused. */
  private batch(b: number): Batch {
    let batch = this.batches.get(b);
    if (!batch) {
      const perRow = this.perRowFeatures();
      const x = new Tensor(allocate(this.dtype, b * sizeOf(perRow)), [b, ...perRow]);
      const y = new Tensor(allocate(this.labelDtype, b * sizeOf(this.opts.labelShape ?? [])), [b, ...(this.opts.labelShape ?? [])]);
      const values = this.graph.inputs.map((input) => {
        if (input === this.featureNode) return x;
        if (input === this.labelNode) return y;
        return (this.opts.extraFeeds as Record<string, Tensor>)[input.name];
      });
      batch = { x, y, values };
      this.batches.set(b, batch);
    }
    return batch;
  }

  private perRowFeatures(): number[] {
    return this.featureShape(this.dim);
  }

  private permutation(n: number): Int32Array {
    if (!this.perm || this.perm.length !== n) this.perm = new Int32Array(n);
    return this.perm;
  }

  /** How many rows of the scores node's value pick the labelled class (argmax; ties go to the first). */
  private countCorrect(labels: Tensor, b: number): number {
    const scores = (this.scoresNode as GraphNode).value;
    if (!scores || scores.rank < 1 || scores.shape[0] !== b) {
      throw new ShapeError(
        `Trainer: scores ${(this.scoresNode as GraphNode).describe()} must be [B, C] with B = ${b} rows, got ${scores ? formatShape(scores.shape) : 'no value'}`,
      );
    }
    const c = scores.size / b;
    const s = scores.data;
    const y = labels.data;
    const k = labels.size / b;
    let correct = 0;
    if (c === 1) {
      const threshold = this.opts.threshold ?? 0.5;
      for (let i = 0; i < b; i++) if ((s[i] > threshold ? 1 : 0) === y[i * k]) correct++;
      return correct;
    }
    for (let i = 0; i < b; i++) {
      let arg = 0;
      let max = s[i * c];
      for (let j = 1; j < c; j++) {
        const v = s[i * c + j];
        if (v > max) {
          max = v;
          arg = j;
        }
      }
      if (arg === y[i * k]) correct++;
    }
    return correct;
  }
}

function now(): number {
  return performance.now();
}

/** out[r, :] = src[perm[start + r], :] for r < b, rows of width w. */
function fillRows(out: TypedArray, src: ArrayLike<number>, perm: Int32Array, start: number, b: number, w: number): void {
  for (let r = 0; r < b; r++) {
    const from = perm[start + r] * w;
    const to = r * w;
    for (let j = 0; j < w; j++) out[to + j] = src[from + j];
  }
}

/** out[r, :] = src[start + r, :] for r < b, rows of width w. */
function copyRows(out: TypedArray, src: ArrayLike<number>, start: number, b: number, w: number): void {
  const from = start * w;
  const count = b * w;
  for (let i = 0; i < count; i++) out[i] = src[from + i];
}

function saveParams(params: readonly Parameter[], into: TypedArray[] | undefined): TypedArray[] {
  const out = into ?? params.map((p) => allocate((p.value as Tensor).dtype, (p.value as Tensor).size));
  params.forEach((p, i) => out[i].set((p.value as Tensor).data));
  return out;
}

function restoreParams(params: readonly Parameter[], from: TypedArray[]): void {
  params.forEach((p, i) => (p.value as Tensor).data.set(from[i]));
}
