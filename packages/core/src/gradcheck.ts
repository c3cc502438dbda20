import { ChainruleError, InvalidArgumentError } from './errors';
import { Gate, gateName } from './gate';
import { ComputationalGraph, Feed, GraphNode } from './graph';
import { Random } from './random';
import { stridesOf } from './shape';
import { Tensor } from './tensor';

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Largest acceptable error (default 1e-7); see GradcheckResult.maxError for how error is measured. */
  tolerance?: number;
  /** Seed of the random upstream gradient (default 0). */
  seed?: number;
  /** Which inputs to check (default all); leave out inputs that get no gradient, such as labels. */
  wrt?: readonly number[];
}

export interface GradcheckWorst {
  /** Which input (for a gate) or which node (for a graph). */
  input: number | string;
  /** Multi-index of the element within it. */
  index: number[];
  analytic: number;
  numeric: number;
}

export interface GradcheckResult {
  ok: boolean;
  /**
   * The largest |analytic − numeric| / max(1, |analytic|, |numeric|) over every checked element:
   * relative error where gradients are large, absolute where they are near zero (where relative
   * error would only measure rounding noise).
   */
  maxError: number;
  worst: GradcheckWorst | undefined;
  /** Elements compared. */
  checked: number;
}

/** Raised by assertGradcheck; the message says where the analytic gradient is wrong. */
export class GradcheckError extends ChainruleError {}

/**
 * Checks a gate's backward against central finite differences in float64.
 *
 * The scalar checked is L = Σ out ⊙ R for a random R of the output's shape, so every output
 * element's gradient path is exercised, and dL/dout = R is what backward receives. Float32 inputs
 * are checked on float64 copies. The gate is run many times; give it a fresh instance.
 */
export function gradcheck(gate: Gate, inputs: readonly Tensor[], options: GradcheckOptions = {}): GradcheckResult {
  const eps = options.eps ?? 1e-6;
  const xs = inputs.map((t) => t.astype('float64'));
  const out = gate.forward(...xs);
  const r = new Random(options.seed ?? 0).randn(out.shape);
  const loss = (): number => dot(gate.forward(...xs), r);
  loss();
  const analytic = gate.backward(r).map((g) => g.astype('float64'));
  if (analytic.length !== xs.length) {
    throw new GradcheckError(`gradcheck ${gateName(gate)}: backward returned ${analytic.length} gradients for ${xs.length} inputs`);
  }
  const acc = new Accumulator(options.tolerance ?? 1e-7);
  const wrt = options.wrt ?? xs.map((_, i) => i);
  for (const i of wrt) {
    if (i < 0 || i >= xs.length) throw new InvalidArgumentError(`gradcheck: wrt index ${i} out of range for ${xs.length} inputs`);
    const x = xs[i].data;
    for (let j = 0; j < x.length; j++) {
      const numeric = central(x, j, eps, loss);
      acc.add(analytic[i].data[j], numeric, i, xs[i].shape, j);
    }
  }
  return acc.result();
}

/** gradcheck that throws GradcheckError naming the worst element when the check fails. */
export function assertGradcheck(gate: Gate, inputs: readonly Tensor[], options: GradcheckOptions = {}): GradcheckResult {
  const result = gradcheck(gate, inputs, options);
  if (!result.ok) throw new GradcheckError(`gradcheck ${gateName(gate)}: ${describeFailure(result, options)}`);
  return result;
}

export interface GraphGradcheckOptions extends Omit<GradcheckOptions, 'wrt'> {
  /** Nodes to check (default: every parameter and every input the output reads that requires a gradient; frozen parameters are left out). */
  wrt?: readonly (GraphNode | string)[];
}

/**
 * Checks a whole graph: the gradients backward() leaves on parameters and inputs against central
 * differences of its output. The graph should hold float64 values for a meaningful check.
 */
export function gradcheckGraph(graph: ComputationalGraph, feeds: Readonly<Record<string, Feed>>, options: GraphGradcheckOptions = {}): GradcheckResult {
  const eps = options.eps ?? 1e-6;
  const fed: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) fed[k] = v instanceof Tensor ? v.clone() : Tensor.from(v);
  const out = graph.forward(fed);
  const r = out.size === 1 ? Tensor.ones(out.shape) : new Random(options.seed ?? 0).randn(out.shape);
  graph.backward({ seed: r.astype(out.dtype) });
  const nodes = (options.wrt ?? [...graph.parameters().filter((n) => n.requiresGrad), ...graph.inputs.filter((n) => n.requiresGrad && n.value !== undefined)]).map((n) =>
    typeof n === 'string' ? graph.node(n) : n,
  );
  const analytic = nodes.map((n) => (n.grad as Tensor).astype('float64'));
  const loss = (): number => dot(graph.forward(fed), r);
  const acc = new Accumulator(options.tolerance ?? 1e-7);
  nodes.forEach((node, k) => {
    const value = node.kind === 'input' ? fed[node.name] : node.value;
    if (!value) throw new InvalidArgumentError(`gradcheckGraph: ${node.describe()} has no value to perturb`);
    for (let j = 0; j < value.size; j++) acc.add(analytic[k].data[j], central(value.data, j, eps, loss), node.name, value.shape, j);
  });
  graph.forward(fed); // leave the graph holding the unperturbed values
  return acc.result();
}

function describeFailure(result: GradcheckResult, options: GradcheckOptions): string {
  const w = result.worst as GradcheckWorst;
  return (
    `max error ${result.maxError.toExponential(3)} > tolerance ${(options.tolerance ?? 1e-7).toExponential(1)}; ` +
    `worst at input ${w.input} index [${w.index.join(', ')}]: analytic ${w.analytic}, numeric ${w.numeric}`
  );
}

/** (f(x + eps) − f(x − eps)) / 2eps for element j, restoring it afterwards. */
function central(x: Float32Array | Float64Array, j: number, eps: number, f: () => number): number {
  const original = x[j];
  x[j] = original + eps;
  const plus = f();
  x[j] = original - eps;
  const minus = f();
  x[j] = original;
  return (plus - minus) / (2 * eps);
}

function dot(a: Tensor, b: Tensor): number {
  let s = 0;
  for (let i = 0; i < a.size; i++) s += a.data[i] * b.data[i];
  return s;
}

class Accumulator {
  private maxError = 0;
  private worst: GradcheckWorst | undefined;
  private checked = 0;

  constructor(private readonly tolerance: number) {}

  add(analytic: number, numeric: number, input: number | string, shape: readonly number[], flat: number): void {
    this.checked++;
    const err = Math.abs(analytic - numeric) / Math.max(1, Math.abs(analytic), Math.abs(numeric));
    // NaN compares false, so treat it explicitly as the worst possible error.
    if (Number.isNaN(err) || err > this.maxError || this.worst === undefined) {
      const e = Number.isNaN(err) ? Infinity : err;
      if (e >= this.maxError) {
        this.maxError = e;
        this.worst = { input, index: unravel(flat, shape), analytic, numeric };
      }
    }
  }

  result(): GradcheckResult {
    return { ok: this.maxError <= this.tolerance, maxError: this.maxError, worst: this.worst, checked: this.checked };
  }
}

function unravel(flat: number, shape: readonly number[]): number[] {
  const strides = stridesOf(shape);
  return strides.map((s, i) => Math.floor(flat / s) % shape[i]);
}
