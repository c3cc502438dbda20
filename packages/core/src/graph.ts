import { Container } from 'inversify';
import { CompositeGate } from './composite';
import { ArityError, BackwardBeforeForwardError, FeedError, InvalidArgumentError } from './errors';
import { Gate, GateId, hasPrepare } from './gate';
import { GateResolver } from './gate-resolver';
import { readFeeds } from './feeds';
import { ForwardPlan, PlanCache, zeroDetachedGrads } from './forward-plan';
import { checkedTensor, checkFeed, checkSeed, locate, rethrowAt } from './graph-checks';
import { backwardPass, forwardPass } from './passes';
import { BackwardOptions, Feed, ForwardOptions, GateGroup, GateNodeOptions, GraphNode, GraphOptions, InputOptions, NodeKind, ShapeSpec } from './graph-node';
import { checkGateInputs, unknownInput } from './gate-inputs';
import { findOutput } from './graph-output';
import { inferShape } from './shape-inference';
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
 *
 * Over 300 lines because it is the one class users build and run: each method checks its
 * arguments and hands the work to its own file (feeds, forward plans, the output rule, shape
 * inference, the passes, topological sort).
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
  /** The node setOutput named, if any. */
  private outputNode: GraphNode | undefined;
  /** The output the rule found (or why none) for the order it was found in. */
  private foundOutput: { source: readonly GraphNode[]; node?: GraphNode; problem?: string } | undefined;
  private order: GraphNode[] | undefined;
  private forwardOk = false;
  /** What the last successful forward ran; backward differentiates only a forward to the output. */
  private lastPlan: ForwardPlan | undefined;
  private readonly plans = new PlanCache();
  /** strictGates' copy of each dout, reused. */
  private readonly strict: { doutCopy?: Tensor } = {};
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
    const checked = checkedTensor(value, `parameter '${this.qualify(name)}'`, this.qualify(name));
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
    const at = { name: this.qualify(options.name ?? `${label}#${this.nodeList.length}`), gateType: label };
    const where = (): string => `node '${at.name}' (${at.gateType})`;
    let gate: Gate;
    let shape: ShapeSpec | undefined;
    try {
      const found = this.resolver.identify(id, where);
      for (const ref of inputs) {
        if (ref instanceof GraphNode && ref.graph !== this) throw new InvalidArgumentError(`${where()}: ${ref.describe()}, given as an input, belongs to another graph`);
      }
      at.gateType = found.gateType;
      at.name = this.qualify(options.name ?? `${at.gateType}#${this.nodeList.length}`);
      this.checkNewName(at.name);
      gate = this.resolver.create(found.gateClass, options.options, where);
      if (!(gate instanceof CompositeGate)) shape = inferShape(at, where(), gate, checkGateInputs(gate, this.resolveRefs(inputs, where), where));
    } catch (e) {
      throw rethrowAt(e, where(), at);
    }
    const name = options.name ?? `${at.gateType}#${this.nodeList.length}`;
    if (gate instanceof CompositeGate) return this.expand(gate, at, inputs, options.options);
    const node = this.addNode(name, 'gate', inputs, gate, at.gateType, options.options, undefined, true);
    node.inferredShape = shape;
    return node;
  }

  /** The nodes named by a gate's inputs, which must exist already (inside a composite, names are the composite's own). */
  private resolveRefs(refs: readonly (GraphNode | string)[], where: () => string): GraphNode[] {
    return refs.map((r) => {
      if (typeof r !== 'string') return r;
      const found = this.byName.get(this.qualify(r));
      if (found === undefined) throw unknownInput(r, where(), this.nodeList.map((n) => n.name));
      return found;
    });
  }

  /** Adds a composite's nodes under the group `at.name`; on failure removes every node it added. */
  private expand(gate: CompositeGate, at: { name: string; gateType: string }, refs: readonly (GraphNode | string)[], options: Record<string, unknown> | undefined): GraphNode {
    const where = `node '${at.name}' (${at.gateType})`;
    if (refs.length !== gate.arity) throw locate(new ArityError(`${where}: expected ${gate.arity} input${gate.arity === 1 ? '' : 's'}, got ${refs.length}`), at);
    const inputs = refs.map((r) => {
      const n = typeof r === 'string' ? this.byName.get(this.qualify(r)) ?? this.byName.get(r) : r;
      if (!n) throw locate(new InvalidArgumentError(`${where}: input '${String(r)}' must exist before a composite gate reads it`), at);
      return n;
    });
    const group = new GateGroup(at.name, at.gateType, gate, options, inputs, this.currentGroup);
    const [nodeCount, groupCount, outer, outputBefore] = [this.nodeList.length, this.groupList.length, this.currentGroup, this.outputNode];
    this.groupList.push(group);
    this.currentGroup = group;
    try {
      group.output = gate.expand(this, inputs);
      if (!(group.output instanceof GraphNode) || group.output.graph !== this) throw new InvalidArgumentError('build must return a node of the graph it was given');
    } catch (e) {
      this.removeSince(nodeCount, groupCount);
      this.outputNode = outputBefore;
      throw rethrowAt(e, where, at);
    } finally {
      this.currentGroup = outer;
    }
    this.byName.set(at.name, group.output); // `graph.node('fc1')` and inputs named 'fc1' read the composite's output
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

  /**
   * Makes `node` the graph's output: what `forward(feeds)` returns and `backward()` differentiates.
   * Without it, the output is the one loss gate's node, else the one gate node nothing reads
   * (graph-output.ts); never merely the last node added.
   */
  setOutput(node: GraphNode | string): GraphNode {
    const n = this.ownNode(node, 'setOutput');
    this.outputNode = n;
    return n;
  }

  /** The output (see setOutput); throws, naming the candidates, when setOutput was not called and the rule finds none. */
  get output(): GraphNode {
    const found = this.findOutput();
    if (found === undefined) throw new InvalidArgumentError(this.foundOutput?.problem ?? 'graph has no output');
    return found;
  }

  /** The output, or undefined where setOutput was not called and the rule finds none. */
  findOutput(): GraphNode | undefined {
    if (this.outputNode !== undefined) return this.outputNode;
    const order = this.topologicalOrder();
    if (this.foundOutput?.source !== order) this.foundOutput = { source: order, ...findOutput(order) };
    return this.foundOutput.node;
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
      // Inputs come first in the order, so every needsGrad is settled: tell gates that can skip work.
      for (const node of order) this.prepareNode(node);
      this.order = order;
    }
    return this.order;
  }

  /**
   * Computes the graph's output, or `options.output` (a node or its name), from the feeds: only that
   * node's ancestors run and only the inputs they read need a feed (predict with `{ output: scores }`
   * and no labels). Returns the node's value, a buffer reused by the next forward: `clone()` to keep it.
   */
  forward(feeds: Readonly<Record<string, Feed>> = {}, options?: ForwardOptions): Tensor {
    const explicit = options?.output !== undefined;
    const plan = this.planFor(explicit ? this.ownNode(options.output as GraphNode | string, 'forward: options.output') : this.output, explicit);
    return this.runPlan(plan, readFeeds(plan, feeds, (name) => this.byName.get(name)?.kind === 'input', this.inputList));
  }

  /** forward() to the output with the input values in the order the inputs were declared: no feed object, no allocation. */
  forwardInputs(values: readonly Tensor[]): Tensor {
    const plan = this.planFor(this.output, false);
    if (values.length !== this.inputList.length) {
      throw new FeedError(`forward: expected ${this.inputList.length} input values (${this.inputList.map((n) => n.name).join(', ')}), got ${values.length}`);
    }
    for (let i = 0; i < values.length; i++) checkFeed(this.inputList[i], values[i], this.finiteCheck);
    for (let i = 0; i < plan.inputs.length; i++) plan.values[i] = values[plan.positions[i]];
    return this.runPlan(plan, plan.values);
  }

  /** The cached plan that computes `output` (only its ancestors when `ancestorsOnly`). */
  private planFor(output: GraphNode, ancestorsOnly: boolean): ForwardPlan {
    return this.plans.get(this.topologicalOrder(), this.inputList, output, ancestorsOnly);
  }

  /** Checks every feed a plan reads before running any gate (bad data changes nothing), then runs the plan. */
  private runPlan(plan: ForwardPlan, values: readonly Tensor[]): Tensor {
    for (let i = 0; i < plan.inputs.length; i++) checkFeed(plan.inputs[i], values[i], this.finiteCheck);
    this.forwardOk = false;
    for (let i = 0; i < plan.inputs.length; i++) plan.inputs[i].value = values[i];
    forwardPass(plan.order, this.finiteCheck);
    this.forwardOk = true;
    this.lastPlan = plan;
    return plan.output.value as Tensor;
  }

  /** A node of this graph given as a node or a name. */
  private ownNode(node: GraphNode | string, where: string): GraphNode {
    if (typeof node === 'string') return this.node(node);
    if (!(node instanceof GraphNode) || node.graph !== this) throw new InvalidArgumentError(`${where}: expected a node of this graph or its name, got ${node instanceof GraphNode ? `${node.describe()} of another graph` : typeof node}`);
    return node;
  }

  /**
   * Runs the gates in reverse topological order from dL/d(output) = seed (default 1), summing
   * gradients at branches. Gradients are committed only when the whole pass succeeds: a gate that
   * throws leaves every gradient as it was.
   */
  backward(options: BackwardOptions = NO_BACKWARD_OPTIONS): void {
    if (!this.forwardOk) {
      throw new BackwardBeforeForwardError(
        `backward: no successful forward to differentiate${this.findOutput() ? ` (output ${this.findOutput()?.describe()})` : ''}: call forward first; a forward that threw, or a change to the graph, needs a new forward`,
      );
    }
    const out = this.output;
    const plan = this.lastPlan as ForwardPlan;
    if (plan.output !== out) {
      throw new BackwardBeforeForwardError(
        `backward: the last forward computed ${plan.output.describe()} (forward with { output }), not the output ${out.describe()} that backward differentiates: call forward(feeds) first`,
      );
    }
    const accumulate = options.accumulate === true;
    const seed = options.seed;
    checkSeed(out, seed);
    backwardPass(plan.order, out, seed, accumulate, this.finiteCheck, this.strictGates ? this.strict : undefined);
    zeroDetachedGrads(plan, accumulate);
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

  private checkNewName(name: string, gateType?: string): void {
    if (this.byName.has(name) || this.groupList.some((g) => g.name === name)) throw locate(new InvalidArgumentError(`graph already has a node named '${name}'`), { name, gateType });
  }

  private addNode(localName: string, kind: NodeKind, inputs: readonly (GraphNode | string)[], gate: Gate | undefined, gateType: string | undefined,
    options: Record<string, unknown> | undefined, inputSpec: InputOptions | undefined, requiresGrad: boolean): GraphNode {
    const name = this.qualify(localName);
    this.checkNewName(name, gateType);
    if (kind === 'input' && this.currentGroup) throw locate(new InvalidArgumentError(`input '${name}': a composite gate reads its inputs from the graph it is added to and cannot declare its own`), { name });
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
