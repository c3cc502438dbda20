import { CompositeGate, ComputationalGraph, DType, formatShape, GATE_OPTIONS, GraphNode, InvalidArgumentError, readOptions, ShapeError, Tensor } from '@chainrule/core';
import { inject, injectable, optional } from 'inversify';
import { BatchNormGate } from './batch-norm-gate';

export interface BatchNormLayerOptions {
  /** Channels (C, axis 1 of the input). Required. */
  numFeatures?: number;
  /** Weight of the newest batch in the running averages (default 0.1). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** dtype of γ, β and the running statistics (default 'float64'). */
  dtype?: DType;
}

/**
 * Batch normalisation as a layer (PyTorch's BatchNorm1d/2d): a BatchNormGate with trainable γ [C]
 * (ones) and β [C] (zeros), and the running mean [C] (zeros) and variance [C] (ones) as parameters
 * that need no gradient (requiresGrad false: optimizers skip them, backward computes nothing for
 * them), which the gate updates in training. Being parameters, they are saved and loaded with the
 * model bit for bit (`<node>/running_mean`, `<node>/running_var`). `graph.eval()` switches the
 * layer to the running statistics; `graph.train()` back to batch statistics.
 */
@injectable()
export class BatchNorm extends CompositeGate {
  readonly arity = 1;
  /** The settings in force (defaults filled in). */
  readonly settings: Readonly<Required<BatchNormLayerOptions>>;
  private nodes: { gamma: GraphNode; beta: GraphNode; mean: GraphNode; variance: GraphNode } | undefined;

  constructor(@inject(GATE_OPTIONS) @optional() options: BatchNormLayerOptions = {}) {
    super();
    const o = readOptions<BatchNormLayerOptions>('BatchNorm', options, { numFeatures: 'positiveInteger', momentum: 'number', eps: 'number', dtype: ['float32', 'float64'] });
    if (o.numFeatures === undefined) throw new InvalidArgumentError(`BatchNorm: option 'numFeatures' is required (a positive integer), got ${JSON.stringify(options)}`);
    new BatchNormGate({ momentum: o.momentum, eps: o.eps }); // checks momentum and eps now, not at build
    this.settings = { numFeatures: o.numFeatures, momentum: o.momentum ?? 0.1, eps: o.eps ?? 1e-5, dtype: o.dtype ?? 'float64' };
  }

  /** γ, β, running mean and running variance: nodes of the graph the layer was added to, or of its own graph. */
  get parameterNodes(): { gamma: GraphNode; beta: GraphNode; mean: GraphNode; variance: GraphNode } {
    if (!this.nodes) this.standalone();
    return this.nodes as NonNullable<BatchNorm['nodes']>;
  }

  override forward(...inputs: Tensor[]): Tensor {
    const x = inputs[0];
    const s = this.settings;
    if (inputs.length === 1 && x instanceof Tensor && (x.rank < 2 || x.shape[1] !== s.numFeatures)) {
      throw new ShapeError(`BatchNorm.forward: expected an input of shape [N, ${s.numFeatures}, ...] (numFeatures ${s.numFeatures}), got ${formatShape(x.shape)}`);
    }
    return super.forward(...inputs);
  }

  protected build(g: ComputationalGraph, inputs: GraphNode[]): GraphNode {
    const s = this.settings;
    const c = s.numFeatures;
    const gamma = g.parameter('gamma', Tensor.ones([c], s.dtype));
    const beta = g.parameter('beta', Tensor.zeros([c], s.dtype));
    const mean = g.parameter('running_mean', Tensor.zeros([c], s.dtype));
    const variance = g.parameter('running_var', Tensor.ones([c], s.dtype));
    g.setRequiresGrad(mean, false);
    g.setRequiresGrad(variance, false);
    this.nodes = { gamma, beta, mean, variance };
    return g.gate(BatchNormGate, [inputs[0], gamma, beta, mean, variance], { name: 'bn', options: { momentum: s.momentum, eps: s.eps } });
  }
}
