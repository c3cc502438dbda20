import { TypedArray, UnaryGate } from '@chainrule/core';
import { injectable } from 'inversify';
import { stableSigmoid, stableSoftplus } from './logistic';

/**
 * softplus(x) = log(1 + eˣ), computed stably as max(x, 0) + log1p(e^(−|x|)) so it neither
 * overflows for large x nor loses precision for very negative x. Backward: σ(x) · dout.
 */
@injectable()
export class SoftplusGate extends UnaryGate {
  protected compute(x: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) out[i] = stableSoftplus(x[i]);
  }

  protected differentiate(x: TypedArray, out: TypedArray, dout: TypedArray, dx: TypedArray): void {
    for (let i = 0; i < dx.length; i++) dx[i] = stableSigmoid(x[i]) * dout[i];
  }
}
