import { TypedArray, UnaryGate } from '@chainrule/core';
import { injectable } from 'inversify';

/**
 * max(0, x). Backward passes dout where x > 0 and 0 elsewhere; at x = 0 exactly the gradient is 0,
 * as in PyTorch and TensorFlow.
 */
@injectable()
export class ReLUGate extends UnaryGate {
  protected compute(x: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) out[i] = x[i] > 0 ? x[i] : 0;
  }

  protected differentiate(x: TypedArray, out: TypedArray, dout: TypedArray, dx: TypedArray): void {
    for (let i = 0; i < dx.length; i++) dx[i] = x[i] > 0 ? dout[i] : 0;
  }
}
