import { Container } from 'inversify';
import { bindGate, resolveGate } from './container';
import {
  BackwardBeforeForwardError,
  ChainruleError,
  CycleError,
  DTypeError,
  FeedError,
  GradientContractError,
  InvalidArgumentError,
  NonFiniteError,
  ShapeError,
} from './errors';
import { Gate, GateClass, GateId, gateName, isConfigurable, hasPrepare, ListForwardGate, usesListForward } from './gate';
import { formatShape, shapesEqual } from './shape';
import { DType, NestedArray, Tensor } from './tensor';

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
  /** Unique within the graph; default `<GateName>#<id>`. */
  name?: string;
  /** Passed to the gate's configure(); plain JSON, so a saved graph can restore it. */
  options?: Record<string, unknown>;
}

export interface GraphOptions {
  /** Check every feed, gate output and gradient for NaN/Infinity and name the first gate that made one. */
  finiteCheck?: boolean;
  /** Also check that no gate changes the dout it is given (costs a copy per gate per backward). */
  strictGates?: boolean;
  /** Bind gate classes the container does not know on first use (what standalone composite gates use). */
  autoBind?: boolean;
}

export interface BackwardOptions {
  /** dL/d(output); defaults to 1 for an output of one element, and is required otherwise. */
  seed?: Tensor;
  /** Add this pass's gradients to the ones already held instead of replacing them. */
  accumulate?: boolean;
}

export type Feed = Tensor | NestedArray;

/** backward()'s default options: one shared object, so a call without options allocates nothing. */
const NO_BACKWARD_OPTIONS: BackwardOptions = Object.freeze({});

/** Implemented by gates that hold a subgraph (CompositeGate): the graph lists their parameters as its own. */
export interface HasSubgraph {
  subgraph(): ComputationalGraph;
  /** Hands over the owning graph's container before the subgraph is built. */
  attach?(container: Container): void;
}

/** Whether a gate holds a subgraph (a CompositeGate, or any gate with subgraph()). */
export function hasSubgraph(gate: Gate | undefined): gate is Gate & HasSubgraph {
  return gate !== undefined && typeof (gate as Partial<HasSubgraph>).subgraph === 'function';
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
  /** @internal whether forward may call the gate's forwardList(args) (no rest-parameter array per call). */
  listForward = false;
  /** @internal whether the gate holds a subgraph (settled at sort time, not looked up per pass). */
  composite = false;

  constructor(
    readonly graph: ComputationalGraph,
    readonly id: number,
    readonly name: string,
    readonly kind: NodeKind,
    /** Names (or nodes) of this node's inputs; names may refer to nodes added later. */
    readonly inputRefs: readonly (GraphNode | string)[],
    readonly gate: Gate | undefined,
    /** The name the gate is known by (its class name unless bound under another). */
    readonly gateType: string | undefined,
    readonly options: Readonly<Record<string, unknown>> | undefined,
    readonly inputSpec: InputOptions | undefined,
    public requiresGrad: boolean,
  ) {}

  /** `node 'q' (AddGate)`, the way every error message names a node. */
  describe(): string {
    return this.kind === 'gate' ? `node '${this.name}' (${this.gateType})` : `${this.kind} '${this.name}'`;
  }
}

/**
 * A graph of gates run forward in topological order and backward in reverse, seeding dL/dL = 1
 * and summing gradients at branches. Gates are resolved from the container once, when their node
 * is added; forward and backward never touch the container. Build once, run many times.
 */
export class ComputationalGraph {
  readonly container: Container;
  finiteCheck: boolean;
  strictGates: boolean;
  private readonly autoBind: boolean;
  private readonly nodeList: GraphNode[] = [];
  private readonly byName = new Map<string, GraphNode>();
  private readonly inputList: GraphNode[] = [];
  private outputNode: GraphNode | undefined;
  private order: GraphNode[] | undefined;
  private forwardOk = false;
  private doutCopy: Tensor | undefined;
  /**
   * @internal Set by the graph that owns this one as a composite gate's subgraph, just before it
   * calls the composite's backward: that pass's `accumulate`. Such a nested pass commits only its
   * inputs' gradients (what the composite returns) and leaves the rest to commitNested(), which the
   * owner calls once its whole pass has succeeded, so a failure anywhere changes no gradient.
   */
  nestedAccumulate: boolean | undefined;
  /** Whether a nested pass is waiting for commitNested(), and with which accumulate. */
  private deferred: boolean | undefined;
  private trainingMode = true;

