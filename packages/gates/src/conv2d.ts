import { ComputationalGraph, defaultKernel, DType, formatShape, GATE_OPTIONS, GraphNode, InvalidArgumentError, MATMUL_KERNEL, MatmulKernel, Random, RANDOM_SOURCE, readOptions, ShapeError, Tensor } from '@chainrule/core';
import { inject, injectable, optional } from 'inversify';
import { Conv2DGate } from './conv2d-gate';
import { WeightedLayer } from './weighted-layer';
import { pairOption } from './window';

export interface Conv2DLayerOptions {
  /** Channels of the input (C). Required. */
  inChannels?: number;
  /** Filters, the channels of the output (F). Required. */
  outChannels?: number;
  /** Kernel size: one number (square) or [height, width]. Required. */
  kernel?: number | number[];
  stride?: number | number[];
  padding?: number | number[];
  dilation?: number | number[];
  /** Whether to add a bias per filter (default true). */
  bias?: boolean;
  /** Seed of core's Random for W (default 42) when the container binds no RANDOM_SOURCE: the same seed gives the same weights bit for bit. */
  seed?: number;
  /** dtype of W and b (default 'float64'). */
  dtype?: DType;
}

/**
 * A convolution layer as a composite gate, in the style of Linear: parameters W [F, C, KH, KW] with
 * He initialisation (N(0, 2 / (C·KH·KW)), the fan-in of one output) and b [F] at zero, applied by
 * one Conv2DGate (x, W, b) with the layer's stride, padding and dilation. W is drawn from the
 * container's RANDOM_SOURCE when one is bound, else from core's Random seeded with `seed` (as Linear).
 *
 * In a graph: `graph.gate(Conv2D, [x], { options: { inChannels: 1, outChannels: 8, kernel: 5 } })`.
 * On its own: `new Conv2D({ inChannels: 1, outChannels: 8, kernel: 5 }).forward(x)`.
 */
@injectable()
export class Conv2D extends WeightedLayer {
  readonly arity = 1;
  /** The settings in force (defaults filled in, each window size as [height, width]). */
  readonly settings: Required<Omit<Conv2DLayerOptions, 'kernel' | 'stride' | 'padding' | 'dilation'>> & { kernel: [number, number]; stride: [number, number]; padding: [number, number]; dilation: [number, number] };

  constructor(
    @inject(GATE_OPTIONS) @optional() options: Conv2DLayerOptions = {},
    @inject(RANDOM_SOURCE) @optional() private readonly random: Random | undefined = undefined,
    @inject(MATMUL_KERNEL) @optional() private readonly kernel: MatmulKernel = defaultKernel,
  ) {
    super();
    const o = readOptions<Conv2DLayerOptions>('Conv2D', options, {
      inChannels: 'positiveInteger',
      outChannels: 'positiveInteger',
      kernel: 'integer|integer[]', // pairOption below checks the range and the pair's length
      stride: 'integer|integer[]',
      padding: 'integer|integer[]',
      dilation: 'integer|integer[]',
      bias: 'boolean',
      seed: 'integer',
      dtype: ['float32', 'float64'],
    });
    if (o.inChannels === undefined || o.outChannels === undefined || o.kernel === undefined) {
      throw new InvalidArgumentError(`Conv2D: options 'inChannels', 'outChannels' and 'kernel' are required, got ${JSON.stringify(options)}`);
    }
    this.settings = {
      inChannels: o.inChannels,
      outChannels: o.outChannels,
      kernel: pairOption('Conv2D', 'kernel', o.kernel, [1, 1], 1),
      stride: pairOption('Conv2D', 'stride', o.stride, [1, 1], 1),
      padding: pairOption('Conv2D', 'padding', o.padding, [0, 0], 0),
      dilation: pairOption('Conv2D', 'dilation', o.dilation, [1, 1], 1),
      bias: o.bias ?? true,
      seed: o.seed ?? 42,
      dtype: o.dtype ?? 'float64',
    };
  }

  override forward(...inputs: Tensor[]): Tensor {
    const x = inputs[0];
    const s = this.settings;
    if (inputs.length === 1 && x instanceof Tensor && (x.rank !== 4 || x.shape[1] !== s.inChannels)) {
      throw new ShapeError(`Conv2D.forward: expected an input of shape [N, ${s.inChannels}, H, W] (inChannels ${s.inChannels}), got ${formatShape(x.shape)}`);
    }
    return super.forward(...inputs);
  }

  protected build(g: ComputationalGraph, inputs: GraphNode[]): GraphNode {
    const s = this.settings;
    const [kh, kw] = s.kernel;
    const fanIn = s.inChannels * kh * kw;
    this.w = g.parameter('W', this.inKernel(this.kernel, (this.random ?? new Random(s.seed)).randn([s.outChannels, s.inChannels, kh, kw], { dtype: s.dtype, std: Math.sqrt(2 / fanIn) })));
    const args = [inputs[0], this.w];
    if (s.bias) args.push((this.b = g.parameter('b', this.inKernel(this.kernel, Tensor.zeros([s.outChannels], s.dtype)))));
    return g.gate(Conv2DGate, args, { name: 'conv', options: { stride: s.stride, padding: s.padding, dilation: s.dilation } });
  }
}
