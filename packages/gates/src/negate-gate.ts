import { TypedArray, UnaryGate } from '@chainrule/core';
import { injectable } from 'inversify';

/** −x. Backward: −dout. */
@injectable()
export class NegateGate extends UnaryGate {
  protected compute(x: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) out[i] = -x[i];
  }

  protected differentiate(x: TypedArray, out: TypedArray, dout: TypedArray, dx: TypedArray): void {
    for (let i = 0; i < dx.length; i++) dx[i] = -dout[i];
  }
}
