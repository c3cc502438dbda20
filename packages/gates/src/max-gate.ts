import { BinaryGate, TypedArray } from '@chainrule/core';
import { injectable } from 'inversify';

/**
 * z = max(x, y) (elementwise). Backward routes: the larger input receives all of dout, the other 0.
 * Tie rule: where x == y the gradient goes to x (the first input), as in TensorFlow, so exactly one
 * input receives it and the sum of the input gradients is always dout.
 */
@injectable()
export class MaxGate extends BinaryGate {
  protected compute(x: TypedArray, y: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) out[i] = x[i] >= y[i] ? x[i] : y[i];
  }

  protected differentiate(x: TypedArray, y: TypedArray, out: TypedArray, dout: TypedArray, gx: TypedArray, gy: TypedArray): void {
    for (let i = 0; i < dout.length; i++) {
      const toX = x[i] >= y[i];
      gx[i] = toX ? dout[i] : 0;
      gy[i] = toX ? 0 : dout[i];
    }
  }
}
