import { BinaryGate, TypedArray } from '@chainrule/core';
import { injectable } from 'inversify';

/**
 * z = x · y (elementwise). Backward switches: x receives y · dout and y receives x · dout,
 * which is why forward keeps both inputs.
 */
@injectable()
export class MultiplyGate extends BinaryGate {
  protected compute(x: TypedArray, y: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) out[i] = x[i] * y[i];
  }

  protected differentiate(x: TypedArray, y: TypedArray, out: TypedArray, dout: TypedArray, gx: TypedArray, gy: TypedArray): void {
    for (let i = 0; i < dout.length; i++) {
      gx[i] = y[i] * dout[i];
      gy[i] = x[i] * dout[i];
    }
  }
}
