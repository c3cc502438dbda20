import { expectDout, expectInputs, formatShape, Gate, resultDType, shapesEqual, ShapeError, Tensor, GateDescription, sameShapeLossRule } from '@chainrule/core';
import { injectable } from 'inversify';
import { gradBuffer, scalarBuffer } from './grad-buffer';

/**
 * Mean squared error of two same-shaped tensors (predictions x, targets y), a scalar:
 * L = (1/M) Σ (xᵢ − yᵢ)² over all M elements. Backward: x receives 2(x − y)/M · dout and y
 * receives the negative of that (both are differentiable; feed targets with `requiresGrad: false`
 * to skip theirs). Shapes must match exactly (no broadcasting), else ShapeError.
 */
@injectable()
export class MSELossGate implements Gate {
  static readonly description: GateDescription = { arity: 2, loss: true, shape: sameShapeLossRule };
  private x: Tensor | undefined;
  private y: Tensor | undefined;
  private output: Tensor | undefined;
  private readonly grads: Tensor[] = [];

  forward(...inputs: Tensor[]): Tensor {
    expectInputs('MSELossGate', inputs, 2);
    const [x, y] = inputs;
    if (!shapesEqual(x.shape, y.shape)) {
      throw new ShapeError(`MSELossGate.forward: predictions and targets must have the same shape, got ${formatShape(x.shape)} and ${formatShape(y.shape)}`);
    }
    const out = (this.output = scalarBuffer(this.output, resultDType(x.dtype, y.dtype)));
    this.x = x;
    this.y = y;
    const a = x.data;
    const b = y.data;
    let s = 0;
    for (let i = 0; i < a.length; i++) {
      const d = a[i] - b[i];
      s += d * d;
    }
    out.data[0] = s / x.size;
    return out;
  }

  backward(dout: Tensor): Tensor[] {
    const x = this.x;
    expectDout('MSELossGate', x, dout, this.output?.shape);
    const y = this.y as Tensor;
    const dx = gradBuffer(this.grads, 0, x);
    const dy = gradBuffer(this.grads, 1, y);
    const k = (2 * dout.data[0]) / x.size;
    const a = x.data;
    const b = y.data;
    const gx = dx.data;
    const gy = dy.data;
    for (let i = 0; i < a.length; i++) {
      const g = k * (a[i] - b[i]);
      gx[i] = g;
      gy[i] = -g;
    }
    return this.grads;
  }
}