  constructor(container: Container = new Container(), options: GraphOptions = {}) {
    this.container = container;
    this.finiteCheck = options.finiteCheck ?? false;
    this.strictGates = options.strictGates ?? false;
    this.autoBind = options.autoBind ?? false;
  }

  /** A node fed at each forward under its name. */
  input(name: string, options: InputOptions = {}): GraphNode {
    return this.addNode(name, 'input', [], undefined, undefined, undefined, options, options.requiresGrad ?? true);
  }

  /** A trainable value that persists across runs; optimizers update `node.value` from `node.grad`. */
  parameter(name: string, value: Tensor): GraphNode {
    const node = this.addNode(name, 'parameter', [], undefined, undefined, undefined, undefined, true);
    node.value = checkedTensor(value, `parameter '${name}'`);
    return node;
  }

  /** A fixed value; it gets no gradient. */
  constant(name: string, value: Tensor | NestedArray): GraphNode {
    const node = this.addNode(name, 'constant', [], undefined, undefined, undefined, undefined, false);
    node.value = value instanceof Tensor ? value : Tensor.from(value);
    return node;
  }

  /**
   * A node that applies a gate to other nodes (given as nodes or by name). The gate is resolved
   * from the container now, configured with `options.options`, and reused for every run.
   */
  gate(id: GateId, inputs: readonly (GraphNode | string)[], options: GateNodeOptions = {}): GraphNode {
    const gateType = typeof id === 'string' ? id : id.name;
    const name = options.name ?? `${gateType}#${this.nodeList.length}`;
    this.checkNewName(name);
    for (const ref of inputs) {
      if (ref instanceof GraphNode && ref.graph !== this) {
        throw new InvalidArgumentError(`node '${name}' (${gateType}): ${ref.describe()}, given as an input, belongs to another graph`);
      }
    }
    if (this.autoBind && typeof id !== 'string' && !this.container.isBound(id)) bindGate(this.container, id as GateClass);
    const gate = resolveGate(this.container, id, name);
    if (hasSubgraph(gate)) gate.attach?.(this.container);
    if (options.options !== undefined) {
      if (!isConfigurable(gate)) {
        throw new InvalidArgumentError(`node '${name}' (${gateType}): this gate takes no options, got ${JSON.stringify(options.options)}`);
      }
      try {
        gate.configure(options.options);
      } catch (e) {
        throw rethrowAt(e, `node '${name}' (${gateType})`);
      }
    }
    if (hasSubgraph(gate)) {
      try {
        gate.subgraph(); // build now, so parameters() lists its parameters before the first forward
      } catch (e) {
        throw rethrowAt(e, `node '${name}' (${gateType})`);
      }
    }
    const node = this.addNode(name, 'gate', inputs, gate, gateType, options.options, undefined, true);
    this.outputNode = node;
    return node;
  }

  /** Training (true, the default) or evaluation mode: gates such as dropout and batch norm read it through their prepare hook. */
  get training(): boolean {
    return this.trainingMode;
  }

  /** Switches to training mode (PyTorch's `module.train()`); returns the graph. */
  train(training = true): this {
    if (this.trainingMode === training) return this;
    this.trainingMode = training;
    if (this.order) for (const node of this.order) this.prepareNode(node);
    this.forwardOk = false;
    return this;
  }

  /** Switches to evaluation mode (PyTorch's `module.eval()`); returns the graph. */
  eval(): this {
    return this.train(false);
  }

  private prepareNode(node: GraphNode): void {
    if (node.gate !== undefined && hasPrepare(node.gate)) {
      node.gate.prepare({ needsInputGrad: node.inputNodes.map((n) => n.needsGrad), training: this.trainingMode });
    }
  }

  /** Switches whether backward computes an input's gradient (the graph re-sorts before its next run). */
  setRequiresGrad(node: GraphNode | string, value: boolean): void {
    const n = typeof node === 'string' ? this.node(node) : node;
    if (n.requiresGrad === value) return;
    n.requiresGrad = value;
    this.order = undefined;
    this.forwardOk = false;
  }

  /** Makes `node` the graph's output (by default the last gate node added). */
  setOutput(node: GraphNode | string): GraphNode {
    const n = typeof node === 'string' ? this.node(node) : node;
    this.outputNode = n;
    return n;
  }

