import { ComputationalGraph, GraphNode, Tensor } from '@chainrule/core';
import { analyzeBackward, safeOutput } from './analysis';
import { formatNumber, formatShapeCompact, formatTensor, gateClassName, tensorStats } from './format';

/** Options of healthReport. */
export interface HealthOptions {
  /** A sigmoid unit is saturated where |σ − 0.5| exceeds this (default 0.49, i.e. σ < 0.01 or σ > 0.99). */
  sigmoidSaturation?: number;
  /** A tanh unit is saturated where |tanh| exceeds this (default 0.99). */
  tanhSaturation?: number;
  /** Flag a sigmoid/tanh gate when at least this share of its units is saturated (default 0.5). */
  saturationFlag?: number;
  /** Gate types (class or bound names) measured as sigmoids (default ['SigmoidGate']). */
  sigmoidGates?: readonly string[];
  /** Gate types measured as tanh (default ['TanhGate']). */
  tanhGates?: readonly string[];
  /** Gate types measured as ReLUs, for dead units (default ['ReLUGate']). */
  reluGates?: readonly string[];
  /**
   * An error caught from forward or backward (with `graph.finiteCheck` on, a NonFiniteError): the
   * report names the gate it names, with the inputs that gate got. Without it, the report finds the
   * first non-finite gate by scanning the values and gradients itself.
   */
  error?: unknown;
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
  /** Sigmoid and tanh gates: how many units are saturated. */
  saturated?: { activation: 'sigmoid' | 'tanh'; count: number; total: number; share: number };
  /**
   * ReLU gates: units whose output is 0 for every row of the batch (axis 0 is the batch for a
   * value of rank ≥ 2; a rank 0 or 1 value is one row).
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
  /** One line per problem found: dead ReLUs, saturated units, zero gradients, NaN/Infinity. */
  flags: string[];
  /** Whether the graph held gradients (a backward ran). */
  hasGradients: boolean;
}

interface Resolved {
  sigmoidSaturation: number;
  tanhSaturation: number;
  saturationFlag: number;
  sigmoidGates: readonly string[];
  tanhGates: readonly string[];
  reluGates: readonly string[];
}

function isType(node: GraphNode, types: readonly string[]): boolean {
  return (node.gateType !== undefined && types.includes(node.gateType)) || types.includes(gateClassName(node));
}

function nonFinite(t: Tensor | undefined): number {
  if (!t) return 0;
  let n = 0;
  for (let i = 0; i < t.data.length; i++) if (!Number.isFinite(t.data[i])) n++;
  return n;
}

function deadUnits(t: Tensor): { count: number; units: number; rows: number; share: number } {
  const rows = t.rank >= 2 ? t.shape[0] : 1;
  const units = rows === 0 ? 0 : t.size / rows;
  let count = 0;
  for (let u = 0; u < units; u++) {
    let dead = true;
    for (let r = 0; r < rows && dead; r++) if (t.data[r * units + u] !== 0) dead = false;
    if (dead) count++;
  }
  return { count, units, rows, share: units ? count / units : 0 };
}

function saturation(t: Tensor, activation: 'sigmoid' | 'tanh', o: Resolved): GateHealth['saturated'] {
  let count = 0;
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i];
    if (activation === 'sigmoid' ? Math.abs(v - 0.5) > o.sigmoidSaturation : Math.abs(v) > o.tanhSaturation) count++;
  }
  return { activation, count, total: t.size, share: t.size ? count / t.size : 0 };
}

