import { expectDout, expectInputs, formatShape, Gate, GATE_OPTIONS, readOptions, ShapeError, Tensor } from '@chainrule/core';
import { inject, injectable, optional } from 'inversify';

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
export class FlattenGate implements Gate {
  startAxis = 1;
  private input: Tensor | undefined;
  private output: Tensor | undefined;
  private dx: Tensor | undefined;
  private readonly grads: Tensor[] = [];

  constructor(@inject(GATE_OPTIONS) @optional() options: FlattenOptions = {}) {
    this.startAxis = readOptions<FlattenOptions>('FlattenGate', options, { startAxis: 'integer' }).startAxis ?? 1;
  }

  forward(...inputs: Tensor[]): Tensor {
    expectInputs('FlattenGate', inputs, 1);
    const x = inputs[0];
    const start = this.startAxis < 0 ? this.startAxis + x.rank : this.startAxis;
    if (start < 0 || start > x.rank) {
      throw new ShapeError(`FlattenGate.forward: startAxis ${this.startAxis} is out of range for input ${formatShape(x.shape)} of rank ${x.rank}`);
    }
    let rest = 1;
    for (let i = start; i < x.rank; i++) rest *= x.shape[i];
    const out = (this.output = Tensor.reuse(this.output, [...x.shape.slice(0, start), rest], x.dtype));
    this.input = x;
    out.data.set(x.data);
    return out;
  }

  backward(dout: Tensor): Tensor[] {
    const x = this.input;
    expectDout('FlattenGate', x, dout, this.output?.shape);
    const dx = (this.dx = Tensor.reuse(this.dx, x.shape, x.dtype));
    dx.data.set(dout.data);
    this.grads[0] = dx;
    return this.grads;
  }
}
