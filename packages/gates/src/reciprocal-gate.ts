import { TypedArray, UnaryGate } from '@chainrule/core';
import { injectable } from 'inversify';

/** 1/x. Backward: d(1/x)/dx = −1/x² (= −out²). */
@injectable()
export class ReciprocalGate extends UnaryGate {
  protected compute(x: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) out[i] = 1 / x[i];
  }

  protected differentiate(x: TypedArray, out: TypedArray, dout: TypedArray, dx: TypedArray): void {
    for (let i = 0; i < dx.length; i++) dx[i] = -out[i] * out[i] * dout[i];
  }
}
