import { ComputationalGraph, formatShape, GraphNode, InvalidArgumentError, ShapeError, sizeOf, Tensor } from '@chainrule/core';
import { classesOf } from './data/argmax';
import { copyRows } from './data/dataset';

export interface PredictOptions {
  /** The node whose value is the [N, C] class scores (a name or the node): forward stops there, so no labels are needed. */
  scores: string | GraphNode;
  /** The input fed the features (default: the one input the scores depend on). */
  input?: string | GraphNode;
  /** Rows per forward pass (default: all rows in one pass, fed without a copy). */
  batchSize?: number;
  /** For scores of width 1 (a sigmoid output): class 1 where the score exceeds this (default 0.5). */
  threshold?: number;
}

export interface Prediction {
  /** [N, C] scores, the caller's own copy. */
  scores: Tensor;
  /** The predicted class of each row: argmax of its scores (ties to the first), or score > threshold for C = 1. */
  classes: Int32Array;
}

/** The input nodes `node` depends on, in the graph's declared order. */
function inputsOf(graph: ComputationalGraph, node: GraphNode): GraphNode[] {
  graph.topologicalOrder(); // resolves every node's inputs
  const seen = new Set<GraphNode>([node]);
  const stack = [node];
  while (stack.length) for (const i of (stack.pop() as GraphNode).inputNodes) if (!seen.has(i)) seen.add(i), stack.push(i);
  return graph.inputs.filter((i) => seen.has(i));
}

function nodeOf(graph: ComputationalGraph, ref: string | GraphNode, what: string): GraphNode {
  if (ref instanceof GraphNode) {
    if (ref.graph !== graph) throw new InvalidArgumentError(`predict: '${what}' node '${ref.name}' belongs to another graph`);
    return ref;
  }
  if (typeof ref !== 'string') throw new InvalidArgumentError(`predict: '${what}' must name a node of the graph, got ${typeof ref}`);
  return graph.node(ref);
}

/**
 * A classifier's scores and predicted classes for a batch of features: forward to the scores node
 * only (graph.forward(feeds, { output })), so the labels, the loss and any optimizer play no part,
 * in evaluation mode (dropout off, batch norm on its running statistics), then back to the mode the
 * graph was in. `features` is a Tensor [N, ...] or a flat typed array, shaped by the input's
 * declared shape.
 */
export function predict(graph: ComputationalGraph, features: Tensor | Float32Array | Float64Array, options: PredictOptions): Prediction {
  if (!(graph instanceof ComputationalGraph)) throw new InvalidArgumentError(`predict: 'graph' must be a ComputationalGraph, got ${typeof graph}`);
  if (!options || options.scores === undefined) throw new InvalidArgumentError(`predict: options.scores must name the node whose value is the [N, C] scores`);
  const scoresNode = nodeOf(graph, options.scores, 'scores');
  let input: GraphNode;
  if (options.input !== undefined) input = nodeOf(graph, options.input, 'input');
  else {
    const inputs = inputsOf(graph, scoresNode);
    if (inputs.length !== 1) {
      throw new InvalidArgumentError(`predict: ${scoresNode.describe()} depends on ${inputs.length} inputs (${inputs.map((i) => `'${i.name}'`).join(', ') || 'none'}); say which one the features feed with options.input`);
    }
    input = inputs[0];
  }
  const x = asBatch(input, features);
  const n = x.shape[0];
  const batchSize = options.batchSize ?? n;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`predict: 'batchSize' must be an integer >= 1, got ${batchSize}`);
  const wasTraining = graph.training;
  graph.eval();
  try {
    if (batchSize >= n) {
      const scores = graph.forward({ [input.name]: x }, { output: scoresNode });
      checkScores(scoresNode, scores, n);
      const out = scores.clone();
      return { scores: out, classes: classesOf(out, n, options.threshold ?? 0.5, new Int32Array(n)) };
    }
    return predictInBatches(graph, input, scoresNode, x, batchSize, options.threshold ?? 0.5);
  } finally {
    graph.train(wasTraining);
  }
}

function predictInBatches(graph: ComputationalGraph, input: GraphNode, scoresNode: GraphNode, x: Tensor, batchSize: number, threshold: number): Prediction {
  const n = x.shape[0];
  const rowShape = x.shape.slice(1);
  const d = sizeOf(rowShape);
  const batches = new Map<number, Tensor>();
  const feeds: Record<string, Tensor> = {};
  let all: Tensor | undefined;
  for (let start = 0; start < n; start += batchSize) {
    const b = Math.min(batchSize, n - start);
    let xb = batches.get(b);
    if (!xb) batches.set(b, (xb = Tensor.zeros([b, ...rowShape], x.dtype)));
    copyRows(xb.data, x.data, undefined, start, b, d);
    feeds[input.name] = xb;
    const scores = graph.forward(feeds, { output: scoresNode });
    checkScores(scoresNode, scores, b);
    const c = scores.size / b;
    all ??= Tensor.zeros([n, ...scores.shape.slice(1)], scores.dtype);
    all.data.set(scores.data, start * c);
  }
  const scores = all as Tensor;
  return { scores, classes: classesOf(scores, n, threshold, new Int32Array(n)) };
}

function checkScores(node: GraphNode, scores: Tensor, rows: number): void {
  if (scores.rank < 1 || scores.shape[0] !== rows) {
    throw new ShapeError(`predict: scores ${node.describe()} must be [N, C] with N = ${rows} rows (one per example), got ${formatShape(scores.shape)}`);
  }
}

/** The features as an [N, ...] tensor of the input's dtype: a Tensor as it is, a flat typed array shaped by the input's declared shape. */
function asBatch(input: GraphNode, features: Tensor | Float32Array | Float64Array): Tensor {
  const dtype = input.inputSpec?.dtype;
  if (features instanceof Tensor) {
    if (features.rank < 1) throw new ShapeError(`predict: features for ${input.describe()} must have a batch dimension, got shape ${formatShape(features.shape)}`);
    return dtype && features.dtype !== dtype ? features.astype(dtype) : features;
  }
  if (!(features instanceof Float32Array || features instanceof Float64Array)) {
    throw new InvalidArgumentError(`predict: features must be a Tensor, Float32Array or Float64Array, got ${typeof features}`);
  }
  const declared = input.inputSpec?.shape;
  if (!declared || declared.length < 1 || declared.slice(1).some((s) => s === null)) {
    throw new ShapeError(`predict: a flat typed array needs ${input.describe()} declared with a shape like [null, D]; or pass Tensor.from(values, [n, D])`);
  }
  const row = declared.slice(1) as number[];
  const d = sizeOf(row);
  if (features.length % d !== 0) throw new ShapeError(`predict: ${features.length} feature values do not split into rows of ${formatShape(row)} (${d} values) for ${input.describe()}`);
  const t = new Tensor(features, [features.length / d, ...row]);
  return dtype && t.dtype !== dtype ? t.astype(dtype) : t;
}
