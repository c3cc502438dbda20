import { GraphNode, Tensor } from '@chainrule/core';

/** Options of healthReport. */
export interface HealthOptions {
  /**
   * Saturation thresholds by activation name, overriding what the gate declares (its static
   * `description.health.saturates`): a unit is saturated where |value − centre| exceeds it.
   */
  saturation?: Readonly<Record<string, number>>;
  /** Shorthand for `saturation.sigmoid` (declared default 0.49, i.e. σ < 0.01 or σ > 0.99). */
  sigmoidSaturation?: number;
  /** Shorthand for `saturation.tanh` (declared default 0.99). */
  tanhSaturation?: number;
  /** Flag a saturating gate when at least this share of its units is saturated (default 0.5). */
  saturationFlag?: number;
  /**
   * An error caught from forward or backward (with `graph.finiteCheck` on, a NonFiniteError): the
   * report names the gate the error names (its `node` field), with the inputs that gate got.
   * Without it, the report finds the first non-finite gate by scanning the values and gradients itself.
   */
  error?: unknown;
  /** The seed of the backward pass that threw `error`, if it was not ones of the output's shape. */
  seed?: Tensor;
  /** Scan values and gradients for NaN/Infinity (default true). */
  finiteScan?: boolean;
  /**
   * Flag vanishing or exploding gradients when the largest parameter gradient norm is more than
   * this many times the smallest (default 1e4): in a deep stack that spread means the first
   * layers learn orders of magnitude slower (or faster) than the last.
   */
  gradientSpread?: number;
}

/** The health of one gate node (or parameter, or input that gets a gradient) after a forward and backward pass on a batch. */
export interface GateHealth {
  /** Node name; inside a composite gate, `composite/inner`. */
  path: string;
  node: GraphNode;
  kind: 'gate' | 'parameter' | 'input';
  /** The gate's type (its bound name); '(parameter)' or '(input)' for those. */
  gateType: string;
  shape: readonly number[];
  /** Euclidean norm of the node's value (finite entries). */
  outputNorm: number;
  /** Euclidean norm of dL/d(node), when the node has a gradient. */
  gradNorm: number | undefined;
  /** NaN or infinite entries of the value and of the gradient. */
  nonFiniteOutputs: number;
  nonFiniteGrads: number;
  /** Gates that declare they saturate (sigmoid, tanh): how many units are saturated. */
  saturated?: { activation: string; count: number; total: number; share: number };
  /**
   * Gates that declare their units can die (ReLU): units whose output is 0 for every row of the
   * batch (axis 0 is the batch for a value of rank ≥ 2; a rank 0 or 1 value is one row).
   */
  dead?: { count: number; units: number; rows: number; share: number };
}

/** The first gate that produced NaN or Infinity, and what it was given. */
export interface NonFiniteFinding {
  /** 'forward': its output; 'backward': a gradient it sent to an input; 'value': a fed input or a parameter. */
  phase: 'forward' | 'backward' | 'value';
  path: string;
  node: GraphNode;
  gateType: string | undefined;
  /** The inputs it got, each as a short summary (and for backward, the upstream gradient last). */
  inputs: { name: string; summary: string; finite: boolean }[];
  /** 'error': named by the error passed in (finite-check mode); 'scan': found in the values/gradients. */
  source: 'error' | 'scan';
  message: string;
}

export interface HealthReport {
  gates: GateHealth[];
  firstNonFinite?: NonFiniteFinding;
  /** One line per problem found: dead units, saturated units, zero gradients, NaN/Infinity. */
  flags: string[];
  /** Whether the graph held gradients (a backward ran). */
  hasGradients: boolean;
}
