import { injectable } from 'inversify';
import { ArityError, BackwardBeforeForwardError } from './errors';
import { Gate } from './gate';
import { ComputationalGraph } from './graph'; // a cycle (graph.ts recognises composites), used only inside methods
import type { GraphNode } from './graph-node';
import { Tensor } from './tensor';

/**
 * A subgraph used as one gate, as the lectures group exp, +1 and 1/x into one sigmoid gate.
 *
 * Subclasses say how many inputs they take and add their gates in `build`. Added to a graph
 * (`graph.gate(MySigmoid, [x], { name: 's' })`), a composite expands there: build adds its nodes to
 * that graph, named `s/<inner>` and labelled with the group `s`, so the graph's checks, its atomic
 * commit and `parameters()` (a Linear layer's `fc1/W`) cover them like any other node. Used on its
 * own (`new MySigmoid().forward(x)`, `.backward(dout)`), it builds a private graph once and runs it.
 */
@injectable()
export abstract class CompositeGate implements Gate {
  abstract readonly arity: number;
  private own: { graph: ComputationalGraph; inputs: GraphNode[]; grads: Tensor[]; options: { seed?: Tensor } } | undefined;
  private ran = false;

  /** Adds the composite's gates to `g` reading `inputs`, and returns the node whose value is the output. */
  protected abstract build(g: ComputationalGraph, inputs: GraphNode[]): GraphNode;

  /** Called by a graph the composite is added to: build inside it (names are prefixed by the graph). */
  expand(g: ComputationalGraph, inputs: GraphNode[]): GraphNode {
    return this.build(g, inputs);
  }

  /** The private graph the composite runs on when used on its own (built on first use). */
  protected standalone(): ComputationalGraph {
    if (!this.own) {
      const graph = new ComputationalGraph();
      const inputs = Array.from({ length: this.arity }, (_, i) => graph.input(`in${i}`));
      graph.expandStandalone(this, inputs); // nodes named after the class: `Linear/W`
      this.own = { graph, inputs, grads: [], options: {} };
    }
    return this.own.graph;
  }

  forward(...inputs: Tensor[]): Tensor {
    if (inputs.length !== this.arity) {
      throw new ArityError(`${this.constructor.name}.forward: expected ${this.arity} input${this.arity === 1 ? '' : 's'}, got ${inputs.length}`);
    }
    const out = this.standalone().forwardInputs(inputs);
    this.ran = true;
    return out;
  }

  backward(dout: Tensor): Tensor[] {
    if (!this.ran || !this.own) throw new BackwardBeforeForwardError(`${this.constructor.name}.backward: called before forward`);
    const own = this.own;
    own.options.seed = dout; // one options object for every call: nothing allocated per step
    own.graph.backward(own.options);
    for (let i = 0; i < own.inputs.length; i++) own.grads[i] = own.inputs[i].grad as Tensor;
    return own.grads;
  }
}