  get output(): GraphNode {
    if (!this.outputNode) throw new InvalidArgumentError('graph has no gate nodes, so no output');
    return this.outputNode;
  }

  node(name: string): GraphNode {
    const n = this.byName.get(name);
    if (!n) throw new InvalidArgumentError(`graph has no node named '${name}'`);
    return n;
  }

  get nodes(): readonly GraphNode[] {
    return this.nodeList;
  }

  get inputs(): readonly GraphNode[] {
    return this.inputList;
  }

  /** Every trainable parameter, including those inside composite gates (whose nodes keep their subgraph names; namedParameters() qualifies them as `<node>/<param>`). */
  parameters(): GraphNode[] {
    const out: GraphNode[] = [];
    for (const n of this.nodeList) {
      if (n.kind === 'parameter') out.push(n);
      else if (n.gate && hasSubgraph(n.gate)) out.push(...n.gate.subgraph().parameters());
    }
    return out;
  }

  /** Nodes in the order forward runs them; iterative, so a 100,000-node chain does not overflow the stack. */
  topologicalOrder(): readonly GraphNode[] {
    if (!this.order) this.order = this.sort();
    return this.order;
  }

  /** Runs every gate in topological order with the given feeds and returns the output's value. */
  forward(feeds: Readonly<Record<string, Feed>> = {}): Tensor {
    for (const name of Object.keys(feeds)) {
      const n = this.byName.get(name);
      if (!n || n.kind !== 'input') {
        throw new FeedError(`forward: '${name}' is not an input of this graph (inputs: ${this.inputList.map((i) => i.name).join(', ') || 'none'})`);
      }
    }
    const values = this.inputList.map((n) => {
      const v = feeds[n.name];
      if (v === undefined) throw new FeedError(`forward: no feed for ${n.describe()} (fed: ${Object.keys(feeds).join(', ') || 'nothing'})`);
      if (v instanceof Tensor) return v;
      if (typeof v !== 'number' && !Array.isArray(v)) {
        throw new FeedError(`forward: the feed for ${n.describe()} is ${v === null ? 'null' : `a ${typeof v}`}, expected a Tensor, a number or nested arrays of numbers`);
      }
      try {
        return Tensor.from(v, { dtype: n.inputSpec?.dtype });
      } catch (e) {
        throw rethrowAt(e, `forward: the feed for ${n.describe()}`);
      }
    });
    return this.forwardInputs(values);
  }

  /** forward() with the input values in the order the inputs were declared: no feed object, no allocation. */
  forwardInputs(values: readonly Tensor[]): Tensor {
    const order = this.topologicalOrder();
    if (values.length !== this.inputList.length) {
      throw new FeedError(`forward: expected ${this.inputList.length} input values (${this.inputList.map((n) => n.name).join(', ')}), got ${values.length}`);
    }
    // Validate every feed before running any gate, so bad data changes nothing.
    for (let i = 0; i < values.length; i++) checkFeed(this.inputList[i], values[i], this.finiteCheck);
    this.forwardOk = false;
    for (let i = 0; i < values.length; i++) this.inputList[i].value = values[i];
    for (let k = 0; k < order.length; k++) {
      const node = order[k];
      if (node.kind !== 'gate') continue;
      const args = node.args;
      for (let j = 0; j < args.length; j++) args[j] = node.inputNodes[j].value as Tensor;
      let out: Tensor;
      try {
        out = node.listForward ? (node.gate as ListForwardGate).forwardList(args) : (node.gate as Gate).forward(...args);
      } catch (e) {
        throw rethrowAt(e, node.describe(), node);
      }
      if (!(out instanceof Tensor)) {
        throw locate(new GradientContractError(`${node.describe()}: forward must return a Tensor, got ${out === null ? 'null' : typeof out}`), node);
      }
      if (this.finiteCheck && !out.isFinite()) {
        throw locate(new NonFiniteError(
          `${node.describe()}: forward produced NaN or Infinity (the first gate to do so); inputs: ${args.map((a, j) => `${node.inputNodes[j].name}=${summarize(a)}`).join(', ')}`,
        ), node);
      }
      node.value = out;
    }
    this.forwardOk = true;
    return this.output.value as Tensor;
  }

