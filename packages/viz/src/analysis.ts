import { ComputationalGraph, GraphNode, Tensor } from '@chainrule/core';

/** What one gate sent back to each of its inputs in the last backward pass. */
export interface GateBackward {
  node: GraphNode;
  /** The upstream gradient dL/d(this node) the gate was given (the node's grad). */
  upstream: Tensor;
  /** dL/d(input j) that this gate contributed: its backward applied to the upstream gradient. */
  contributions: (Tensor | undefined)[];
  /** d(this node)/d(input j) as the gate's backward gives it for a seed of ones (only when asked for). */
  local: (Tensor | undefined)[];
  /** Why the gate could not be re-run, if it could not. */
  error?: string;
}

/** Per-edge gradients of a graph after backward, recomputed by the gates themselves. */
export interface BackwardAnalysis {
  gates: Map<GraphNode, GateBackward>;
  /** Gate nodes (and leaves) in topological order. */
  order: readonly GraphNode[];
  /** Consumers of each node, in topological order of the consumer, one entry per use. */
  consumers: Map<GraphNode, { gate: GraphNode; index: number }[]>;
  /** Whether the per-edge contributions add up to every node's grad (the truth). */
  consistent: boolean;
  /** Which node's gradient the contributions did not reproduce, when they did not. */
  mismatch?: string;
  /** Whether the graph has gradients at all (a backward ran). */
  hasGradients: boolean;
}

function cloneAll(ts: readonly Tensor[] | undefined, n: number): (Tensor | undefined)[] {
  const out: (Tensor | undefined)[] = new Array(n).fill(undefined);
  if (!Array.isArray(ts)) return out;
  for (let i = 0; i < n; i++) {
    const t = ts[i];
    out[i] = t instanceof Tensor ? t.clone() : undefined;
  }
  return out;
}

function sameValue(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= 1e-9 * (1 + Math.abs(a) + Math.abs(b));
}

/**
 * Splits every node's gradient into what each consumer contributed, by asking each gate again:
 * a gate's backward is re-applied to its node's grad (the upstream gradient it was given), on the
 * state its last forward cached. That re-run changes no node value or gradient of the graph (a
 * composite gate's inner gradients are saved and put back), and the last call of each gate uses
 * the real upstream gradient, so its own buffers end as the real pass left them.
 * The graph's node.grad stays the truth: `consistent` says whether the contributions add up to it
 * (they do not after `backward({ accumulate: true })`, or for a gate whose backward keeps state).
 */
export function analyzeBackward(graph: ComputationalGraph, options: { local?: boolean } = {}): BackwardAnalysis {
  const order = graph.topologicalOrder();
  const gates = new Map<GraphNode, GateBackward>();
  const consumers = new Map<GraphNode, { gate: GraphNode; index: number }[]>();
  for (const node of order) consumers.set(node, []);
  for (const node of order) {
    if (node.kind !== 'gate') continue;
    node.inputNodes.forEach((input, index) => consumers.get(input)?.push({ gate: node, index }));
  }
  let hasGradients = false;
  for (const node of order) {
    if (node.kind !== 'gate' || !node.gate || node.value === undefined || node.grad === undefined) continue;
    hasGradients = true;
    const n = node.inputNodes.length;
    const entry: GateBackward = { node, upstream: node.grad, contributions: new Array(n).fill(undefined), local: new Array(n).fill(undefined) };
    try {
      if (options.local) {
        entry.local = cloneAll(node.gate.backward(Tensor.ones(node.value.shape, node.value.dtype)), n);
      }
      // Last, so the gate ends holding what the real pass left.
      entry.contributions = cloneAll(node.gate.backward(node.grad), n);
    } catch (e) {
      entry.error = (e as Error)?.message ?? String(e);
    }
    gates.set(node, entry);
  }
  let consistent = hasGradients;
  let mismatch: string | undefined;
  if (hasGradients) {
    for (const node of order) {
      if (node.grad === undefined || node === safeOutput(graph)) continue;
      const uses = consumers.get(node) ?? [];
      if (uses.length === 0) continue;
      const sum = new Float64Array(node.grad.size);
      let ok = true;
      for (const { gate, index } of uses) {
        const c = gates.get(gate)?.contributions[index];
        if (!c || c.size !== sum.length) {
          ok = false;
          break;
        }
        for (let i = 0; i < sum.length; i++) sum[i] += c.data[i];
      }
      if (ok) {
        for (let i = 0; i < sum.length; i++) {
          if (!sameValue(sum[i], node.grad.data[i])) {
            ok = false;
            break;
          }
        }
      }
      if (!ok) {
        consistent = false;
        mismatch = node.name;
        break;
      }
    }
  }
  return { gates, order, consumers, consistent, mismatch, hasGradients };
}

/** The graph's output node, or undefined for a graph without gates. */
export function safeOutput(graph: ComputationalGraph): GraphNode | undefined {
  try {
    return graph.output;
  } catch {
    return undefined;
  }
}
