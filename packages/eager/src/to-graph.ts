import { assertOptions, describeArgument, ComputationalGraph, GraphNode, InvalidArgumentError, Tensor } from '@chainrule/core';
import { eagerContext } from './context';
import { FreedTapeError } from './errors';
import { CONST, LEAF, SCALAR_OP, Tape, TensorOp } from './tape';
import { Value } from './value';

export interface ToGraphOptions {
  /** Leaves that become graph inputs (fed at each forward) under these names; other leaves become parameters (requiresGrad) or constants. */
  inputs?: Readonly<Record<string, Value>>;
}

export interface TracedGraph {
  graph: ComputationalGraph;
  /** Feeds that reproduce the eager run: each input leaf's current tensor under its input name. */
  feeds: Record<string, Tensor>;
  /** The graph node of every leaf and result on the path to the output. */
  nodeOf(v: Value): GraphNode | undefined;
}

/**
 * Trace once, then build once and run many: turns the recorded computation that produced `result`
 * into a ComputationalGraph of the same gates with the same options (on the context's container), so
 * toDot, traceBackward, healthReport, gradcheckGraph, save/load and a Trainer apply to it. Parameter
 * leaves keep their tensor: the graph's parameters and the eager leaves are the same storage, and an
 * optimizer step on either moves both. Call it before backward() frees the tape (or after a backward
 * with retainGraph). Control flow is traced as it ran: a graph does not branch.
 */
export function toGraph(result: Value, options: ToGraphOptions = {}): TracedGraph {
  if (!(result instanceof Value)) throw new InvalidArgumentError(`toGraph: expected a Value (the result of an eager operation), got ${describeArgument(result)}`);
  assertOptions(options, 'toGraph');
  const tape = result.tape;
  if (result.leaf !== undefined || tape === undefined) throw new InvalidArgumentError(`toGraph: ${result.describe()} is a leaf; trace the result of an operation`);
  if (tape.generation !== result.generation) {
    throw new FreedTapeError(`toGraph: ${result.describe()} was recorded on a tape that backward() has freed; call toGraph before backward, or backward({ retainGraph: true })`);
  }
  const inputNames = new Map<Value, string>();
  for (const [name, v] of Object.entries(options.inputs ?? {})) {
    if (!(v instanceof Value) || v.leaf === undefined) throw new InvalidArgumentError(`toGraph: input '${name}' must be a leaf Value`);
    inputNames.set(v, name);
  }
  const reach = reachable(tape, result.index);
  const graph = new ComputationalGraph(eagerContext().container);
  const nodes: (GraphNode | undefined)[] = new Array(result.index + 1);
  const byLeaf = new Map<Value, GraphNode>();
  const feeds: Record<string, Tensor> = {};
  const used = new Set<string>();
  const unique = (base: string): string => {
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return name;
  };
  for (let k = 0; k <= result.index; k++) {
    if (reach[k] === 0) continue;
    const kind = tape.kind[k];
    if (kind === LEAF) {
      const leaf = tape.objs[k] as Value;
      const known = byLeaf.get(leaf);
      if (known) {
        nodes[k] = known;
        continue;
      }
      const input = inputNames.get(leaf);
      const data = leaf.data as Tensor;
      let node: GraphNode;
      if (input !== undefined) {
        node = graph.input(unique(input), { requiresGrad: leaf.requiresGrad });
        feeds[node.name] = data;
      } else if (leaf.requiresGrad) node = graph.parameter(unique(leaf.name ?? `p${k}`), data);
      else node = graph.constant(unique(leaf.name ?? `c${k}`), data);
      byLeaf.set(leaf, node);
      nodes[k] = node;
    } else if (kind === CONST) {
      nodes[k] = graph.constant(unique(`c${k}`), constantTensor(tape, k, result.index, reach));
    } else if (kind === SCALAR_OP) {
      const kernel = tape.kernels[tape.op[k]];
      const ins = kernel.unary ? [nodes[tape.in0[k]] as GraphNode] : [nodes[tape.in0[k]] as GraphNode, nodes[tape.in1[k]] as GraphNode];
      nodes[k] = graph.gate(kernel.id, ins, { name: unique(`${kernel.id.name}#${k}`), options: kernel.options });
    } else {
      const rec = tape.objs[k] as TensorOp;
      const name = typeof rec.id === 'string' ? rec.id : rec.id.name;
      nodes[k] = graph.gate(rec.id, rec.inputs.map((i) => nodes[i] as GraphNode), { name: unique(`${name}#${k}`), options: rec.options });
    }
  }
  graph.setOutput(nodes[result.index] as GraphNode);
  return {
    graph,
    feeds,
    nodeOf: (v: Value): GraphNode | undefined => (v.leaf !== undefined ? byLeaf.get(v) : v.tape === tape && v.generation === tape.generation ? nodes[v.index] : undefined),
  };
}

/** Which entries lie on a path to entry r (all of them, whether they need a gradient or not). */
function reachable(tape: Tape, r: number): Uint8Array {
  const reach = new Uint8Array(r + 1);
  reach[r] = 1;
  for (let k = r; k >= 0; k--) {
    if (reach[k] === 0) continue;
    if (tape.kind[k] === SCALAR_OP) {
      reach[tape.in0[k]] = 1;
      if (tape.in1[k] >= 0) reach[tape.in1[k]] = 1;
    } else if (tape.kind[k] !== LEAF && tape.kind[k] !== CONST) {
      for (const i of (tape.objs[k] as TensorOp).inputs) reach[i] = 1;
    }
  }
  return reach;
}

/** A number constant as its consumer saw it: the tensor-path consumer's argument (its dtype), else a float64 scalar. */
function constantTensor(tape: Tape, k: number, r: number, reach: Uint8Array): Tensor {
  for (let j = k + 1; j <= r; j++) {
    if (reach[j] === 0 || tape.kind[j] === LEAF || tape.kind[j] === CONST || tape.kind[j] === SCALAR_OP) continue;
    const rec = tape.objs[j] as TensorOp;
    const at = rec.inputs.indexOf(k);
    if (at >= 0) return rec.args[at];
  }
  return Tensor.from(tape.val[k]);
}
