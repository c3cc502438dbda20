import type { Gate } from './gate';
import type { ComputationalGraph } from './graph';
import { DType, NestedArray, Tensor, TypedArray } from './tensor';

export type NodeKind = 'input' | 'parameter' | 'constant' | 'gate';

/** A declared input shape; `null` marks a dimension that may vary (typically the batch). */
export type ShapeSpec = readonly (number | null)[];

export interface InputOptions {
  /** Checked on every feed; `null` dimensions accept any size. */
  shape?: ShapeSpec;
  /** Checked on every feed; numbers and nested arrays fed to this input are converted to it. */
  dtype?: DType;
  /** Whether backward computes this input's gradient (default true; switch off for data and labels). */
  requiresGrad?: boolean;
}

export interface GateNodeOptions {
  /** Unique within the graph; default `<GateName>#<id>`. Inside a composite, prefixed with the composite's name and '/'. */
  name?: string;
  /** Given to the gate's constructor (see GATE_OPTIONS); plain JSON, so a saved graph can restore it. */
  options?: Record<string, unknown>;
}

export interface GraphOptions {
  /** Check every feed, gate output and gradient for NaN/Infinity and name the first gate that made one. */
  finiteCheck?: boolean;
  /** Also check that no gate changes the dout it is given (costs a copy per gate per backward). */
  strictGates?: boolean;
}

export interface BackwardOptions {
  /** dL/d(output); defaults to 1 for an output of one element, and is required otherwise. */
  seed?: Tensor;
  /** Add this pass's gradients to the ones already held instead of replacing them. */
  accumulate?: boolean;
}

/** What forward takes for an input: a Tensor (used as is), a number, nested arrays, or a flat typed array (shaped by the input's declared shape). */
export type Feed = Tensor | NestedArray | TypedArray;

export interface ForwardOptions {
  /** The node to compute (or its name): only its ancestors run, and only the inputs they read need feeds. Default: the graph's output. */
  output?: GraphNode | string;
}

/**
 * A composite gate as it was added to a graph: its nodes are nodes of the graph, named
 * `<group name>/<inner name>` and carrying this group (pictures draw it as a box around them,
 * traces label them with it). Saving writes the group as one node (gate type and options) and
 * loading expands it again.
 */
export class GateGroup {
  /** The node the composite's build returned (also found by `graph.node(group.name)`). */
  output!: GraphNode;

  constructor(
    /** The qualified name: `fc1`, or `block/fc1` for a composite inside a composite. */
    readonly name: string,
    /** The name the composite is registered under (its class name when it is not registered). */
    readonly gateType: string,
    /** The composite instance whose build added the nodes (a Linear layer: `.weight`, `.bias`). */
    readonly gate: Gate,
    readonly options: Readonly<Record<string, unknown>> | undefined,
    /** The outer nodes the composite reads, in order. */
    readonly inputs: readonly GraphNode[],
    /** The group this one was built inside, if any. */
    readonly parent: GateGroup | undefined,
  ) {}
}

/** A node of the graph: an input, a parameter, a constant, or a gate applied to other nodes. */
export class GraphNode {
  /** The node's value after forward (for gate nodes, the gate's output tensor). */
  value: Tensor | undefined;
  /** dL/d(this node) after backward; read it after each backward, since its buffer alternates between passes. */
  grad: Tensor | undefined;
  /** @internal where backward accumulates before it commits (swapped with grad on success). */
  scratch: Tensor | undefined;
  /** @internal the nodes this gate reads, resolved when the graph is sorted. */
  inputNodes: GraphNode[] = [];
  /** @internal input values handed to the gate, reused every forward. */
  readonly args: Tensor[] = [];
  /** @internal whether backward computes this node's gradient. */
  needsGrad = false;
  /** A gate node's output shape inferred when it was added (`null`: a size known only at forward, the batch); undefined when not inferable. */
  inferredShape: ShapeSpec | undefined;

  constructor(
    readonly graph: ComputationalGraph,
    readonly id: number,
    readonly name: string,
    readonly kind: NodeKind,
    /** Names (or nodes) of this node's inputs; names may refer to nodes added later. */
    readonly inputRefs: readonly (GraphNode | string)[],
    readonly gate: Gate | undefined,
    /** The name the gate is registered under (its class name when it is not registered). */
    readonly gateType: string | undefined,
    readonly options: Readonly<Record<string, unknown>> | undefined,
    readonly inputSpec: InputOptions | undefined,
    public requiresGrad: boolean,
    /** The composite gate this node was built by, if any (innermost first: follow `.parent`). */
    readonly group: GateGroup | undefined = undefined,
  ) {}

  /** `node 'q' (AddGate)`, the way every error message names a node. */
  describe(): string {
    return this.kind === 'gate' ? `node '${this.name}' (${this.gateType})` : `${this.kind} '${this.name}'`;
  }
}
