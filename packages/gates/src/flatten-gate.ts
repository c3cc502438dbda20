import { formatShape, GATE_OPTIONS, readOptions, ShapeError, Tensor, GateDescription, productOf } from '@chainrule/core';
import { inject, injectable, optional } from 'inversify';
import { ReshapingGate } from './reshaping-gate';

export interface FlattenOptions {
  /** The first axis merged (default 1: keep the batch axis, as Keras' Flatten and PyTorch's nn.Flatten). */
  startAxis?: number;
}

/**
 * Merges every axis from `startAxis` (default 1) on into one: [N, C, H, W] → [N, C·H·W]; a rank-1
 * [N] becomes [N, 1], and startAxis 0 gives a flat vector. Backward reshapes dout back to the
 * input's shape (the values do not move). Values are copied into a reused buffer.
 */
@injectable()
export class FlattenGate extends ReshapingGate {
  static readonly description: GateDescription<FlattenGate> = {
    shape: ([x], g) => {
      const start = g.startAxis < 0 ? g.startAxis + x.length : g.startAxis;
      if (start < 0 || start > x.length) throw new ShapeError(`startAxis ${g.startAxis} is out of range for an input of rank ${x.length}`);
      return [...x.slice(0, start), productOf(x.slice(start))];
    },
  };
  startAxis = 1;

  constructor(@inject(GATE_OPTIONS) @optional() options: FlattenOptions = {}) {
    super();
    this.startAxis = readOptions<FlattenOptions>('FlattenGate', options, { startAxis: 'integer' }).startAxis ?? 1;
  }

  protected outputShape(x: Tensor): number[] {
    const start = this.startAxis < 0 ? this.startAxis + x.rank : this.startAxis;
    if (start < 0 || start > x.rank) {
      throw new ShapeError(`FlattenGate.forward: startAxis ${this.startAxis} is out of range for input ${formatShape(x.shape)} of rank ${x.rank}`);
    }
    let rest = 1;
    for (let i = start; i < x.rank; i++) rest *= x.shape[i];
    return [...x.shape.slice(0, start), rest];
  }
}
