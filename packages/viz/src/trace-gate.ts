import { ComputationalGraph, describeGate, Gate, GateTraceContext, GateTraceDescription, GraphNode, parenthesize, shapesEqual, Tensor } from '@chainrule/core';
import { BackwardAnalysis, GateBackward } from './analysis';
import { formatNumber, formatTensor, formatValues, gateClassName } from './format';

/** The settings a trace runs with (TraceOptions with its defaults filled in). */
export interface TraceSettings {
  digits: number;
  inline: number;
  rules?: Readonly<Record<string, GateTraceDescription>>;
}

/** What every gate's lines need: the settings, the lines written so far, and the number and tensor printers. */
export interface TraceState {
  settings: TraceSettings;
  lines: string[];
  num(x: number): string;
  show(t: Tensor | undefined): string;
}

export function traceState(settings: TraceSettings): TraceState {
  const num = (x: number) => formatNumber(x, settings.digits);
  const show = (t: Tensor | undefined) => {
    if (t === undefined) return '?';
    if (t.size <= settings.inline) return formatValues(t, settings.digits);
    return formatTensor(t, { digits: settings.digits, inline: 0 });
  };
  return { settings, lines: [], num, show };
}

/** A node name as it appears in formulas: plain identifiers bare, anything else quoted ('1/x'). */
export function nameOf(node: GraphNode): string {
  return /^[\p{L}_][\p{L}\p{N}_#./]*$/u.test(node.name) ? node.name : `'${node.name}'`;
}

const GENERIC_TRACE: GateTraceDescription = { pattern: 'local gradient' };

/** The caller's rule for the gate, else what the gate's class declares, else the generic phrasing. */
function descriptionOf(node: GraphNode, typeName: string, kind: string, rules: TraceSettings['rules']): GateTraceDescription {
  return rules?.[typeName] ?? rules?.[kind] ?? describeGate(node.gate)?.trace ?? GENERIC_TRACE;
}

function isScalarish(t: Tensor | undefined): boolean {
  return t !== undefined && t.size === 1;
}

/** Writes the backward account of the graph, last gate first (a composite's gates are the graph's, named `<composite>/<inner>`). */
export function traceGraph(graph: ComputationalGraph, analysis: BackwardAnalysis, indent: string, stepPrefix: string, state: TraceState): void {
  // The shares each node has received so far, for the branch lines.
  const received = new Map<GraphNode, Tensor[]>();
  const order = analysis.order;
  let step = 0;
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k];
    const entry = analysis.gates.get(node);
    if (node.kind !== 'gate' || !entry) continue;
    step++;
    traceGate(node, entry, `${stepPrefix}${step}`, indent, analysis, received, state);
  }
}

function traceGate(
  node: GraphNode,
  entry: GateBackward,
  stepLabel: string,
  indent: string,
  analysis: BackwardAnalysis,
  received: Map<GraphNode, Tensor[]>,
  state: TraceState,
): void {
  const { settings, lines, num, show } = state;
  const kind = gateClassName(node);
  const typeName = node.gateType ?? kind;
  const rule = descriptionOf(node, typeName, kind, settings.rules);
  const inputs = node.inputNodes.map(nameOf);
  const values = node.inputNodes.map((n) => n.value);
  const scalar = isScalarish(node.value) && values.every(isScalarish);
  const ctx: GateTraceContext = { gate: node.gate as Gate, inputs, values, output: node.value, scalar, num };
  const out = nameOf(node);
  const expression = rule.expression ? rule.expression(ctx) : `${typeName}(${inputs.join(', ')})`;
  const head = `${indent}${stepLabel}. ${typeName} ${out} = ${expression} (${rule.pattern})`;

  if (entry.error) {
    lines.push(`${head}: could not re-run its backward (${entry.error}); upstream ${show(entry.upstream)}`);
    return;
  }
  node.inputNodes.forEach((input, j) => {
    const contribution = entry.contributions[j];
    const wrt = `∂${out}/∂${inputs[j]}`;
    const dIn = `∂L/∂${inputs[j]}`;
    let localText: string;
    const local = entry.local[j];
    const described = rule.local?.(j, ctx);
    if (scalar && local !== undefined) {
      const value = num(local.data[0]);
      const parts = [wrt];
      if (described) {
        parts.push(described.formula);
        if (described.substituted) parts.push(described.substituted);
      }
      // '1 (a ≥ b: …)' already says its value.
      if (!described || (described.formula !== value && !described.formula.startsWith(`${value} (`))) parts.push(value);
      localText = parts.join(' = ');
    } else if (described) {
      localText = `${wrt} = ${described.formula}`;
      const sameShape = local !== undefined && node.value !== undefined && shapesEqual(local.shape, node.value.shape);
      if (rule.elementwise && sameShape && (local as Tensor).size <= settings.inline) localText += ` = ${show(local)}`;
    } else {
      localText = `local gradient ${wrt} (from the gate's backward)`;
    }
    let arrow: string;
    if (input.kind === 'constant') arrow = `→ ${inputs[j]} is a constant: no gradient kept`;
    else if (input.grad === undefined) arrow = `→ ${inputs[j]} keeps no gradient (requiresGrad: false)`;
    else if (contribution === undefined) arrow = `→ ${dIn} = ?`;
    else {
      // At a branch each consumer adds its share: ∂L/∂x += share.
      const op = (analysis.consumers.get(input)?.length ?? 0) > 1 ? '+=' : '=';
      if (scalar && local !== undefined) {
        arrow = `→ ${dIn} ${op} ${parenthesize(num(local.data[0]))} × ${parenthesize(num(entry.upstream.data[0]))} = ${num(contribution.data[0])}`;
      } else {
        const broadcast = input.value !== undefined && node.value !== undefined && !shapesEqual(input.value.shape, node.value.shape);
        arrow = `→ ${dIn} ${op} ${show(contribution)}${broadcast && rule.elementwise ? ' (summed over the axes it was broadcast along)' : ''}`;
      }
    }

    const uses = analysis.consumers.get(input)?.length ?? 0;
    let branchNote = '';
    if (uses > 1 && contribution !== undefined && input.grad !== undefined) {
      const got = received.get(input) ?? [];
      got.push(contribution);
      received.set(input, got);
      branchNote = ` (share ${got.length} of ${uses}: ${inputs[j]} feeds ${uses} gate inputs)`;
    }
    lines.push(`${head}: ${localText}; upstream ${show(entry.upstream)} ${arrow}${branchNote}`);
    const got = received.get(input);
    if (uses > 1 && got && got.length === uses) {
      const total = input.grad as Tensor;
      const sum = got.every((t) => t.size === 1) ? got.map((t) => parenthesize(num(t.data[0]))).join(' + ') : `${uses} shares`;
      lines.push(`${indent}   ↳ gradients add at the branch: ${dIn} = ${sum} = ${show(total)}`);
    }
  });
}
