import { GATE_OPTIONS, readOptions, TypedArray, UnaryGate } from '@chainrule/core';
import { inject, injectable, optional } from 'inversify';

/**
 * f(x) = x^p, with the exponent set by option `p` (default 2). Backward: p·x^(p−1) · dout.
 * For non-integer p, negative x gives NaN, as Math.pow does.
 */
@injectable()
export class PowGate extends UnaryGate {
  p = 2;

  constructor(@inject(GATE_OPTIONS) @optional() options: { p?: number } = {}) {
    super();
    this.p = readOptions<{ p?: number }>('PowGate', options, { p: 'number' }).p ?? 2;
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