function collect(graph: ComputationalGraph, prefix: string, o: Resolved, out: GateHealth[]): void {
  for (const node of graph.topologicalOrder()) {
    // Gates and parameters, and inputs that get a gradient (not a composite's own input ports).
    const keep = node.kind === 'gate' || node.kind === 'parameter' || (node.kind === 'input' && prefix === '' && node.grad !== undefined);
    if (!keep) continue;
    const path = `${prefix}${node.name}`;
    const v = node.value;
    const g = node.grad;
    if (v !== undefined) {
      const h: GateHealth = {
        path,
        node,
        kind: node.kind,
        gateType: node.kind === 'gate' ? (node.gateType ?? gateClassName(node)) : `(${node.kind})`,
        shape: v.shape,
        outputNorm: tensorStats(v).norm,
        gradNorm: g ? tensorStats(g).norm : undefined,
        nonFiniteOutputs: nonFinite(v),
        nonFiniteGrads: nonFinite(g),
      };
      if (node.kind === 'gate') {
        if (isType(node, o.sigmoidGates)) h.saturated = saturation(v, 'sigmoid', o);
        else if (isType(node, o.tanhGates)) h.saturated = saturation(v, 'tanh', o);
        if (isType(node, o.reluGates)) h.dead = deadUnits(v);
      }
      out.push(h);
    }
  }
}

function summaries(names: string[], tensors: (Tensor | undefined)[]): NonFiniteFinding['inputs'] {
  return tensors.map((t, i) => ({ name: names[i], summary: formatTensor(t, { inline: 6 }), finite: t === undefined || t.isFinite() }));
}

function inputSummaries(node: GraphNode): NonFiniteFinding['inputs'] {
  return summaries(
    node.inputNodes.map((n) => n.name),
    node.inputNodes.map((n) => n.value),
  );
}

/** The first node, in forward order, whose value holds NaN or Infinity (descending into composites). */
function scanForward(graph: ComputationalGraph, prefix: string): NonFiniteFinding | undefined {
  for (const node of graph.topologicalOrder()) {
    const path = `${prefix}${node.name}`;
    if (node.value === undefined || node.value.isFinite()) continue;
    if (node.kind !== 'gate') {
      return {
        phase: 'value',
        path,
        node,
        gateType: undefined,
        inputs: [],
        source: 'scan',
        message: `${node.kind} '${path}' holds NaN or Infinity: ${formatTensor(node.value, { inline: 6 })}`,
      };
    }
    return {
      phase: 'forward',
      path,
      node,
      gateType: node.gateType,
      inputs: inputSummaries(node),
      source: 'scan',
      message: `'${path}' (${node.gateType}) produced NaN or Infinity in forward (the first gate to do so): ${formatTensor(node.value, { inline: 6 })}`,
    };
  }
  return undefined;
}

/**
 * The first gate, in backward order, that sent a NaN or Infinity gradient to one of its inputs
 * while its own upstream gradient was finite. Each gate's share is recomputed by re-applying its
 * backward to its node's gradient (the graph's gradients only hold the sums).
 */
function scanBackward(graph: ComputationalGraph, prefix: string): NonFiniteFinding | undefined {
  const out = safeOutput(graph);
  if (out?.grad && !out.grad.isFinite()) {
    return {
      phase: 'backward',
      path: `${prefix}${out.name}`,
      node: out,
      gateType: out.gateType,
      inputs: [],
      source: 'scan',
      message: `the seed dL/d('${prefix}${out.name}') holds NaN or Infinity`,
    };
  }
  const analysis = analyzeBackward(graph);
  const order = analysis.order;
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k];
    const entry = analysis.gates.get(node);
    if (!entry || !entry.upstream.isFinite()) continue;
    const path = `${prefix}${node.name}`;
    const bad = node.inputNodes.findIndex((input, j) => {
      if (input.grad === undefined) return false;
      const c = entry.contributions[j];
      return c !== undefined ? !c.isFinite() : entry.error !== undefined && !input.grad.isFinite();
    });
    if (bad < 0) continue;
    const inputs = inputSummaries(node);
    inputs.push(...summaries([`upstream dL/d(${node.name})`], [entry.upstream]));
    return {
      phase: 'backward',
      path,
      node,
      gateType: node.gateType,
      inputs,
      source: 'scan',
      message: `'${path}' (${node.gateType}) produced NaN or Infinity in backward, in the gradient for '${node.inputNodes[bad].name}' (the first gate to do so)`,
    };
  }
  return undefined;
}

