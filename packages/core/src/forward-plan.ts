import type { GraphNode } from './graph-node';
import { Tensor } from './tensor';

/**
 * What a forward to one node runs: the node's ancestors in topological order and the inputs they
 * read. The graph keeps one plan per requested output (the loss, the scores) and reuses it, so a
 * steady-state forward to either allocates nothing; both run the same nodes' gates, so they share
 * every buffer.
 */
export class ForwardPlan {
  /** The values fed to `inputs`, in their order: reused at every forward. */
  readonly values: Tensor[];
  /** Where each of `inputs` stands among the graph's declared inputs (forwardInputs' values). */
  readonly positions: number[];

  constructor(
    /** The node this plan computes. */
    readonly output: GraphNode,
    /** The output's ancestors and the output itself, in the graph's topological order. */
    readonly order: readonly GraphNode[],
    /** The parameters and inputs the output does not depend on: backward gives them zero gradients. */
    readonly detached: readonly GraphNode[],
    /** The input nodes in `order`, in the order the graph declared them. */
    readonly inputs: readonly GraphNode[],
    /** The full topological order this plan was cut from; a re-sorted graph makes new plans. */
    readonly source: readonly GraphNode[],
    declared: readonly GraphNode[],
  ) {
    this.values = new Array<Tensor>(inputs.length);
    this.positions = inputs.map((n) => declared.indexOf(n));
  }
}

/**
 * The plan that computes `output`. Its ancestors always; with `sideNodes` (a plain `forward(feeds)`)
 * also every other node computable from the same inputs, so a node that reads what the output reads
 * (`probabilities` beside the loss, a debugging node) has a value after forward without asking for
 * more feeds.
 */
export function planForward(order: readonly GraphNode[], declaredInputs: readonly GraphNode[], output: GraphNode, sideNodes: boolean): ForwardPlan {
  let maxId = 0;
  for (const n of order) if (n.id > maxId) maxId = n.id;
  const needed = new Uint8Array(maxId + 1);
  const stack: GraphNode[] = [output];
  needed[output.id] = 1;
  while (stack.length > 0) {
    const node = stack.pop() as GraphNode;
    for (const input of node.inputNodes) {
      if (needed[input.id] === 0) {
        needed[input.id] = 1;
        stack.push(input);
      }
    }
  }
  if (sideNodes) {
    // Inputs come before their readers in `order`, so one pass settles every node.
    for (const n of order) {
      if (needed[n.id] === 1 || n.kind === 'input') continue;
      if (n.kind !== 'gate' || n.inputNodes.every((i) => needed[i.id] === 1)) needed[n.id] = 1;
    }
  }
  return new ForwardPlan(
    output,
    order.filter((n) => needed[n.id] === 1),
    order.filter((n) => needed[n.id] === 0 && (n.kind === 'parameter' || n.kind === 'input')),
    declaredInputs.filter((n) => needed[n.id] === 1),
    order,
    declaredInputs,
  );
}

/**
 * The plans a graph has made, reused until its topological order changes (any change to the
 * graph): one map for plain forwards (the output and its side nodes), one for forwards with
 * `{ output }` (ancestors only).
 */
export class PlanCache {
  private readonly maps = [new Map<GraphNode, ForwardPlan>(), new Map<GraphNode, ForwardPlan>()];

  get(order: readonly GraphNode[], declaredInputs: readonly GraphNode[], output: GraphNode, ancestorsOnly: boolean): ForwardPlan {
    const plans = this.maps[ancestorsOnly ? 1 : 0];
    let plan = plans.get(output);
    if (plan === undefined || plan.source !== order) {
      if (plan !== undefined) for (const m of this.maps) m.clear();
      plan = this.make(order, declaredInputs, output, ancestorsOnly);
      plans.set(output, plan);
    }
    return plan;
  }

  /** A new plan (a method, so a test can count how often plans are made). */
  protected make(order: readonly GraphNode[], declaredInputs: readonly GraphNode[], output: GraphNode, ancestorsOnly: boolean): ForwardPlan {
    return planForward(order, declaredInputs, output, !ancestorsOnly);
  }
}

/**
 * After a successful backward to `plan.output`: every parameter or input outside the plan that
 * takes a gradient and holds a value gets a zero one (the output does not depend on it), as it had
 * when backward walked the whole graph; an optimizer steps every parameter, so each has one.
 */
export function zeroDetachedGrads(plan: ForwardPlan, accumulate: boolean): void {
  const detached = plan.detached;
  // An index loop: for-of made an iterator every step (about 90 B of W1's steady-state allocation).
  for (let k = 0; k < detached.length; k++) {
    const n = detached[k];
    if (!n.needsGrad || n.value === undefined) continue;
    if (accumulate && n.grad !== undefined) continue;
    n.grad = Tensor.reuse(n.grad, n.value.shape, n.value.dtype);
    n.grad.data.fill(0);
  }
}
