import { allocate, ComputationalGraph, DType, formatShape, GraphNode, InvalidArgumentError, ShapeError, sizeOf, Tensor } from '@chainrule/core';
import { countCorrect } from './data/accuracy';
import { Dataset } from './data/dataset';

/** Which graph inputs a data set is fed to, and how its rows are shaped. */
export interface FeedOptions {
  graph: ComputationalGraph;
  /** The input node fed each batch of features, [B, ...featureShape] (name or node). */
  features: string | GraphNode;
  /** The input node fed each batch of labels, [B, ...labelShape] (name or node). */
  labels: string | GraphNode;
  /** A node whose value is [B, C] class scores: accuracy is argmax(scores) == label. Omit for no accuracy. */
  scores?: string | GraphNode;
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

/** The reused input tensors of one batch size, and the values forwardInputs takes, in the graph's input order. */
export interface Batch {
  x: Tensor;
  y: Tensor;
  values: Tensor[];
}

/**
 * Feeds a data set to a graph in batches: checks the nodes and the data once, copies rows into
 * input tensors made once per batch size and reused, and counts correct predictions.
 */
export class BatchFeed {
  readonly graph: ComputationalGraph;
  readonly featureNode: GraphNode;
  readonly labelNode: GraphNode;
  readonly scoresNode: GraphNode | undefined;
  private readonly dtype: DType;
  private readonly labelDtype: DType;
  private readonly batches = new Map<number, Batch>();
  /** Feature values per example, fixed by the first data set seen. */
  private dim = -1;

  constructor(
    private readonly opts: FeedOptions,
    private readonly where: string,
  ) {
    if (!opts || !(opts.graph instanceof ComputationalGraph)) throw new InvalidArgumentError(`${where}: 'graph' must be a ComputationalGraph`);
    this.graph = opts.graph;
    this.featureNode = this.nodeOf(opts.features, 'features');
    this.labelNode = this.nodeOf(opts.labels, 'labels');
    for (const [what, n] of [['features', this.featureNode], ['labels', this.labelNode]] as const) {
      if (n.kind !== 'input') throw new InvalidArgumentError(`${where}: '${what}' must be an input node, got ${n.describe()}`);
    }
    if (this.featureNode === this.labelNode) throw new InvalidArgumentError(`${where}: 'features' and 'labels' are the same node '${this.featureNode.name}'`);
    this.scoresNode = opts.scores === undefined ? undefined : this.nodeOf(opts.scores, 'scores');
    for (const input of this.graph.inputs) {
      if (input !== this.featureNode && input !== this.labelNode && !(opts.extraFeeds && opts.extraFeeds[input.name] instanceof Tensor)) {
        throw new InvalidArgumentError(`${where}: the graph's input '${input.name}' is neither 'features' nor 'labels'; give it a value in 'extraFeeds'`);
      }
    }
    for (const name of Object.keys(opts.extraFeeds ?? {})) {
      const n = this.graph.node(name);
      if (n.kind !== 'input' || n === this.featureNode || n === this.labelNode) {
        throw new InvalidArgumentError(`${where}: 'extraFeeds' key '${name}' must be another input of the graph`);
      }
    }
    this.dtype = opts.dtype ?? this.featureNode.inputSpec?.dtype ?? 'float64';
    this.labelDtype = this.labelNode.inputSpec?.dtype ?? opts.dtype ?? this.featureNode.inputSpec?.dtype ?? 'float64';
  }

  private nodeOf(ref: string | GraphNode | undefined, what: string): GraphNode {
    if (ref instanceof GraphNode) {
      if (ref.graph !== this.graph) throw new InvalidArgumentError(`${this.where}: '${what}' node '${ref.name}' belongs to another graph`);
      return ref;
    }
    if (typeof ref !== 'string') throw new InvalidArgumentError(`${this.where}: '${what}' must name a node of the graph, got ${typeof ref}`);
    return this.graph.node(ref);
  }

  private featureShape(d: number): number[] {
    const shape = this.opts.featureShape ? this.opts.featureShape.slice() : [d];
    if (sizeOf(shape) !== d) throw new ShapeError(`${this.where}: featureShape ${formatShape(shape)} holds ${sizeOf(shape)} values, but each example has ${d}`);
    return shape;
  }

  /** Checks a data set against the graph: n examples of d feature values and k label values each. */
  check(data: Dataset, what: string): { n: number; d: number; k: number } {
    const where = `${this.where}: the ${what}`;
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
    else if (d !== this.dim) throw new ShapeError(`${where} has ${d} feature values per example, the first data set had ${this.dim}`);
    return { n, d, k };
  }

  /** The input tensors for a batch of b rows, made once per distinct b and reused. */
  batch(b: number): Batch {
    let batch = this.batches.get(b);
    if (!batch) {
      const perRow = this.featureShape(this.dim);
      const labelShape = this.opts.labelShape ?? [];
      const x = new Tensor(allocate(this.dtype, b * sizeOf(perRow)), [b, ...perRow]);
      const y = new Tensor(allocate(this.labelDtype, b * sizeOf(labelShape)), [b, ...labelShape]);
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

  /** Runs forward on a batch and returns its one-element loss. */
  forwardLoss(batch: Batch, where: string): number {
    const out = this.graph.forwardInputs(batch.values);
    if (out.size !== 1) throw new ShapeError(`${where}: the graph's output ${this.graph.output.describe()} must be a one-element loss, got shape ${formatShape(out.shape)}`);
    return out.data[0];
  }

  /** The score above which a width-1 (sigmoid) output predicts class 1. */
  get threshold(): number {
    return this.opts.threshold ?? 0.5;
  }

  /** How many of the batch's b rows the scores node classifies right (0 without a scores node). */
  correct(batch: Batch, b: number): number {
    const node = this.scoresNode;
    if (!node) return 0;
    const scores = node.value;
    if (!scores || scores.rank < 1 || scores.shape[0] !== b) {
      throw new ShapeError(`${this.where}: scores ${node.describe()} must be [B, C] with B = ${b} rows, got ${scores ? formatShape(scores.shape) : 'no value'}`);
    }
    return countCorrect(scores, batch.y, b, this.threshold);
  }
}
