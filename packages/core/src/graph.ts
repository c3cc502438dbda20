import { Container } from 'inversify';
import { CompositeGate } from './composite';
import { ArityError, BackwardBeforeForwardError, FeedError, GradientContractError, InvalidArgumentError, NonFiniteError, ShapeError } from './errors';
import { Gate, GateId, hasPrepare } from './gate';
import { GateResolver } from './gate-resolver';
import { addInto, checkedTensor, checkFeed, checkGradients, locate, rethrowAt, summarize } from './graph-checks';
import { BackwardOptions, Feed, GateGroup, GateNodeOptions, GraphNode, GraphOptions, InputOptions, NodeKind } from './graph-node';
import { formatShape, shapesEqual } from './shape';
import { topologicalSort } from './topological-sort';
import { NestedArray, Tensor } from './tensor';

export * from './graph-node';

/** backward()'s default options: one shared object, so a call without options allocates nothing. */
const NO_BACKWARD_OPTIONS: BackwardOptions = Object.freeze({});

/**
 * A graph of gates run forward in topological order and backward in reverse, seeding dL/dL = 1
 * and summing gradients at branches. Gates are resolved through the container once, when their
 * node is added; forward and backward never touch the container. A composite gate expands into
 * the graph when added (its nodes are the graph's, named `<name>/<inner>`), so every check and the
 * atomic commit apply inside it as outside. Build once, run many times.
 */
export class ComputationalGraph {
  readonly container: Container;
  finiteCheck: boolean;
  strictGates: boolean;
  private readonly resolver: GateResolver;
  private readonly nodeList: GraphNode[] = [];
  private readonly byName = new Map<string, GraphNode>();
  private readonly inputList: GraphNode[] = [];
  private readonly groupList: GateGroup[] = [];
  /** The composite being expanded, whose name prefixes new nodes. */
  private currentGroup: GateGroup | undefined;
  private outputNode: GraphNode | undefined;
  private order: GraphNode[] | undefined;
  private forwardOk = false;
  private doutCopy: Tensor | undefined;
  private trainingMode = true;

  constructor(container: Container = new Container(), options: GraphOptions = {}) {
    this.container = container;
    this.resolver = new GateResolver(container);
    this.finiteCheck = options.finiteCheck ?? false;
    this.strictGates = options.strictGates ?? false;
  }

  /** A node fed at each forward under its name. */
  input(name: string, options: InputOptions = {}): GraphNode {
    return this.addNode(name, 'input', [], undefined, undefined, undefined, options, options.requiresGrad ?? true);
  }

  /** A trainable value that persists across runs; optimizers update `node.value` from `node.grad`. */
  parameter(name: string, value: Tensor): GraphNode {
    const checked = checkedTensor(value, `parameter '${this.qualify(name)}'`);
    const node = this.addNode(name, 'parameter', [], undefined, undefined, undefined, undefined, true);
    node.value = checked;
    return node;
  }

  /** A fixed value; it gets no gradient. */
  constant(name: string, value: Tensor | NestedArray): GraphNode {
    const tensor = value instanceof Tensor ? value : Tensor.from(value);
    const node = this.addNode(name, 'constant', [], undefined, undefined, undefined, undefined, false);
    node.value = tensor;
    return node;
  }

  /**
   * A node that applies a gate to other nodes (given as nodes or by name). The gate is made through
   * the container now, with `options.options` given to its constructor, and reused for every run.
   * A composite gate instead adds its own nodes (`<name>/...`) and returns the one it outputs.
   */
  gate(id: GateId, inputs: readonly (GraphNode | string)[], options: GateNodeOptions = {}): GraphNode {
    const label = typeof id === 'string' ? id : (id as { name?: string })?.name ?? String(id);
    const where = (): string => `node '${this.qualify(options.name ?? `${label}#${this.nodeList.length}`)}' (${label})`;
    let gate: Gate;
    let gateType: string;
    try {
      const found = this.resolver.identify(id, where);
      gateType = found.gateType;
      for (const ref of inputs) {
        if (ref instanceof GraphNode && ref.graph !== this) throw new InvalidArgumentError(`${where()}: ${ref.describe()}, given as an input, belongs to another graph`);
      }
      this.checkNewName(this.qualify(options.name ?? `${gateType}#${this.nodeList.length}`));
      gate = this.resolver.create(found.gateClass, options.options, where);
    } catch (e) {
      throw rethrowAt(e, where(), { name: this.qualify(options.name ?? `${label}#${this.nodeList.length}`), gateType: label });
    }
    const name = options.name ?? `${gateType}#${this.nodeList.length}`;
    if (gate instanceof CompositeGate) return this.expand(gate, name, gateType, inputs, options.options);
    const node = this.addNode(name, 'gate', inputs, gate, gateType, options.options, undefined, true);
    this.outputNode = node;
    return node;
  }

