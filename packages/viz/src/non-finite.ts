import { ComputationalGraph, GraphNode, Tensor } from '@chainrule/core';
import { analyzeBackward, safeOutput } from './analysis';
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

/** The first node, in forward order, whose value holds NaN or Infinity. */
export function scanForward(graph: ComputationalGraph): NonFiniteFinding | undefined {
  for (const node of graph.topologicalOrder()) {
    if (node.value === undefined || node.value.isFinite()) continue;
    const path = node.name;
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
export function scanBackward(graph: ComputationalGraph): NonFiniteFinding | undefined {
  const out = safeOutput(graph);
  if (out?.grad && !out.grad.isFinite()) {
    return { phase: 'backward', path: out.name, node: out, gateType: out.gateType, inputs: [], source: 'scan', message: `the seed dL/d('${out.name}') holds NaN or Infinity` };
  }
  const analysis = analyzeBackward(graph);
  const order = analysis.order;
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k];
    const entry = analysis.gates.get(node);
    if (!entry || !entry.upstream.isFinite()) continue;
    const bad = node.inputNodes.findIndex((input, j) => {
      if (input.grad === undefined) return false;
      const c = entry.contributions[j];
      return c !== undefined ? !c.isFinite() : entry.error !== undefined && !input.grad.isFinite();
    });
    if (bad < 0) continue;
    const message = `'${node.name}' (${node.gateType}) produced NaN or Infinity in backward, in the gradient for '${node.inputNodes[bad].name}' (the first gate to do so)`;
    return { phase: 'backward', path: node.name, node, gateType: node.gateType, inputs: [...inputSummaries(node), ...upstreamSummary(node, entry.upstream)], source: 'scan', message };
  }
  return undefined;
}

/** The first node of the graph named by the error's `node` field, or by its causes' (an error wrapped on its way out). */
function errorNode(graph: ComputationalGraph, error: unknown): GraphNode | undefined {
  for (let e = error as { node?: unknown; cause?: unknown } | undefined; e && typeof e === 'object'; e = e.cause as typeof e) {
    const found = typeof e.node === 'string' ? graph.nodes.find((n) => n.name === e?.node) : undefined;
    if (found) return found;
  }
  return undefined;
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
      const dins = node.gate.backward(dout);
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

/** The finding for an error that carries the node it arose at (`err.node`), with the inputs that gate got. */
export function findingFromError(graph: ComputationalGraph, error: unknown, seed: Tensor | undefined): NonFiniteFinding | undefined {
  const message = (error as Error)?.message ?? String(error);
  const node = errorNode(graph, error);
  if (!node) return undefined;
  const path = node.name;
  if (node.kind !== 'gate') return { phase: 'value', path, node, gateType: undefined, inputs: [], source: 'error', message };
  const forward = failedInForward(node);
  const inputs = inputSummaries(node);
  if (!forward) {
    const upstream = replayUpstream(graph, node, seed) ?? node.grad;
    if (upstream) inputs.push(...upstreamSummary(node, upstream));
  }
  return { phase: forward ? 'forward' : 'backward', path, node, gateType: node.gateType, inputs, source: 'error', message };
}
