import { ComputationalGraph, GateTraceDescription, GraphNode, hasSubgraph, Tensor } from '@chainrule/core';

// Everything viz knows about composite gates lives here, so a change in how composites are built
// (a subgraph held by the gate today) touches one small file.

/** `true` for a gate node whose gate holds a subgraph (a CompositeGate or any HasSubgraph gate). */
export function isComposite(node: GraphNode): boolean {
  return node.kind === 'gate' && hasSubgraph(node.gate);
}

/** The graph inside a composite gate node, or undefined for any other node. */
export function innerGraph(node: GraphNode): ComputationalGraph | undefined {
  return node.kind === 'gate' && hasSubgraph(node.gate) ? node.gate.subgraph() : undefined;
}

/** How a trace names a composite gate that declares nothing of its own. */
export const COMPOSITE_TRACE: GateTraceDescription = { pattern: "composite: its subgraph's backward" };

/**
 * Saves every gradient inside a composite gate (nested composites too); the returned function puts
 * them back, buffers and values. Re-running a composite's backward runs its subgraph's own pass,
 * which swaps each inner node's two gradient buffers: putting `grad` back must also put back the
 * other buffer (`scratch`), or the next pass would write into the gradient it reads. This is the
 * one place viz touches that internal field, and it goes once composites expand into their graph.
 */
export function saveSubgraphGrads(subgraph: ComputationalGraph): () => void {
  const saved: { node: GraphNode; grad: Tensor | undefined; data: Tensor | undefined }[] = [];
  const visit = (graph: ComputationalGraph) => {
    for (const n of graph.nodes) {
      saved.push({ node: n, grad: n.grad, data: n.grad?.clone() });
      const inner = innerGraph(n);
      if (inner) visit(inner);
    }
  };
  visit(subgraph);
  return () => {
    for (const { node: n, grad, data } of saved) {
      if (n.grad !== grad && n.grad !== undefined && grad !== undefined && n.scratch === grad) n.scratch = n.grad; // keep both buffers
      n.grad = grad;
      if (grad && data) grad.data.set(data.data);
    }
  };
}
