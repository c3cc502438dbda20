import { ConfigurableGate, numberOptions, TypedArray, UnaryGate } from '@chainrule/core';
import { injectable } from 'inversify';

/**
 * f(x) = x^p, with the exponent set by option `p` (default 2). Backward: p·x^(p−1) · dout.
 * For non-integer p, negative x gives NaN, as Math.pow does.
 */
@injectable()
export class PowGate extends UnaryGate implements ConfigurableGate<{ p?: number }> {
  p = 2;

  constructor(options: { p?: number } = {}) {
    super();
    this.configure(options);
  }

  configure(options: { p?: number }): void {
    this.p = numberOptions('PowGate', options, { p: 2 }).p;
  }

  protected compute(x: TypedArray, out: TypedArray): void {
    const p = this.p;
    for (let i = 0; i < out.length; i++) out[i] = Math.pow(x[i], p);
  }

  protected differentiate(x: TypedArray, out: TypedArray, dout: TypedArray, dx: TypedArray): void {
    const p = this.p;
    for (let i = 0; i < dx.length; i++) dx[i] = p * Math.pow(x[i], p - 1) * dout[i];
  }
}
