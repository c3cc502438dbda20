import { BinaryGate, TypedArray } from '@chainrule/core';
import { injectable } from 'inversify';

/** z = x / y. Backward: x receives dout / y, y receives −x / y² · dout (= −z / y · dout). */
@injectable()
export class DivideGate extends BinaryGate {
  protected compute(x: TypedArray, y: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) out[i] = x[i] / y[i];
  }

  protected differentiate(x: TypedArray, y: TypedArray, out: TypedArray, dout: TypedArray, gx: TypedArray, gy: TypedArray): void {
    for (let i = 0; i < dout.length; i++) {
      gx[i] = dout[i] / y[i];
      gy[i] = (-out[i] / y[i]) * dout[i];
    }
  }
}
