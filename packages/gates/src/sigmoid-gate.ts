import { TypedArray, UnaryGate } from '@chainrule/core';
import { injectable } from 'inversify';

/**
 * σ(x) = 1 / (1 + e^(−x)). Backward uses σ(1 − σ) from the cached output, as the lectures derive,
 * so nothing is recomputed. Computed as e^x / (1 + e^x) for negative x so e^(−x) never overflows.
 */
@injectable()
export class SigmoidGate extends UnaryGate {
  protected compute(x: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) out[i] = x[i] >= 0 ? 1 / (1 + Math.exp(-x[i])) : Math.exp(x[i]) / (1 + Math.exp(x[i]));
  }

  protected differentiate(x: TypedArray, out: TypedArray, dout: TypedArray, dx: TypedArray): void {
    for (let i = 0; i < dx.length; i++) dx[i] = out[i] * (1 - out[i]) * dout[i];
  }
}
