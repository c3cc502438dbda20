import {
  CompositeGate,
  ComputationalGraph,
  ConfigurableGate,
  DType,
  formatShape,
  GraphNode,
  InvalidArgumentError,
  Random,
  ShapeError,
  Tensor,
} from '@chainrule/core';
import { injectable } from 'inversify';
import { AddGate } from './add-gate';
import { MatMulGate } from './matmul-gate';
import { readOptions } from './read-options';

export interface LinearOptions {
  /** Size of the input's last axis. Required. */
  inFeatures?: number;
  /** Size of the output's last axis. Required. */
  outFeatures?: number;
  /** 'he' (default): W ~ N(0, 2/in), for ReLU-family activations; 'xavier': W ~ N(0, 2/(in + out)), for sigmoid/tanh. */
  init?: 'he' | 'xavier';
  /** Whether to add the bias b (default true). */
  bias?: boolean;
  /** Seed of core's Random for W (default 42): the same seed gives the same weights bit for bit. */
  seed?: number;
  /** dtype of W and b (default 'float64'). */
  dtype?: DType;
}

/**
 * A fully connected layer as a composite gate: y = x · W + b, with parameters W [in, out] and
 * b [out] (b broadcast over the rows, so its gradient is dout summed over the batch). x is
 * [N, in] (or any [..., in]; a single row [in] gives [out]). Built from MatMulGate and AddGate, so
 * its backward is theirs: dx = dout · Wᵀ, dW = xᵀ · dout, db = Σ_rows dout.
 *
 * W is drawn from core's seeded Random (He or Xavier normal, see `init`), b starts at zero. The
 * parameters are nodes of the layer's subgraph (`layer.weight.value`, `layer.weight.grad`); the
 * graph holding the layer lists them in `graph.parameters()`, so optimizers update them.
 *
 * In a graph: `graph.gate(Linear, [x], { options: { inFeatures: 3, outFeatures: 4 } })`.
 * On its own: `new Linear({ inFeatures: 3, outFeatures: 4 }).forward(x)`.
 */
@injectable()
export class Linear extends CompositeGate implements ConfigurableGate<LinearOptions> {
  readonly arity = 1;
  private settings: Required<LinearOptions> | undefined;
  private built = false;
  private w: GraphNode | undefined;
  private b: GraphNode | undefined;

  constructor(options: LinearOptions | undefined = undefined) {
    // (a default value, not `options?`, keeps constructor.length 0, which the container requires)
    super();
    if (options !== undefined) this.configure(options);
  }

  configure(options: LinearOptions): void {
    if (this.built) throw new InvalidArgumentError('Linear: configure() after its parameters were created');
    const o = readOptions<LinearOptions>('Linear', options, {
      inFeatures: 'positiveInteger',
      outFeatures: 'positiveInteger',
      init: ['he', 'xavier'],
      bias: 'boolean',
      seed: 'integer',
      dtype: ['float32', 'float64'],
    });
    if (o.inFeatures === undefined || o.outFeatures === undefined) {
      throw new InvalidArgumentError(
        `Linear: options 'inFeatures' and 'outFeatures' are required (positive integers), got ${JSON.stringify(options)}`,
      );
    }
    this.settings = {
      inFeatures: o.inFeatures,
      outFeatures: o.outFeatures,
      init: o.init ?? 'he',
      bias: o.bias ?? true,
      seed: o.seed ?? 42,
      dtype: o.dtype ?? 'float64',
    };
  }

  /** The settings in force (defaults filled in). */
  get options(): Readonly<Required<LinearOptions>> {
    return this.require();
  }

  /** The weight parameter W [in, out] (a node of the subgraph: `.value`, `.grad`). */
  get weight(): GraphNode {
    this.subgraph();
    return this.w as GraphNode;
  }

  /** The bias parameter b [out], or undefined with `bias: false`. */
  get bias(): GraphNode | undefined {
    this.subgraph();
    return this.b;
  }

  override forward(...inputs: Tensor[]): Tensor {
    const x = inputs[0];
    const s = this.require();
    if (inputs.length === 1 && x instanceof Tensor && (x.rank === 0 || x.shape[x.rank - 1] !== s.inFeatures)) {
      throw new ShapeError(`Linear.forward: expected an input of shape [..., ${s.inFeatures}] (inFeatures ${s.inFeatures}), got ${formatShape(x.shape)}`);
    }
    return super.forward(...inputs);
  }

  protected build(g: ComputationalGraph, inputs: GraphNode[]): GraphNode {
    const s = this.require();
    const rng = new Random(s.seed);
    const std = s.init === 'he' ? Math.sqrt(2 / s.inFeatures) : Math.sqrt(2 / (s.inFeatures + s.outFeatures));
    this.w = g.parameter('W', rng.randn([s.inFeatures, s.outFeatures], { dtype: s.dtype, std }));
    let y = g.gate(MatMulGate, [inputs[0], this.w], { name: 'xW' });
    if (s.bias) {
      this.b = g.parameter('b', Tensor.zeros([s.outFeatures], s.dtype));
      y = g.gate(AddGate, [y, this.b], { name: 'xW+b' });
    }
    this.built = true;
    return y;
  }

  private require(): Required<LinearOptions> {
    if (!this.settings) {
      throw new InvalidArgumentError("Linear: not configured (options 'inFeatures' and 'outFeatures' are required)");
    }
    return this.settings;
  }
}
