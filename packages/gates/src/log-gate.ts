import { TypedArray, UnaryGate } from '@chainrule/core';
import { injectable } from 'inversify';

/** ln x (natural log; x ≤ 0 gives NaN or −Infinity, as Math.log does). Backward: d(ln x)/dx = 1/x. */
@injectable()
export class LogGate extends UnaryGate {
  protected compute(x: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) out[i] = Math.log(x[i]);
  }

  protected differentiate(x: TypedArray, _out: TypedArray, dout: TypedArray, dx: TypedArray): void {
    for (let i = 0; i < dx.length; i++) dx[i] = dout[i] / x[i];
  }
}
