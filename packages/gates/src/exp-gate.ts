import { TypedArray, UnaryGate } from '@chainrule/core';
import { injectable } from 'inversify';

/** e^x. Backward: d(e^x)/dx = e^x, read from the cached output. */
@injectable()
export class ExpGate extends UnaryGate {
  protected compute(x: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) out[i] = Math.exp(x[i]);
  }

  protected differentiate(x: TypedArray, out: TypedArray, dout: TypedArray, dx: TypedArray): void {
    for (let i = 0; i < dx.length; i++) dx[i] = out[i] * dout[i];
  }
}
