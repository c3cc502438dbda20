import { assertOptions, ComputationalGraph, describeArgument, GateId, GraphNode, InvalidArgumentError } from '@chainrule/core';
import { AffineActivation } from './affine-gate';
import { Linear, LinearOptions } from './linear';
import { ReLUGate } from './relu-gate';
import { SigmoidGate } from './sigmoid-gate';
import { TanhGate } from './tanh-gate';

export interface MLPOptions {
  /** Weight initialisation of every layer (default 'he'). */
  init?: LinearOptions['init'];
  /** Whether every layer has a bias (default true). */
  bias?: boolean;
  /** Layer i (from 0) is seeded with seed + i (default 42), so layers differ and the whole net is reproducible. */
  seed?: number;
  /** dtype of every parameter (default 'float64'). */
  dtype?: LinearOptions['dtype'];
  /** Node name prefix: layers are `${name}1`, `${name}2`, … and activations `${name}1_act`, … (default 'fc'). */
  name?: string;
  /** Apply the activation after the last layer too (default false: the net ends in raw scores). */
  activateOutput?: boolean;
  /**
   * Fold ReLUGate, TanhGate or SigmoidGate into each layer (Linear's `activation`: one AffineGate
   * node per layer, `fc1/relu(xW+b)`, instead of `fc1/xW`, `fc1/xW+b`, `fc1_act`): the same numbers
   * bit for bit, fewer nodes and passes (default false; other activations are never folded).
   */
  fuse?: boolean;
}

/** The activation gates Linear can fold into its epilogue, by class and by registered name. */
const FOLDABLE = new Map<GateId, AffineActivation>([
  [ReLUGate, 'relu'],
  ['ReLUGate', 'relu'],
  [TanhGate, 'tanh'],
  ['TanhGate', 'tanh'],
  [SigmoidGate, 'sigmoid'],
  ['SigmoidGate', 'sigmoid'],
]);

/**
 * Adds a multilayer perceptron to `graph`: for sizes [d₀, d₁, …, d_L], L Linear layers d₀→d₁→…→d_L
 * with `activation` (any gate class or bound name, e.g. ReLUGate or 'SigmoidGate'; null for none)
 * between them, reading from `input`. Returns the last node (raw scores unless activateOutput), so a
 * loss can be attached to it. Every layer's W and b appear in graph.parameters() as `fc1/W`, `fc1/b`, ...
 * Nothing is bound in the graph's container: gate classes need no registration to be used.
 */
export function mlp(
  graph: ComputationalGraph,
  input: GraphNode | string,
  sizes: readonly number[],
  activation: GateId | null,
  options: MLPOptions = {},
): GraphNode {
  if (!Array.isArray(sizes) || sizes.length < 2 || !sizes.every((d) => Number.isInteger(d) && d > 0)) {
    throw new InvalidArgumentError(`mlp: sizes must list at least two positive integers (input size, then each layer's output size), got ${describeArgument(sizes)}${Array.isArray(sizes) ? ` [${sizes.map(String).join(', ')}]` : ''}`);
  }
  assertOptions(options, 'mlp');
  const prefix = options.name ?? 'fc';
  const seed = options.seed ?? 42;
  let node: GraphNode | string = input;
  const layers = sizes.length - 1;
  const folded = options.fuse === true && activation !== null ? FOLDABLE.get(activation) : undefined;
  for (let i = 0; i < layers; i++) {
    const activated = activation !== null && (i < layers - 1 || options.activateOutput === true);
    const layerOptions: LinearOptions = { inFeatures: sizes[i], outFeatures: sizes[i + 1], seed: seed + i };
    if (options.init !== undefined) layerOptions.init = options.init;
    if (options.bias !== undefined) layerOptions.bias = options.bias;
    if (options.dtype !== undefined) layerOptions.dtype = options.dtype;
    if (activated && folded !== undefined) layerOptions.activation = folded;
    node = graph.gate(Linear, [node], { name: `${prefix}${i + 1}`, options: layerOptions as Record<string, unknown> });
    if (activated && folded === undefined && activation !== null) {
      node = graph.gate(activation, [node], { name: `${prefix}${i + 1}_act` });
    }
  }
  return node as GraphNode;
}
