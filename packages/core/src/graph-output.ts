import { gateFact } from './gate-description';
import type { GraphNode } from './graph-node';

/**
 * The output of a graph whose user has not called setOutput, by a rule that never depends on the
 * order nodes were added in (a debugging node added after the loss changes nothing):
 *
 * 1. the one node whose gate declares itself a loss (`description.loss`), if nothing reads it;
 * 2. with no loss gate, the one gate node nothing reads (the single sink);
 * 3. otherwise no output: `problem` says why and names the candidates, for an error asking for setOutput.
 *
 * `nodes` must be sorted (their inputs resolved).
 */
export function findOutput(nodes: readonly GraphNode[]): { node?: GraphNode; problem?: string } {
  let maxId = 0;
  for (const n of nodes) if (n.id > maxId) maxId = n.id;
  const readers = new Array<GraphNode | undefined>(maxId + 1);
  for (const n of nodes) for (const input of n.inputNodes) readers[input.id] ??= n;
  const losses = nodes.filter((n) => n.kind === 'gate' && gateFact(n.gate, 'loss') === true);
  const ask = 'call graph.setOutput(node) to say which node forward computes and backward differentiates';
  if (losses.length === 1) {
    const loss = losses[0];
    const reader = readers[loss.id];
    if (reader === undefined) return { node: loss };
    return { problem: `${loss.describe()} is a loss, but ${reader.describe()} reads it, so the loss may not be the output: ${ask}` };
  }
  if (losses.length > 1) return { problem: `the graph has ${losses.length} losses (${names(losses)}): ${ask}` };
  const sinks = nodes.filter((n) => n.kind === 'gate' && readers[n.id] === undefined);
  if (sinks.length === 1) return { node: sinks[0] };
  if (sinks.length === 0) return { problem: 'the graph has no gate nodes, so no output' };
  return { problem: `the graph has no loss gate and ${sinks.length} nodes that nothing reads (${names(sinks)}): ${ask}` };
}

function names(nodes: readonly GraphNode[]): string {
  return nodes.map((n) => `'${n.name}'`).join(', ');
}
