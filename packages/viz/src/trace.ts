import { ComputationalGraph, GraphNode, InvalidArgumentError, shapesEqual, Tensor } from '@chainrule/core';
import { analyzeBackward, BackwardAnalysis, safeOutput } from './analysis';
import { formatNumber, formatTensor, formatValues, gateClassName } from './format';

/** What a trace rule is told about one gate node when it describes it. */
export interface RuleContext {
  node: GraphNode;
  /** Printable names of the gate's inputs, in order. */
  inputs: string[];
  /** The inputs' forward values. */
  values: (Tensor | undefined)[];
  /** The gate's output. */
  output: Tensor | undefined;
  /** Whether the output and every input hold one element (then rules may substitute numbers). */
  scalar: boolean;
  /** Formats a number as the trace does. */
  num(x: number): string;
}

/** How a trace describes one kind of gate: its backward pattern, its formula, its local derivative. */
export interface TraceRule {
  /** The backward pattern named in every line, as the lectures name it: 'multiply switches'. */
  pattern: string;
  /** The forward formula from the input names, e.g. `q · z` (default `Kind(a, b)`). */
  expression?(ctx: RuleContext): string;
  /**
   * ∂out/∂input j as a formula (`z`, `σ(1−σ)`) and, for scalars, the formula with the numbers put
   * in (`0.7311·(1−0.7311)`). The value itself always comes from the gate's own backward.
   */
  local?(j: number, ctx: RuleContext): { formula: string; substituted?: string };
  /** The gate is elementwise, so its local gradients of a small tensor are worth printing. */
  elementwise?: boolean;
}

/** Options of traceBackward. */
export interface TraceOptions {
  /** Significant digits of every number (default 4; 2 prints the lecture's 0.73, -0.2, -0.39). */
  digits?: number;
  /** Tensors of at most this many elements print all their values (default 6); larger ones a summary. */
  inline?: number;
  /** Rules for your own gates (or to override a built-in's), keyed by gate class name or bound name. */
  rules?: Readonly<Record<string, TraceRule>>;
}

/** Parenthesises a negative number inside a product: `-1 × (-0.5)`. */
function paren(s: string): string {
  return s.startsWith('-') ? `(${s})` : s;
}

const unary = (pattern: string, expr: (a: string) => string, local: (ctx: RuleContext) => { formula: string; substituted?: string }): TraceRule => ({
  pattern,
  elementwise: true,
  expression: (c) => expr(c.inputs[0]),
  local: (_j, c) => local(c),
});

function scalarOf(t: Tensor | undefined): number | undefined {
  return t !== undefined && t.size === 1 ? t.data[0] : undefined;
}

/** The built-in gates' rules, keyed by class name. */
export const builtinTraceRules: Readonly<Record<string, TraceRule>> = {
  AddGate: {
    pattern: 'add distributes',
    elementwise: true,
    expression: (c) => `${c.inputs[0]} + ${c.inputs[1]}`,
    local: () => ({ formula: '1' }),
  },
  SubtractGate: {
    pattern: 'subtract distributes, negated to the second input',
    elementwise: true,
    expression: (c) => `${c.inputs[0]} − ${c.inputs[1]}`,
    local: (j) => ({ formula: j === 0 ? '1' : '-1' }),
  },
  MultiplyGate: {
    pattern: 'multiply switches',
    elementwise: true,
    expression: (c) => `${c.inputs[0]} · ${c.inputs[1]}`,
    local: (j, c) => ({ formula: c.inputs[1 - j] }),
  },
  DivideGate: {
    pattern: 'divide: 1/y to x, −x/y² to y',
    elementwise: true,
    expression: (c) => `${c.inputs[0]} / ${c.inputs[1]}`,
    local: (j, c) => {
      const [a, b] = c.inputs;
      const [va, vb] = c.values.map(scalarOf);
      if (j === 0) return { formula: `1/${b}`, substituted: c.scalar && vb !== undefined ? `1/${paren(c.num(vb))}` : undefined };
      return { formula: `−${a}/${b}²`, substituted: c.scalar && va !== undefined && vb !== undefined ? `−${paren(c.num(va))}/${paren(c.num(vb))}²` : undefined };
    },
  },
  MaxGate: {
    pattern: 'max routes',
    elementwise: true,
    expression: (c) => `max(${c.inputs[0]}, ${c.inputs[1]})`,
    local: (j, c) => {
      const [a, b] = c.inputs;
      const [va, vb] = c.values.map(scalarOf);
      if (!c.scalar || va === undefined || vb === undefined) {
        return { formula: j === 0 ? `1 where ${a} ≥ ${b}, else 0` : `1 where ${b} > ${a}, else 0` };
      }
      const toFirst = va >= vb;
      if (j === 0) return { formula: toFirst ? `1 (${a} ≥ ${b}: the gradient is routed here)` : `0 (${a} < ${b}: not the max)` };
      return { formula: toFirst ? `0 (${b} ≤ ${a}: not the max; ties go to the first input)` : `1 (${b} > ${a}: the gradient is routed here)` };
    },
  },
  SigmoidGate: unary(
    'sigmoid: σ(1−σ)',
    (a) => `σ(${a})`,
    (c) => {
      const s = scalarOf(c.output);
      return { formula: 'σ(1−σ)', substituted: c.scalar && s !== undefined ? `${c.num(s)}·(1−${c.num(s)})` : undefined };
    },
  ),
  TanhGate: unary(
    'tanh: 1 − tanh²',
    (a) => `tanh(${a})`,
    (c) => {
      const t = scalarOf(c.output);
      return { formula: '1 − tanh²', substituted: c.scalar && t !== undefined ? `1 − ${paren(c.num(t))}²` : undefined };
    },
  ),
  ReLUGate: unary(
    'ReLU routes where positive',
    (a) => `max(0, ${a})`,
    (c) => {
      const v = scalarOf(c.values[0]);
      const a = c.inputs[0];
      if (!c.scalar || v === undefined) return { formula: `1 where ${a} > 0, else 0` };
      return { formula: v > 0 ? `1 (${a} > 0: passes)` : `0 (${a} ≤ 0: blocked)` };
    },
  ),
  ExpGate: unary(
    'exp: the local gradient is its own output',
    (a) => `exp(${a})`,
    (c) => ({ formula: `exp(${c.inputs[0]})` }),
  ),
  NegateGate: unary(
    'negate flips the sign',
    (a) => `−${a}`,
    () => ({ formula: '-1' }),
  ),
  ReciprocalGate: unary(
    'reciprocal: −1/x²',
    (a) => `1/${a}`,
    (c) => {
      const v = scalarOf(c.values[0]);
      return { formula: `−1/${c.inputs[0]}²`, substituted: c.scalar && v !== undefined ? `−1/${paren(c.num(v))}²` : undefined };
    },
  ),
  AddConstantGate: unary(
    'adding a constant passes the gradient through',
    (a) => a, // replaced below: needs the constant
    () => ({ formula: '1' }),
  ),
  ScaleGate: unary(
    'scaling multiplies the gradient by the factor',
    (a) => a,
    () => ({ formula: 'a' }),
  ),
  PowGate: unary(
    'power rule p·x^(p−1)',
    (a) => a,
    () => ({ formula: 'p·x^(p−1)' }),
  ),
};

