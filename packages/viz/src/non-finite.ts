import { ComputationalGraph, GraphNode, Tensor } from '@chainrule/core';
import { analyzeBackward, safeOutput } from './analysis';
import { innerGraph, saveSubgraphGrads } from './composite';
import { formatTensor } from './format';
import { NonFiniteFinding } from './health-types';

function summaries(names: string[], tensors: (Tensor | undefined)[]): NonFiniteFinding['inputs'] {
  return tensors.map((t, i) => ({ name: names[i], summary: formatTensor(t, { inline: 6 }), finite: t === undefined || t.isFinite() }));
}

function inputSummaries(node: GraphNode): NonFiniteFinding['inputs'] {
  return summaries(
    node.inputNodes.map((n) => n.name),
    node.inputNodes.map((n) => n.value),
  );
}

function upstreamSummary(node: GraphNode, upstream: Tensor): NonFiniteFinding['inputs'] {
  return summaries([`upstream dL/d(${node.name})`], [upstream]);
}

/** The first node, in forward order, whose value holds NaN or Infinity (descending into composites). */
export function scanForward(graph: ComputationalGraph, prefix: string): NonFiniteFinding | undefined {
  for (const node of graph.topologicalOrder()) {
    const path = `${prefix}${node.name}`;
    // Inside a composite, NaN/Infinity can appear and vanish again (1/Infinity = 0): always look.
    const inner = innerGraph(node);
    const insideFinding = inner ? scanForward(inner, `${path}/`) : undefined;
    if (insideFinding) return insideFinding;
    if (node.value === undefined || node.value.isFinite()) continue;
    const shown = formatTensor(node.value, { inline: 6 });
    if (node.kind !== 'gate') {
      return { phase: 'value', path, node, gateType: undefined, inputs: [], source: 'scan', message: `${node.kind} '${path}' holds NaN or Infinity: ${shown}` };
    }
    const message = `'${path}' (${node.gateType}) produced NaN or Infinity in forward (the first gate to do so): ${shown}`;
    return { phase: 'forward', path, node, gateType: node.gateType, inputs: inputSummaries(node), source: 'scan', message };
  }
  return undefined;
}

/**
 * The first gate, in backward order, that sent a NaN or Infinity gradient to one of its inputs
 * while its own upstream gradient was finite. Each gate's share is recomputed by re-applying its
 * backward to its node's gradient (the graph's gradients only hold the sums).
 */
export function scanBackward(graph: ComputationalGraph, prefix: string): NonFiniteFinding | undefined {
  const out = safeOutput(graph);
  if (out?.grad && !out.grad.isFinite()) {
    const path = `${prefix}${out.name}`;
    return { phase: 'backward', path, node: out, gateType: out.gateType, inputs: [], source: 'scan', message: `the seed dL/d('${path}') holds NaN or Infinity` };
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
    const inner = innerGraph(node);
    const insideFinding = inner ? scanBackward(inner, `${path}/`) : undefined;
    if (insideFinding) return insideFinding;
    const message = `'${path}' (${node.gateType}) produced NaN or Infinity in backward, in the gradient for '${node.inputNodes[bad].name}' (the first gate to do so)`;
    return { phase: 'backward', path, node, gateType: node.gateType, inputs: [...inputSummaries(node), ...upstreamSummary(node, entry.upstream)], source: 'scan', message };
  }
  return undefined;
}

/** The node names an error carries in its `node` field, outermost first, following its `cause` chain (a gate inside a composite). */
function errorNodes(error: unknown): string[] {
  const names: string[] = [];
  for (let e = error as { node?: unknown; cause?: unknown } | undefined; e && typeof e === 'object'; e = e.cause as typeof e) {
    if (typeof e.node === 'string') names.push(e.node);
  }
  return names;
}

/**
 * Whether the gate failed in forward: its forward, re-run on its inputs' values, throws or gives
 * NaN/Infinity. A gate that failed in backward had a finite forward (else the finite check would
 * have stopped there), which re-running reproduces into its own output buffer. (The graph keeps
 * no record of which pass failed, and the message is not parsed; a gate that samples in forward,
 * as dropout in training, samples again, which only matters if backward is retried unchanged.)
 */
function failedInForward(node: GraphNode): boolean {
  const args = node.inputNodes.map((n) => n.value);
  if (!node.gate || args.some((a) => a === undefined)) return true;
  try {
    return !node.gate.forward(...(args as Tensor[])).isFinite();
  } catch {
    return true;
  }
}

/**
 * dL/d(target) of a backward pass that stopped at `target` (the graph committed nothing), by
 * running the gates after it backward again from `seed`, on the state their forward cached.
 */
function replayUpstream(graph: ComputationalGraph, target: GraphNode, seed: Tensor | undefined): Tensor | undefined {
  const out = safeOutput(graph);
  if (!out?.value) return undefined;
  const grads = new Map<GraphNode, Tensor>([[out, seed ?? Tensor.ones(out.value.shape, out.value.dtype)]]);
  const order = graph.topologicalOrder();
  try {
    for (let k = order.length - 1; k >= 0; k--) {
      const node = order[k];
      const dout = grads.get(node);
      if (node === target) return dout;
      if (node.kind !== 'gate' || !node.gate || dout === undefined) continue;
      // A composite's backward replaces the gradients inside it: put them back.
      const inner = innerGraph(node);
      const restore = inner ? saveSubgraphGrads(inner) : undefined;
      let dins: Tensor[];
      try {
        dins = node.gate.backward(dout);
      } finally {
        restore?.();
      }
      node.inputNodes.forEach((input, j) => {
        const sum = grads.get(input);
        if (input.kind === 'constant') return;
        if (sum === undefined) grads.set(input, dins[j].clone());
        else for (let i = 0; i < sum.data.length; i++) sum.data[i] += dins[j].data[i];
      });
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** The finding for an error that carries the node it arose at (`err.node`; inside a composite, its `cause` names the inner node). */
export function findingFromError(graph: ComputationalGraph, error: unknown, seed: Tensor | undefined): NonFiniteFinding | undefined {
  const message = (error as Error)?.message ?? String(error);
  let g: ComputationalGraph | undefined = graph;
  let owner = graph;
  let node: GraphNode | undefined;
  const path: string[] = [];
  for (const name of errorNodes(error)) {
    const found: GraphNode | undefined = g?.nodes.find((n) => n.name === name);
    if (!found || !g) break;
    owner = g;
    node = found;
    path.push(name);
    g = innerGraph(found);
  }
  if (!node) return undefined;
  if (node.kind !== 'gate') return { phase: 'value', path: path.join('/'), node, gateType: undefined, inputs: [], source: 'error', message };
  const forward = failedInForward(node);
  const inner = innerGraph(node);
  if (forward && inner) {
    // The subgraph ran to the end (its own graph has no finite check): find the gate inside.
    const found = scanForward(inner, `${path.join('/')}/`);
    if (found) return { ...found, source: 'error', message: `${message}; inside it: ${found.message}` };
  }
  const inputs = inputSummaries(node);
  if (!forward) {
    const upstream = replayUpstream(owner, node, owner === graph ? seed : undefined) ?? node.grad;
    if (upstream) inputs.push(...upstreamSummary(node, upstream));
  }
  return { phase: forward ? 'forward' : 'backward', path: path.join('/'), node, gateType: node.gateType, inputs, source: 'error', message };
}
