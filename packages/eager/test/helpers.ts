import { TypedArray, UnaryGate } from '@chainrule/core';
import { injectable } from 'inversify';

/** A gate written by a user, never registered anywhere: sin(x). */
@injectable()
export class SinGate extends UnaryGate {
  protected compute(x: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) out[i] = Math.sin(x[i]);
  }
  protected differentiate(x: TypedArray, out: TypedArray, dout: TypedArray, dx: TypedArray): void {
    for (let i = 0; i < dx.length; i++) dx[i] = Math.cos(x[i]) * dout[i];
  }
}
