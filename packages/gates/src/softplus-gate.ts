import { TypedArray, UnaryGate } from '@chainrule/core';
import { injectable } from 'inversify';

/**
 * softplus(x) = log(1 + eˣ), computed stably as max(x, 0) + log1p(e^(−|x|)) so it neither
 * overflows for large x nor loses precision for very negative x. Backward: σ(x) · dout.
 */
@injectable()
export class SoftplusGate extends UnaryGate {
  protected compute(x: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) {
      const v = x[i];
      out[i] = (v > 0 ? v : 0) + Math.log1p(Math.exp(-Math.abs(v)));
    }
  }

  protected differentiate(x: TypedArray, out: TypedArray, dout: TypedArray, dx: TypedArray): void {
    for (let i = 0; i < dx.length; i++) {
      const v = x[i];
      const s = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
      dx[i] = s * dout[i];
    }
  }
}