/** Finds the node an error message names (`node 'a' (T): node 'b' (U): ...` for a gate inside a composite). */
function fromError(graph: ComputationalGraph, error: unknown): NonFiniteFinding | undefined {
  const message = (error as Error)?.message ?? String(error);
  const names = [...message.matchAll(/node '((?:[^'\\]|\\.)*)' \(/g)].map((m) => m[1]);
  let g: ComputationalGraph | undefined = graph;
  let node: GraphNode | undefined;
  const path: string[] = [];
  for (const name of names) {
    if (!g) break;
    const found: GraphNode | undefined = g.nodes.find((n) => n.name === name);
    if (!found) break;
    node = found;
    path.push(name);
    g = undefined; // composites expand into the graph: one name finds the node
  }
  if (!node) {
    const feed = /the feed for input '((?:[^'\\]|\\.)*)'/.exec(message);
    const input = feed ? graph.nodes.find((n) => n.name === feed[1]) : undefined;
    if (!input) return undefined;
    return { phase: 'value', path: input.name, node: input, gateType: undefined, inputs: [], source: 'error', message };
  }
  const backward = /\.backward:|upstream gradient/.test(message);
  const inputs = inputSummaries(node);
  if (backward) {
    // The pass stopped before committing, so the gate's upstream gradient is still in the node's
    // work buffer (complete: every consumer of the node ran before it).
    const pending = (node as { scratch?: unknown }).scratch;
    const upstream = pending instanceof Tensor && node.value && pending.size === node.value.size ? pending : node.grad;
    if (upstream) inputs.push(...summaries([`upstream dL/d(${node.name})`], [upstream]));
  }
  return { phase: backward ? 'backward' : 'forward', path: path.join('/'), node, gateType: node.gateType, inputs, source: 'error', message };
}

function pct(x: number): string {
  return `${formatNumber(100 * x, 3)}%`;
}

/**
 * A gradient-health report of a graph after a forward and backward pass on a batch: per gate node
 * (and parameter) the norms of its output and its gradient; for sigmoid and tanh gates the share of
 * saturated units; for ReLU gates the units dead for the whole batch; and the first gate, in
 * forward then backward order, that produced NaN or Infinity, with the inputs it got. Gates inside
 * composite gates are listed as `composite/inner`.
 *
 * With `graph.finiteCheck` on, forward/backward throw a NonFiniteError at the first bad gate: pass
 * it as `options.error` and the report names that gate (the graph's values stop there). Without it,
 * the report scans the values and gradients itself.
 */
export function healthReport(graph: ComputationalGraph, options: HealthOptions = {}): HealthReport {
  const o: Resolved = {
    sigmoidSaturation: options.sigmoidSaturation ?? 0.49,
    tanhSaturation: options.tanhSaturation ?? 0.99,
    saturationFlag: options.saturationFlag ?? 0.5,
    sigmoidGates: options.sigmoidGates ?? ['SigmoidGate'],
    tanhGates: options.tanhGates ?? ['TanhGate'],
    reluGates: options.reluGates ?? ['ReLUGate'],
  };
  const gates: GateHealth[] = [];
  collect(graph, '', o, gates);
  const hasGradients = gates.some((g) => g.gradNorm !== undefined);
  let firstNonFinite: NonFiniteFinding | undefined;
  if (options.error !== undefined) firstNonFinite = fromError(graph, options.error);
  if (!firstNonFinite && options.finiteScan !== false) {
    firstNonFinite = scanForward(graph, '') ?? (hasGradients ? scanBackward(graph, '') : undefined);
  }
  const flags: string[] = [];
  if (firstNonFinite) flags.push(`non-finite: ${firstNonFinite.message}`);
  for (const g of gates) {
    const where = g.kind === 'gate' ? `'${g.path}' (${g.gateType})` : `${g.kind} '${g.path}'`;
    if (g.dead && g.dead.count > 0) {
      const all = g.dead.count === g.dead.units;
      flags.push(
        `dead ReLU: ${where}: ${all ? 'all ' : ''}${g.dead.count} of ${g.dead.units} unit${g.dead.units === 1 ? '' : 's'} output 0 for every row of the batch of ${g.dead.rows}` +
          (all ? ': no gradient passes through it' : ''),
      );
    }
    if (g.saturated && g.saturated.total > 0 && g.saturated.share >= o.saturationFlag) {
      const rule = g.saturated.activation === 'sigmoid' ? `|σ − 0.5| > ${o.sigmoidSaturation}` : `|tanh| > ${o.tanhSaturation}`;
      flags.push(`saturated: ${where}: ${pct(g.saturated.share)} of its units (${rule}), where the local gradient is almost 0`);
    }
    if (g.gradNorm === 0 && g.node.grad !== undefined && g.node.grad.size > 0 && !(g.dead && g.dead.count === g.dead.units)) {
      flags.push(`zero gradient: ${where}: dL/d(${g.path}) is 0 everywhere`);
    }
  }
  const spread = gradientSpreadFlag(gates, options.gradientSpread ?? 1e4);
  if (spread) flags.push(spread);
  return { gates, firstNonFinite, flags, hasGradients };
}

