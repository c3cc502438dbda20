import { ComputationalGraph, GateTraceDescription, GraphNode, hasSubgraph } from '@chainrule/core';

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
