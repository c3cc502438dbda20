import {
  ComputationalGraph,
  defaultKernel,
  DType,
  formatShape,
  GATE_OPTIONS,
  GraphNode,
  InvalidArgumentError,
  MATMUL_KERNEL,
  MatmulKernel,
  Random,
  RANDOM_SOURCE,
  readOptions,
  ShapeError,
  Tensor,
} from '@chainrule/core';
import { inject, injectable, optional } from 'inversify';
import { AddGate } from './add-gate';
import { AffineActivation, AffineGate } from './affine-gate';
import { MatMulGate } from './matmul-gate';
import { WeightedLayer } from './weighted-layer';

export interface LinearOptions {
  /** Size of the input's last axis. Required. */
  inFeatures?: number;
  /** Size of the output's last axis. Required. */
  outFeatures?: number;
  /** 'he' (default): W ~ N(0, 2/in), for ReLU-family activations; 'xavier': W ~ N(0, 2/(in + out)), for sigmoid/tanh. */
  init?: 'he' | 'xavier';
  /** Whether to add the bias b (default true). */
  bias?: boolean;
  /** Seed of core's Random for W (default 42) when the container binds no RANDOM_SOURCE: the same seed gives the same weights bit for bit. */
  seed?: number;
  /** dtype of W and b (default 'float64'). */
  dtype?: DType;
  /**
   * 'relu', 'tanh' or 'sigmoid': the layer computes act(x · W + b) as one AffineGate node (the bias
   * and activation folded into the product's epilogue), bit for bit what Linear followed by
   * ReLUGate/TanhGate/SigmoidGate computes, with fewer nodes, buffers and passes. 'none' (default):
   * MatMulGate then AddGate, as the lectures draw it.
   */
  activation?: AffineActivation;
}

/**
 * A fully connected layer as a composite gate: y = x · W + b, with parameters W [in, out] and
 * b [out] (b broadcast over the rows, so its gradient is dout summed over the batch). x is
 * [N, in] (or any [..., in]; a single row [in] gives [out]). Built from MatMulGate and AddGate, so
 * its backward is theirs: dx = dout · Wᵀ, dW = xᵀ · dout, db = Σ_rows dout.
 *
 * W is drawn (He or Xavier normal, see `init`) from the container's RANDOM_SOURCE when one is
 * bound, else from core's Random seeded with `seed`; b starts at zero. In a graph the layer
 * expands into the graph's nodes `<name>/W`, `<name>/xW`, `<name>/b`, `<name>/xW+b` (with an
 * `activation`: `<name>/W`, `<name>/b` and one AffineGate node `<name>/relu(xW+b)`), so
 * `graph.parameters()` lists W and b and optimizers update them.
 *
 * In a graph: `graph.gate(Linear, [x], { name: 'fc1', options: { inFeatures: 3, outFeatures: 4 } })`.
 * On its own: `new Linear({ inFeatures: 3, outFeatures: 4 }).forward(x)`.
 */
@injectable()
export class Linear extends WeightedLayer {
  readonly arity = 1;
  /** The settings in force (defaults filled in). */
  readonly options: Readonly<Required<LinearOptions>>;

  constructor(
    @inject(GATE_OPTIONS) @optional() options: LinearOptions = {},
    @inject(RANDOM_SOURCE) @optional() private readonly random: Random | undefined = undefined,
    @inject(MATMUL_KERNEL) @optional() private readonly kernel: MatmulKernel = defaultKernel,
  ) {
    super();
    const o = readOptions<LinearOptions>('Linear', options, {
      inFeatures: 'positiveInteger',
      outFeatures: 'positiveInteger',
      init: ['he', 'xavier'],
      bias: 'boolean',
      seed: 'integer',
      dtype: ['float32', 'float64'],
      activation: ['none', 'relu', 'tanh', 'sigmoid'],
    });
    if (o.inFeatures === undefined || o.outFeatures === undefined) {
      throw new InvalidArgumentError(
        `Linear: options 'inFeatures' and 'outFeatures' are required (positive integers), got ${JSON.stringify(options)}`,
      );
    }
    this.options = {
      inFeatures: o.inFeatures,
      outFeatures: o.outFeatures,
      init: o.init ?? 'he',
      bias: o.bias ?? true,
      seed: o.seed ?? 42,
      dtype: o.dtype ?? 'float64',
      activation: o.activation ?? 'none',
    };
  }

  override forward(...inputs: Tensor[]): Tensor {
    const x = inputs[0];
    const s = this.options;
    if (inputs.length === 1 && x instanceof Tensor && (x.rank === 0 || x.shape[x.rank - 1] !== s.inFeatures)) {
      throw new ShapeError(`Linear.forward: expected an input of shape [..., ${s.inFeatures}] (inFeatures ${s.inFeatures}), got ${formatShape(x.shape)}`);
    }
    return super.forward(...inputs);
  }

  protected build(g: ComputationalGraph, inputs: GraphNode[]): GraphNode {
    const s = this.options;
    const rng = this.random ?? new Random(s.seed);
    const std = s.init === 'he' ? Math.sqrt(2 / s.inFeatures) : Math.sqrt(2 / (s.inFeatures + s.outFeatures));
    this.w = g.parameter('W', this.inKernel(this.kernel, rng.randn([s.inFeatures, s.outFeatures], { dtype: s.dtype, std })));
    if (s.activation !== 'none') {
      if (s.bias) this.b = g.parameter('b', this.inKernel(this.kernel, Tensor.zeros([s.outFeatures], s.dtype)));
      const inputs3 = s.bias ? [inputs[0], this.w, this.b as GraphNode] : [inputs[0], this.w];
      return g.gate(AffineGate, inputs3, { name: s.bias ? `${s.activation}(xW+b)` : `${s.activation}(xW)`, options: { activation: s.activation } });
    }
    let y = g.gate(MatMulGate, [inputs[0], this.w], { name: 'xW' });
    if (s.bias) {
      this.b = g.parameter('b', this.inKernel(this.kernel, Tensor.zeros([s.outFeatures], s.dtype)));
      y = g.gate(AddGate, [y, this.b], { name: 'xW+b' });
    }
    return y;
  }

}
