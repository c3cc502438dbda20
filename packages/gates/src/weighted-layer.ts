import { CompositeGate, GraphNode, kernelTensor, MatmulKernel, Tensor } from '@chainrule/core';
import { injectable } from 'inversify';

/**
 * What Linear and Conv2D share: a composite layer whose `build` creates a weight parameter `w` and
 * an optional bias `b`, read through `weight` and `bias` (nodes of the graph the layer was added
 * to, or of its own graph when used on its own, built on first access).
 */
@injectable()
export abstract class WeightedLayer extends CompositeGate {
  protected w: GraphNode | undefined;
  protected b: GraphNode | undefined;

  /** The weight parameter W (`.value`, `.grad`). */
  get weight(): GraphNode {
    if (!this.w) this.standalone();
    return this.w as GraphNode;
  }

  /** The bias parameter b, or undefined with `bias: false`. */
  get bias(): GraphNode | undefined {
    if (!this.w) this.standalone();
    return this.b;
  }

  /**
   * A parameter's initial values in an array the kernel allocates where its products read (the
   * WebAssembly kernel's memory): products then copy no weights in, and the optimizer's update and
   * the gradient screen run as SIMD loops there (core's vector-ops). An ordinary array where the
   * kernel has none.
   */
  protected inKernel(kernel: MatmulKernel, t: Tensor): Tensor {
    const placed = kernelTensor(kernel, undefined, t.shape, t.dtype);
    if (placed.data !== t.data) (placed.data as Float64Array).set(t.data as Float64Array);
    return placed;
  }
}