  /** Adds a composite's nodes under the group `name`; on failure removes every node it added. */
  private expand(gate: CompositeGate, localName: string, gateType: string, refs: readonly (GraphNode | string)[], options: Record<string, unknown> | undefined): GraphNode {
    const name = this.qualify(localName);
    const where = { name, gateType };
    if (refs.length !== gate.arity) {
      throw locate(new ArityError(`node '${name}' (${gateType}): expected ${gate.arity} input${gate.arity === 1 ? '' : 's'}, got ${refs.length}`), where);
    }
    const inputs = refs.map((r) => {
      const n = typeof r === 'string' ? this.byName.get(this.qualify(r)) ?? this.byName.get(r) : r;
      if (!n) throw locate(new InvalidArgumentError(`node '${name}' (${gateType}): input '${String(r)}' must exist before a composite gate reads it`), where);
      return n;
    });
    const group = new GateGroup(name, gateType, gate, options, inputs, this.currentGroup);
    const nodeCount = this.nodeList.length;
    const groupCount = this.groupList.length;
    const outer = this.currentGroup;
    const outputBefore = this.outputNode;
    this.groupList.push(group);
    this.currentGroup = group;
    try {
      group.output = gate.expand(this, inputs);
      if (!(group.output instanceof GraphNode) || group.output.graph !== this) throw new GradientContractError('build must return a node of the graph it was given');
    } catch (e) {
      this.currentGroup = outer;
      this.removeSince(nodeCount, groupCount);
      this.outputNode = outputBefore;
      throw rethrowAt(e, `node '${name}' (${gateType})`, where);
    }
    this.currentGroup = outer;
    this.byName.set(name, group.output); // `graph.node('fc1')` and inputs named 'fc1' read the composite's output
    this.outputNode = group.output;
    return group.output;
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

  /** The node of that name; a composite's name gives its output node. */
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

  /** Every composite gate added, nested ones included, in the order they were added. */
  get groups(): readonly GateGroup[] {
    return this.groupList;
  }

  /** The composite gate added under that (qualified) name. */
  group(name: string): GateGroup {
    const g = this.groupList.find((x) => x.name === name);
    if (!g) throw new InvalidArgumentError(`graph has no composite gate named '${name}'`);
    return g;
  }

  /** Every trainable parameter, those composites added included (named `<composite>/<param>`, e.g. `fc1/W`). */
  parameters(): GraphNode[] {
    return this.nodeList.filter((n) => n.kind === 'parameter');
  }

  /** Nodes in the order forward runs them. */
  topologicalOrder(): readonly GraphNode[] {
    if (!this.order) {
      const order = topologicalSort(this.nodeList, (name) => this.byName.get(name));
      for (const node of order) {
        node.needsGrad = node.kind === 'gate' ? node.inputNodes.some((n) => n.needsGrad) : node.requiresGrad && node.kind !== 'constant';
      }
      // Inputs come first in the order, so every needsGrad is settled: tell gates that can skip work.
      for (const node of order) this.prepareNode(node);
      this.order = order;
    }
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
      if (v === undefined) throw locate(new FeedError(`forward: no feed for ${n.describe()} (fed: ${Object.keys(feeds).join(', ') || 'nothing'})`), n);
      if (v instanceof Tensor) return v;
      if (typeof v !== 'number' && !Array.isArray(v)) {
        throw locate(new FeedError(`forward: the feed for ${n.describe()} is ${v === null ? 'null' : `a ${typeof v}`}, expected a Tensor, a number or nested arrays of numbers`), n);
      }
      try {
        return Tensor.from(v, { dtype: n.inputSpec?.dtype });
      } catch (e) {
        throw rethrowAt(e, `forward: the feed for ${n.describe()}`, n);
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
      const gate = node.gate as Gate;
      let out: Tensor;
      try {
        // Called with the arguments spelled out for one or two inputs, so no array is made per call.
        out = args.length === 1 ? gate.forward(args[0]) : args.length === 2 ? gate.forward(args[0], args[1]) : gate.forward(...args);
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
    const accumulate = options.accumulate === true;
    const out = this.output;
    const outValue = out.value as Tensor;
    const seed = options.seed;
    if (seed === undefined && outValue.size !== 1) {
      throw locate(new ShapeError(
        `backward: ${out.describe()} has shape ${formatShape(outValue.shape)}; an implicit seed dL/dL = 1 needs a one-element output, so pass { seed } of that shape`,
      ), out);
    }
    if (seed !== undefined && !shapesEqual(seed.shape, outValue.shape)) {
      throw locate(new ShapeError(`backward: seed must have the output's shape ${formatShape(outValue.shape)}, got ${formatShape(seed.shape)}`), out);
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
      try {
        grads = (node.gate as Gate).backward(dout);
        checkGradients(node, grads, dout, this.finiteCheck, this.strictGates ? this.doutCopy : undefined);
      } catch (e) {
        throw rethrowAt(e, node.describe(), node);
      }
      for (let j = 0; j < node.inputNodes.length; j++) {
        const input = node.inputNodes[j];
        if (input.needsGrad) addInto(input.scratch as Tensor, grads[j]);
      }
    }
    // Commit: every buffer computed, so swap them in (no copy, no allocation).
    for (let k = 0; k < order.length; k++) {
      const node = order[k];
      if (!node.needsGrad) continue;
      const g = node.grad;
      if (accumulate && g && shapesEqual(g.shape, (node.scratch as Tensor).shape)) addInto(node.scratch as Tensor, g);
      node.grad = node.scratch;
      node.scratch = g;
    }
  }

  /**
   * Marks the last forward as out of date, so backward() refuses to run until the next forward:
   * for code that changes parameter values other than through an optimizer step (loading them, say),
   * after which the gates' caches no longer match the values.
   */
  invalidate(): void {
    this.forwardOk = false;
  }

  /** Sets every gradient this graph holds to zero. */
  zeroGrad(): void {
    for (const n of this.nodeList) n.grad?.data.fill(0);
  }

  /** `name` as a node added now is called: prefixed with the composite being expanded, if any. */
  private qualify(name: string): string {
    return this.currentGroup ? `${this.currentGroup.name}/${name}` : name;
  }

  private checkNewName(name: string): void {
    if (this.byName.has(name) || this.groupList.some((g) => g.name === name)) throw new InvalidArgumentError(`graph already has a node named '${name}'`);
  }

  private addNode(
    localName: string,
    kind: NodeKind,
    inputs: readonly (GraphNode | string)[],
    gate: Gate | undefined,
    gateType: string | undefined,
    options: Record<string, unknown> | undefined,
    inputSpec: InputOptions | undefined,
    requiresGrad: boolean,
  ): GraphNode {
    const name = this.qualify(localName);
    this.checkNewName(name);
    if (kind === 'input' && this.currentGroup) throw new InvalidArgumentError(`input '${name}': a composite gate reads its inputs from the graph it is added to and cannot declare its own`);
    // Inside a composite, names refer to the composite's own nodes.
    const refs = this.currentGroup ? inputs.map((r) => (typeof r === 'string' ? this.qualify(r) : r)) : inputs.slice();
    const node = new GraphNode(this, this.nodeList.length, name, kind, refs, gate, gateType, options, inputSpec, requiresGrad, this.currentGroup);
    this.nodeList.push(node);
    this.byName.set(name, node);
    if (kind === 'input') this.inputList.push(node);
    this.order = undefined;
    this.forwardOk = false;
    return node;
  }

  /** Removes the nodes and composites added since the counts given (a composite whose build failed). */
  private removeSince(nodeCount: number, groupCount: number): void {
    for (const n of this.nodeList.splice(nodeCount)) this.byName.delete(n.name);
    for (const g of this.groupList.splice(groupCount)) if (this.byName.get(g.name) === g.output) this.byName.delete(g.name);
    this.order = undefined;
  }
}