function gateOption(node: GraphNode, key: string): number | undefined {
  const fromOptions = node.options?.[key];
  if (typeof fromOptions === 'number') return fromOptions;
  const fromGate = (node.gate as unknown as Record<string, unknown> | undefined)?.[key];
  return typeof fromGate === 'number' ? fromGate : undefined;
}

/** Formulas of the configurable built-ins, which need the node's options. */
function configuredRule(node: GraphNode, rule: TraceRule, kind: string, num: (x: number) => string): TraceRule {
  if (kind === 'AddConstantGate') {
    const c = gateOption(node, 'c') ?? 0;
    return { ...rule, expression: (x) => (c < 0 ? `${x.inputs[0]} − ${num(-c)}` : `${x.inputs[0]} + ${num(c)}`) };
  }
  if (kind === 'ScaleGate') {
    const a = gateOption(node, 'a') ?? 1;
    return { ...rule, expression: (x) => `${paren(num(a))}·${x.inputs[0]}`, local: () => ({ formula: num(a) }) };
  }
  if (kind === 'PowGate') {
    const p = gateOption(node, 'p') ?? 2;
    return {
      ...rule,
      expression: (x) => `${x.inputs[0]}^${paren(num(p))}`,
      local: (_j, x) => {
        const v = scalarOf(x.values[0]);
        return {
          formula: `${paren(num(p))}·${x.inputs[0]}^${paren(num(p - 1))}`,
          substituted: x.scalar && v !== undefined ? `${paren(num(p))}·${paren(num(v))}^${paren(num(p - 1))}` : undefined,
        };
      },
    };
  }
  return rule;
}

