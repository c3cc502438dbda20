import { CompositeGate, GraphNode } from '@chainrule/core';
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
}
