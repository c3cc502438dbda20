import { gradcheckGraph, GradcheckResult, GraphGradcheckOptions, InvalidArgumentError, Tensor } from '@chainrule/core';
import { LEAF } from './tape';
import { toGraph } from './to-graph';
import { Value } from './value';

/**
 * Gradient check of an eager result (one element, tape not yet freed), in two links: the eager
 * gradients of every leaf equal the traced graph's (compared element by element), and the graph's
 * equal central differences (core's gradcheckGraph). `maxError` is the larger of the two errors,
 * `worst` the worst element of the graph check. Leaves' `.grad` are left as they were.
 */
export function gradcheckEager(result: Value, options: GraphGradcheckOptions = {}): GradcheckResult {
  if (result.leaf !== undefined || result.value.size !== 1) {
    throw new InvalidArgumentError(`gradcheckEager: expected a one-element result of an operation, got ${result.describe()} of shape [${result.shape.join(', ')}]`);
  }
  const traced = toGraph(result);
  const tape = result.tape as NonNullable<Value['tape']>;
  const leaves = new Set<Value>();
  for (let k = 0; k <= result.index; k++) if (tape.kind[k] === LEAF && tape.needs[k] === 1) leaves.add(tape.objs[k] as Value);
  const saved = [...leaves].map((v) => [v, v.leaf?.grad] as const);
  let eagerVsGraph = 0;
  try {
    for (const v of leaves) (v.leaf as { grad: Tensor | undefined }).grad = undefined;
    result.backward({ retainGraph: true });
    const check = gradcheckGraph(traced.graph, traced.feeds, options);
    for (const v of leaves) {
      const node = traced.nodeOf(v);
      const a = v.grad;
      const b = node?.grad;
      if (!a || !b) continue;
      for (let i = 0; i < a.size; i++) {
        const err = Math.abs(a.data[i] - b.data[i]) / Math.max(1, Math.abs(a.data[i]), Math.abs(b.data[i]));
        eagerVsGraph = Math.max(eagerVsGraph, Number.isNaN(err) ? Infinity : err);
      }
    }
    const maxError = Math.max(check.maxError, eagerVsGraph);
    return { ...check, maxError, ok: maxError <= (options.tolerance ?? 1e-7) };
  } finally {
    for (const [v, g] of saved) (v.leaf as { grad: Tensor | undefined }).grad = g;
  }
}