/** The parameters with the smallest and largest gradient norm, when they are further apart than `limit`. */
function gradientSpreadFlag(gates: GateHealth[], limit: number): string | undefined {
  let lo: GateHealth | undefined;
  let hi: GateHealth | undefined;
  for (const g of gates) {
    if (g.kind !== 'parameter' || g.gradNorm === undefined || !(g.gradNorm > 0) || !Number.isFinite(g.gradNorm)) continue;
    if (!lo || g.gradNorm < (lo.gradNorm as number)) lo = g;
    if (!hi || g.gradNorm > (hi.gradNorm as number)) hi = g;
  }
  if (!lo || !hi || lo === hi) return undefined;
  const ratio = (hi.gradNorm as number) / (lo.gradNorm as number);
  if (ratio <= limit) return undefined;
  return (
    `vanishing/exploding gradients: parameter '${lo.path}' has gradient norm ${formatNumber(lo.gradNorm as number, 3)}, ` +
    `${ratio.toExponential(1)} times smaller than parameter '${hi.path}' (${formatNumber(hi.gradNorm as number, 3)})`
  );
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

/** The report as a text table, then its flags and the first non-finite gate with its inputs. */
export function formatHealthReport(report: HealthReport, options: { digits?: number } = {}): string {
  const digits = options.digits ?? 3;
  const header = ['node', 'gate', 'shape', '|out|', '|grad|', 'saturated', 'dead', 'non-finite'];
  const rows = report.gates.map((g) => [
    g.path,
    g.gateType,
    formatShapeCompact(g.shape),
    formatNumber(g.outputNorm, digits),
    g.gradNorm === undefined ? '-' : formatNumber(g.gradNorm, digits),
    g.saturated ? pct(g.saturated.share) : '',
    g.dead ? `${g.dead.count}/${g.dead.units}` : '',
    g.nonFiniteOutputs || g.nonFiniteGrads ? `${g.nonFiniteOutputs} out, ${g.nonFiniteGrads} grad` : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = [false, false, false, true, true, true, true, false];
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i], numeric[i])).join('  ').trimEnd();
  const out: string[] = [line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of rows) out.push(line(r));
  if (!report.hasGradients) out.push('(no gradients: run backward first for the |grad| column)');
  if (report.flags.length === 0) out.push('No problems found.');
  else {
    out.push('Flags:');
    for (const f of report.flags) out.push(`  - ${f}`);
  }
  const nf = report.firstNonFinite;
  if (nf) {
    out.push(`First non-finite (${nf.phase}, found by ${nf.source === 'error' ? 'the finite check' : 'scanning'}): ${nf.path}${nf.gateType ? ` (${nf.gateType})` : ''}`);
    for (const i of nf.inputs) out.push(`  ${i.name} = ${i.summary}${i.finite ? '' : '  <- not finite'}`);
  }
  return `${out.join('\n')}\n`;
}