  /**
   * Runs the gates in reverse topological order from dL/d(output) = seed (default 1), summing
   * gradients at branches. Gradients are committed only when the whole pass succeeds: a gate that
   * throws leaves every gradient as it was.
   */
  backward(options: BackwardOptions = NO_BACKWARD_OPTIONS): void {
    if (!this.forwardOk) {
      throw new BackwardBeforeForwardError(
        `backward: no successful forward to differentiate${this.outputNode ? ` (output ${this.outputNode.describe()})` : ''}: call forward first; a forward that threw, or a change to the graph, needs a new forward`,
      );
    }
    const order = this.topologicalOrder();
    const nested = this.nestedAccumulate !== undefined;
    const accumulate = nested ? (this.nestedAccumulate as boolean) : options.accumulate === true;
    this.nestedAccumulate = undefined;
    this.deferred = undefined;
    const out = this.output;
    const outValue = out.value as Tensor;
    const seed = options.seed;
    if (seed === undefined && outValue.size !== 1) {
      throw new ShapeError(
        `backward: ${out.describe()} has shape ${formatShape(outValue.shape)}; an implicit seed dL/dL = 1 needs a one-element output, so pass { seed } of that shape`,
      );
    }
    if (seed !== undefined && !shapesEqual(seed.shape, outValue.shape)) {
      throw new ShapeError(`backward: seed must have the output's shape ${formatShape(outValue.shape)}, got ${formatShape(seed.shape)}`);
    }
    for (let k = 0; k < order.length; k++) {
      const node = order[k];
      if (!node.needsGrad) continue;
      const v = node.value as Tensor;
      const d = (node.scratch = Tensor.reuse(node.scratch, v.shape, v.dtype)).data;
      if (d.length === 1) d[0] = 0; // scalar graphs: skip the fill() call
      else d.fill(0);
    }
    // An output that depends on nothing with a gradient still commits (zero) gradients below.
    if (out.needsGrad) {
      const outGrad = out.scratch as Tensor;
      if (seed) addInto(outGrad, seed);
      else outGrad.data[0] += 1;
    }

    for (let k = order.length - 1; k >= 0; k--) {
      const node = order[k];
      if (node.kind !== 'gate' || !node.needsGrad) continue;
      const dout = node.scratch as Tensor;
      if (this.finiteCheck && !dout.isFinite()) {
        throw locate(new NonFiniteError(`${node.describe()}: its upstream gradient holds NaN or Infinity (made by the gate that consumes it)`), node);
      }
      if (this.strictGates) this.doutCopy = Tensor.reuse(this.doutCopy, dout.shape, dout.dtype).copyFrom(dout);
      let grads: Tensor[];
      if (node.composite) (node.gate as Gate & HasSubgraph).subgraph().nestedAccumulate = accumulate;
      try {
        grads = (node.gate as Gate).backward(dout);
      } catch (e) {
        throw rethrowAt(e, node.describe(), node);
      }
      try {
        this.checkGradients(node, grads, dout);
      } catch (e) {
        throw rethrowAt(e, node.describe(), node);
      }
      for (let j = 0; j < node.inputNodes.length; j++) {
        const input = node.inputNodes[j];
        if (input.needsGrad) addInto(input.scratch as Tensor, grads[j]);
      }
    }
    // Commit: every buffer computed, so swap them in (no copy, no allocation). A nested pass commits
    // its inputs' gradients only (the composite returns them); its owner commits the rest.
    for (let k = 0; k < order.length; k++) {
      const node = order[k];
      if (!node.needsGrad || (nested && node.kind !== 'input')) continue;
      if (!accumulate && !node.composite) {
        // The common case, inline: swap the buffers.
        const g = node.grad;
        node.grad = node.scratch;
        node.scratch = g;
      } else this.commitNode(node, accumulate && !nested);
    }
    if (nested) this.deferred = accumulate;
  }

  /** @internal Commits what a nested backward left pending (see nestedAccumulate); called by the owning graph. */
  commitNested(): void {
    if (this.deferred === undefined) return;
    const accumulate = this.deferred;
    this.deferred = undefined;
    const order = this.topologicalOrder();
    for (let k = 0; k < order.length; k++) {
      const node = order[k];
      if (node.needsGrad && node.kind !== 'input') this.commitNode(node, accumulate);
    }
  }

  private commitNode(node: GraphNode, accumulate: boolean): void {
    const g = node.grad;
    if (accumulate && g && shapesEqual(g.shape, (node.scratch as Tensor).shape)) addInto(node.scratch as Tensor, g);
    node.grad = node.scratch;
    node.scratch = g;
    if (node.composite) (node.gate as Gate & HasSubgraph).subgraph().commitNested();
  }

