import { TypedArray, UnaryGate } from '@chainrule/core';
import { injectable } from 'inversify';

/** tanh(x). Backward: 1 − tanh² from the cached output. */
@injectable()
export class TanhGate extends UnaryGate {
  protected compute(x: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) out[i] = Math.tanh(x[i]);
  }

  protected differentiate(x: TypedArray, out: TypedArray, dout: TypedArray, dx: TypedArray): void {
    for (let i = 0; i < dx.length; i++) dx[i] = (1 - out[i] * out[i]) * dout[i];
  }
}
