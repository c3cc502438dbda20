import { CycleError, InvalidArgumentError } from './errors';
import { locate } from './graph-checks';
import type { GraphNode } from './graph-node';

/**
 * Resolves every node's input names to nodes and returns the nodes in an order where each comes
 * after its inputs: depth-first post-order with an explicit stack, so a 100,000-node chain does not
 * overflow the call stack; sets each node's needsGrad. Throws CycleError naming the cycle in the
 * direction values flow.
 */
export function topologicalSort(nodes: readonly GraphNode[], lookup: (name: string) => GraphNode | undefined): GraphNode[] {
  for (const node of nodes) {
    node.inputNodes = node.inputRefs.map((ref) => {
      if (typeof ref !== 'string') return ref;
      const found = lookup(ref);
      if (!found) throw locate(new InvalidArgumentError(`${node.describe()}: input '${ref}' is not a node of this graph`), node);
      return found;
    });
    node.args.length = node.inputNodes.length;
  }
  const state = new Uint8Array(nodes.length); // 0 new, 1 on the stack, 2 done
  const order: GraphNode[] = [];
  const stack: GraphNode[] = [];
  const next: number[] = [];
  for (const root of nodes) {
    if (state[root.id] !== 0) continue;
    stack.push(root);
    next.push(0);
    state[root.id] = 1;
    while (stack.length > 0) {
      const top = stack.length - 1;
      const node = stack[top];
      if (next[top] < node.inputNodes.length) {
        const child = node.inputNodes[next[top]++];
        if (state[child.id] === 1) {
          const cycle = stack.slice(stack.indexOf(child)).map((n) => n.name);
          throw locate(new CycleError(`${node.describe()}: the graph has a cycle (${[...cycle, child.name].reverse().join(' -> ')}), so no order runs its gates`), node);
        }
        if (state[child.id] === 0) {
          state[child.id] = 1;
          stack.push(child);
          next.push(0);
        }
      } else {
        state[node.id] = 2;
        order.push(node);
        stack.pop();
        next.pop();
      }
    }
  }
  // Inputs come before their consumers, so one pass settles which nodes backward must reach.
  for (const node of order) {
    node.needsGrad = node.kind === 'gate' ? node.inputNodes.some((n) => n.needsGrad) : node.requiresGrad && node.kind !== 'constant';
  }
  return order;
}