  /**
   * Marks the last forward as out of date, so backward() refuses to run until the next forward:
   * for code that changes parameter values other than through an optimizer step (loading them, say),
   * after which the gates' caches no longer match the values.
   */
  invalidate(): void {
    this.forwardOk = false;
  }

  /** Sets every gradient this graph holds to zero, composite gates' own parameters' included. */
  zeroGrad(): void {
    for (const n of this.nodeList) {
      n.grad?.data.fill(0);
      if (n.gate !== undefined && hasSubgraph(n.gate)) n.gate.subgraph().zeroGrad();
    }
  }

  private checkGradients(node: GraphNode, grads: Tensor[], dout: Tensor): void {
    // Fast path (no strings built, nothing allocated): the common case of well-formed gradients.
    if (!this.finiteCheck && !this.strictGates && gradientsMatch(node, grads)) return;
    const where = `${node.describe()}.backward`;
    if (!Array.isArray(grads)) {
      throw new GradientContractError(`${where}: must return an array of ${node.inputNodes.length} gradients, got ${typeof grads}`);
    }
    if (grads.length !== node.inputNodes.length) {
      throw new GradientContractError(`${where}: returned ${grads.length} gradients for ${node.inputNodes.length} inputs (one per input, in order)`);
    }
    for (let j = 0; j < grads.length; j++) {
      const g = grads[j];
      const input = node.inputNodes[j];
      const v = input.value as Tensor;
      if (!(g instanceof Tensor)) {
        throw new GradientContractError(`${where}: gradient ${j} (for '${input.name}') is not a Tensor`);
      }
      if (!shapesEqual(g.shape, v.shape)) {
        throw new GradientContractError(
          `${where}: gradient ${j} (for '${input.name}') has shape ${formatShape(g.shape)}, expected the input's shape ${formatShape(v.shape)}`,
        );
      }
      if (g.dtype !== v.dtype) {
        throw new GradientContractError(`${where}: gradient ${j} (for '${input.name}') is ${g.dtype}, expected the input's dtype ${v.dtype}`);
      }
      if (this.finiteCheck && input.needsGrad && !g.isFinite()) {
        throw new NonFiniteError(`${where}: produced NaN or Infinity in the gradient for '${input.name}' (the first gate to do so)`);
      }
    }
    if (this.strictGates && this.doutCopy) {
      const a = this.doutCopy.data;
      const b = dout.data;
      for (let i = 0; i < a.length; i++) {
        if (!Object.is(a[i], b[i])) throw new GradientContractError(`${where}: changed its upstream gradient dout at element ${i} (gates must not mutate dout)`);
      }
    }
  }

  private checkNewName(name: string): void {
    if (this.byName.has(name)) throw new InvalidArgumentError(`graph already has a node named '${name}'`);
  }

  private addNode(
    name: string,
    kind: NodeKind,
    inputs: readonly (GraphNode | string)[],
    gate: Gate | undefined,
    gateType: string | undefined,
    options: Record<string, unknown> | undefined,
    inputSpec: InputOptions | undefined,
    requiresGrad: boolean,
  ): GraphNode {
    this.checkNewName(name);
    const node = new GraphNode(this, this.nodeList.length, name, kind, inputs.slice(), gate, gateType, options, inputSpec, requiresGrad);
    this.nodeList.push(node);
    this.byName.set(name, node);
    if (kind === 'input') this.inputList.push(node);
    this.order = undefined;
    this.forwardOk = false;
    return node;
  }

