import { Container, injectable } from 'inversify';
import { ArityError, BackwardBeforeForwardError, InvalidArgumentError } from './errors';
import { Gate, GateContext, markListForward } from './gate';
import { ComputationalGraph, GraphNode, HasSubgraph } from './graph';
import { Tensor } from './tensor';

/**
 * A subgraph used as one gate, as the lectures group exp, +1 and 1/x into one sigmoid gate.
 *
 * Subclasses say how many inputs they take and build their subgraph from input nodes; forward feeds
 * the subgraph, backward runs it in reverse seeded with dout and returns the gradients of its
 * inputs. Parameters created inside (a Linear layer's W and b) are listed by the outer graph's
 * parameters(), so optimizers see them. Inside a graph the subgraph resolves gates from the outer
 * graph's container; used on its own, it binds the gate classes it uses in a private container.
 */
@injectable()
export abstract class CompositeGate implements Gate, HasSubgraph {
  abstract readonly arity: number;
  private graph: ComputationalGraph | undefined;
  private container: Container | undefined;
  private inputNodes: GraphNode[] = [];
  private readonly grads: Tensor[] = [];
  private readonly backwardOptions: { seed?: Tensor } = {};
  private readonly zeroGrads: (Tensor | undefined)[] = [];
  private ran = false;

  /** Adds the composite's gates to `g` reading `inputs`, and returns the node whose value is the output. */
  protected abstract build(g: ComputationalGraph, inputs: GraphNode[]): GraphNode;

  /** From the owning graph: inputs that need no gradient are marked so in the subgraph, whose gates then skip them; the mode passes down. */
  prepare(ctx: GateContext): void {
    const g = this.subgraph();
    for (let i = 0; i < this.inputNodes.length; i++) g.setRequiresGrad(this.inputNodes[i], ctx.needsInputGrad[i] !== false);
    g.train(ctx.training);
  }

  /** Called by the graph that owns this gate's node, before the subgraph is built. */
  attach(container: Container): void {
    if (this.graph) throw new InvalidArgumentError(`${this.constructor.name}: attach() after its subgraph was built`);
    this.container = container;
  }

  /** The subgraph, built on first use (after configure(), so it can depend on the options). */
  subgraph(): ComputationalGraph {
    if (!this.graph) {
      const g = new ComputationalGraph(this.container ?? new Container(), { autoBind: true });
      this.inputNodes = Array.from({ length: this.arity }, (_, i) => g.input(`in${i}`));
      g.setOutput(this.build(g, this.inputNodes));
      this.graph = g;
    }
    return this.graph;
  }

  forward(...inputs: Tensor[]): Tensor {
    return this.forwardList(inputs);
  }

  /** forward() with the inputs as an array (the graph's allocation-free call). */
  forwardList(inputs: readonly Tensor[]): Tensor {
    if (inputs.length !== this.arity) {
      throw new ArityError(`${this.constructor.name}.forward: expected ${this.arity} input${this.arity === 1 ? '' : 's'}, got ${inputs.length}`);
    }
    const out = this.subgraph().forwardInputs(inputs);
    this.ran = true;
    return out;
  }

  backward(dout: Tensor): Tensor[] {
    if (!this.ran) throw new BackwardBeforeForwardError(`${this.constructor.name}.backward: called before forward`);
    const g = this.subgraph();
    this.backwardOptions.seed = dout; // one options object for every call: nothing allocated per step
    g.backward(this.backwardOptions);
    for (let i = 0; i < this.inputNodes.length; i++) {
      const node = this.inputNodes[i];
      // An input the outer graph needs no gradient for gets none computed: hand back zeros of its shape.
      this.grads[i] = node.needsGrad ? (node.grad as Tensor) : (this.zeroGrads[i] = Tensor.reuse(this.zeroGrads[i], (node.value as Tensor).shape, (node.value as Tensor).dtype));
    }
    return this.grads;
  }
}

markListForward(CompositeGate);
