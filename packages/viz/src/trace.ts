import { assertGraph, assertOptions, ComputationalGraph, GateTraceContext, GateTraceDescription, GraphNode, InvalidArgumentError } from '@chainrule/core';
import { analyzeBackward, safeOutput } from './analysis';
import { nameOf, traceGraph, traceState } from './trace-gate';

/** How a trace describes one kind of gate; the same shape a gate class declares in its `description.trace`. */
export type TraceRule = GateTraceDescription;
/** What a trace rule is told about one gate node. */
export type RuleContext = GateTraceContext;

/** Options of traceBackward. */
export interface TraceOptions {
  /** Significant digits of every number (default 4; 2 prints the lecture's 0.73, -0.2, -0.39). */
  digits?: number;
  /** Tensors of at most this many elements print all their values (default 6); larger ones a summary. */
  inline?: number;
  /**
   * Rules that override what a gate class declares (its static `description.trace`), keyed by gate
   * class name or bound name. A custom gate normally declares its own instead.
   */
  rules?: Readonly<Record<string, TraceRule>>;
}

/**
 * A step-by-step account of the last backward pass, in reverse topological order: one line per
 * gate input, naming the gate, its formula and its backward pattern ("add distributes",
 * "multiply switches", "max routes", sigmoid "σ(1−σ)", as each gate class declares in its static
 * `description`; a generic "local gradient" for gates that declare nothing), the local gradient,
 * the upstream gradient, and what the input receives:
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
  assertGraph(graph, 'traceBackward');
  assertOptions(options, 'traceBackward');
  const state = traceState({
    digits: options.digits ?? 4,
    inline: options.inline ?? 6,
    rules: options.rules,
  });
  const analysis = analyzeBackward(graph, { local: true });
  if (!analysis.hasGradients) {
    throw new InvalidArgumentError('traceBackward: the graph holds no gradients yet (run graph.forward(...) and graph.backward() first)');
  }
  const { lines, show } = state;
  const out = safeOutput(graph) as GraphNode;
  const gateCount = analysis.order.filter((n) => analysis.gates.has(n)).length;
  lines.push(
    `Backward pass through ${gateCount} gate${gateCount === 1 ? '' : 's'} in reverse topological order; L = ${nameOf(out)} = ${show(out.value)}, seed ∂L/∂${nameOf(out)} = ${show(out.grad)}`,
  );
  if (!analysis.consistent) {
    lines.push(
      `note: re-running the gates did not reproduce the gradient of '${analysis.mismatch ?? '?'}' (after backward({ accumulate: true }), or a gate whose backward keeps state); the per-gate numbers are the re-run's, the results below are the graph's`,
    );
  }
  traceGraph(graph, analysis, '', '', state);
  const leaves = graph.nodes.filter((n) => n.kind === 'input' || n.kind === 'parameter');
  const withGrad = leaves.filter((n) => n.grad !== undefined);
  if (withGrad.length > 0) {
    lines.push('Gradients of the inputs and parameters (the graph’s node.grad):');
    for (const n of withGrad) lines.push(`  ∂L/∂${nameOf(n)} = ${show(n.grad)}${n.kind === 'parameter' ? ' (parameter)' : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