  /** Depth-first post-order with an explicit stack; also resolves input names and which nodes need gradients. */
  private sort(): GraphNode[] {
    for (const node of this.nodeList) {
      node.inputNodes = node.inputRefs.map((ref) => {
        if (ref instanceof GraphNode) return ref;
        const found = this.byName.get(ref);
        if (!found) throw new InvalidArgumentError(`${node.describe()}: input '${ref}' is not a node of this graph`);
        return found;
      });
      node.args.length = node.inputNodes.length;
    }
    const state = new Uint8Array(this.nodeList.length); // 0 new, 1 on the stack, 2 done
    const order: GraphNode[] = [];
    const stack: GraphNode[] = [];
    const next: number[] = [];
    for (const root of this.nodeList) {
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
            // Printed in the direction values flow (each node feeds the next).
            throw new CycleError(`${node.describe()}: the graph has a cycle (${[...cycle, child.name].reverse().join(' -> ')}), so no order runs its gates`);
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
    for (const node of order) {
      // A composite gate that owns parameters (a Linear layer) needs its backward even when no input needs a gradient.
      node.needsGrad =
        node.kind === 'gate'
          ? node.inputNodes.some((n) => n.needsGrad) || (hasSubgraph(node.gate as Gate) && (node.gate as Gate & HasSubgraph).subgraph().parameters().length > 0)
          : node.requiresGrad && node.kind !== 'constant';
      node.listForward = node.gate !== undefined && usesListForward(node.gate);
      node.composite = node.gate !== undefined && hasSubgraph(node.gate);
    }
    // Inputs come first in the order, so every needsGrad is settled: tell gates that can skip work.
    for (const node of order) this.prepareNode(node);
    return order;
  }
}

function checkedTensor(value: unknown, where: string): Tensor {
  if (!(value instanceof Tensor)) throw new InvalidArgumentError(`${where}: expected a Tensor, got ${typeof value}`);
  return value;
}

/** Whether a gate returned one Tensor per input with that input's shape and dtype (checkGradients' allocation-free fast path). */
function gradientsMatch(node: GraphNode, grads: Tensor[]): boolean {
  if (!Array.isArray(grads) || grads.length !== node.inputNodes.length) return false;
  for (let j = 0; j < grads.length; j++) {
    const g = grads[j];
    const v = node.inputNodes[j].value as Tensor;
    if (!(g instanceof Tensor) || g.dtype !== v.dtype || !shapesEqual(g.shape, v.shape)) return false;
  }
  return true;
}

function checkFeed(node: GraphNode, value: Tensor, finiteCheck: boolean): void {
  if (!(value instanceof Tensor)) throw new FeedError(`forward: the feed for ${node.describe()} is not a Tensor`);
  const spec = node.inputSpec;
  if (spec?.shape) {
    let ok = spec.shape.length === value.shape.length;
    for (let i = 0; ok && i < spec.shape.length; i++) ok = spec.shape[i] === null || spec.shape[i] === value.shape[i]; // a loop, not every(): no closure per feed
    if (!ok) {
      throw new ShapeError(`forward: ${node.describe()} expects shape [${spec.shape.map((d) => (d === null ? '*' : d)).join(', ')}], got ${formatShape(value.shape)}`);
    }
  }
  if (spec?.dtype && spec.dtype !== value.dtype) {
    throw new DTypeError(`forward: ${node.describe()} expects ${spec.dtype}, got ${value.dtype}`);
  }
  if (finiteCheck && !value.isFinite()) {
    throw new NonFiniteError(`forward: the feed for ${node.describe()} holds NaN or Infinity`);
  }
}

/** into += from, where `from` has into's shape. */
function addInto(into: Tensor, from: Tensor): void {
  const a = into.data;
  const b = from.data;
  if (a.length === 1) a[0] += b[0]; // scalar graphs: no loop
  else for (let i = 0; i < a.length; i++) a[i] += b[i];
}

/** Re-throws a gate's error with the node named in front; keeps chainrule's error classes so callers can catch by kind. */
function rethrowAt(e: unknown, where: string, node?: GraphNode): Error {
  let wrapped: ChainruleError;
  if (e instanceof ChainruleError) {
    if (e.message.startsWith(where)) wrapped = e;
    else {
      const Ctor = e.constructor as new (message: string) => ChainruleError;
      wrapped = new Ctor(`${where}: ${e.message}`);
      (wrapped as Error & { cause?: unknown }).cause = e;
    }
  } else {
    wrapped = new ChainruleError(`${where}: ${(e as Error)?.message ?? String(e)}`);
    (wrapped as Error & { cause?: unknown }).cause = e;
  }
  if (node !== undefined && wrapped.node === undefined) locate(wrapped, node);
  return wrapped;
}

/** Sets the error's node and gate fields, so callers read where it arose instead of parsing the message. */
function locate<E extends ChainruleError>(e: E, node: GraphNode): E {
  e.node = node.name;
  e.gate = node.gateType;
  return e;
}

function summarize(t: Tensor): string {
  if (t.size <= 6) return JSON.stringify(Array.from(t.data));
  let lo = Infinity;
  let hi = -Infinity;
  let bad = 0;
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i];
    if (!Number.isFinite(v)) bad++;
    else {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return `${formatShape(t.shape)} min ${lo} max ${hi}${bad ? `, ${bad} non-finite` : ''}`;
}