/** A node name as it appears in formulas: plain identifiers bare, anything else quoted ('1/x'). */
function nameOf(node: GraphNode): string {
  return /^[\p{L}_][\p{L}\p{N}_#./]*$/u.test(node.name) ? node.name : `'${node.name}'`;
}

const GENERIC_RULE: TraceRule = { pattern: 'local gradient' };

interface TraceState {
  options: Required<Pick<TraceOptions, 'digits' | 'inline'>> & TraceOptions;
  lines: string[];
}

function isScalarish(t: Tensor | undefined): boolean {
  return t !== undefined && t.size === 1;
}

/** Writes the backward account of the graph (a composite's nodes are the graph's, named `<composite>/<inner>`). */
function traceGraph(graph: ComputationalGraph, analysis: BackwardAnalysis, indent: string, stepPrefix: string, state: TraceState): void {
  const { options, lines } = state;
  const num = (x: number) => formatNumber(x, options.digits);
  const show = (t: Tensor | undefined) => {
    if (t === undefined) return '?';
    if (t.size === 1 && t.shape.length === 0) return num(t.data[0]);
    if (t.size <= options.inline) return formatValues(t, options.digits);
    return formatTensor(t, { digits: options.digits, inline: 0 });
  };
  // How many times each node has received a share so far, and the shares, for the branch lines.
  const received = new Map<GraphNode, Tensor[]>();
  const order = analysis.order;
  let step = 0;
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k];
    const entry = analysis.gates.get(node);
    if (node.kind !== 'gate' || !entry) continue;
    step++;
    const stepLabel = `${stepPrefix}${step}`;
    const kind = gateClassName(node);
    const typeName = node.gateType ?? kind;
    const baseRule = options.rules?.[typeName] ?? options.rules?.[kind] ?? builtinTraceRules[kind] ?? GENERIC_RULE;
    const rule = options.rules?.[typeName] || options.rules?.[kind] ? baseRule : configuredRule(node, baseRule, kind, num);
    const inputs = node.inputNodes.map(nameOf);
    const values = node.inputNodes.map((n) => n.value);
    const scalar = isScalarish(node.value) && values.every(isScalarish);
    const ctx: RuleContext = { node, inputs, values, output: node.value, scalar, num };
    const out = nameOf(node);
    const expression = rule.expression ? rule.expression(ctx) : `${typeName}(${inputs.join(', ')})`;
    const head = `${indent}${stepLabel}. ${typeName} ${out} = ${expression} (${rule.pattern})`;

    if (entry.error) {
      lines.push(`${head}: could not re-run its backward (${entry.error}); upstream ${show(entry.upstream)}`);
      continue;
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
        if (rule.elementwise && sameShape && (local as Tensor).size <= options.inline) localText += ` = ${show(local)}`;
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
          arrow = `→ ${dIn} ${op} ${paren(num(local.data[0]))} × ${paren(num(entry.upstream.data[0]))} = ${num(contribution.data[0])}`;
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
        const sum = got.every((t) => t.size === 1) ? got.map((t) => paren(num(t.data[0]))).join(' + ') : `${uses} shares`;
        lines.push(`${indent}   ↳ gradients add at the branch: ${dIn} = ${sum} = ${show(total)}`);
      }
    });
  }
}

/**
 * A step-by-step account of the last backward pass, in reverse topological order: one line per
 * gate input, naming the gate, its formula and its backward pattern ("add distributes",
 * "multiply switches", "max routes", sigmoid "σ(1−σ)", a generic "local gradient" for gates it
 * does not know), the local gradient, the upstream gradient, and what the input receives:
 *
 *     1. MultiplyGate f = q · z (multiply switches): ∂f/∂q = z = -4; upstream 1 → ∂L/∂q = -4 × 1 = -4
 *
 * Where a node feeds several gates, each share is marked and a line shows the shares adding up to
 * its gradient. Every number comes from the gates (each gate's backward is re-applied to its
 * node's gradient, and to a seed of ones for the local gradient) and from the graph's gradients,
 * which stay the truth: if the shares do not add up to them, the trace says so. Scalars show every
 * number; tensors of at most `inline` elements show their values, larger ones a summary.
 *
 * Call after `graph.forward(...)` and `graph.backward()`.
 */
export function traceBackward(graph: ComputationalGraph, options: TraceOptions = {}): string {
  const state: TraceState = {
    options: { ...options, digits: options.digits ?? 4, inline: options.inline ?? 6 },
    lines: [],
  };
  const analysis = analyzeBackward(graph, { local: true });
  if (!analysis.hasGradients) {
    throw new InvalidArgumentError('traceBackward: the graph holds no gradients yet (run graph.forward(...) and graph.backward() first)');
  }
  const out = safeOutput(graph) as GraphNode;
  const show = (t: Tensor | undefined) =>
    t === undefined ? '?' : t.size <= state.options.inline ? formatValues(t, state.options.digits) : formatTensor(t, { digits: state.options.digits, inline: 0 });
  const gateCount = analysis.order.filter((n) => analysis.gates.has(n)).length;
  state.lines.push(
    `Backward pass through ${gateCount} gate${gateCount === 1 ? '' : 's'} in reverse topological order; L = ${nameOf(out)} = ${show(out.value)}, seed ∂L/∂${nameOf(out)} = ${show(out.grad)}`,
  );
  if (!analysis.consistent) {
    state.lines.push(
      `note: re-running the gates did not reproduce the gradient of '${analysis.mismatch ?? '?'}' (after backward({ accumulate: true }), or a gate whose backward keeps state); the per-gate numbers are the re-run's, the results below are the graph's`,
    );
  }
  traceGraph(graph, analysis, '', '', state);
  const leaves = graph.nodes.filter((n) => n.kind === 'input' || n.kind === 'parameter');
  for (const p of graph.parameters()) if (!leaves.includes(p)) leaves.push(p); // those inside composite gates
  leaves.splice(0, leaves.length, ...leaves.filter((n) => n.grad !== undefined));
  if (leaves.length > 0) {
    state.lines.push('Gradients of the inputs and parameters (the graph’s node.grad):');
    for (const n of leaves) state.lines.push(`  ∂L/∂${nameOf(n)} = ${show(n.grad)}${n.kind === 'parameter' ? ' (parameter)' : ''}`);
  }
  return `${state.lines.join('\n')}\n`;
}
