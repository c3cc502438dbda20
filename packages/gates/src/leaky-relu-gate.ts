import { GATE_OPTIONS, readOptions, TypedArray, UnaryGate } from '@chainrule/core';
import { inject, injectable, optional } from 'inversify';

/**
 * f(x) = x for x > 0, slope·x otherwise (option `slope`, default 0.01). Backward: dout where
 * x > 0, slope·dout elsewhere (at x = 0 exactly: slope, matching ReLUGate's choice of the left side).
 * NaN stays NaN in both directions.
 */
@injectable()
export class LeakyReLUGate extends UnaryGate {
  slope = 0.01;

  constructor(@inject(GATE_OPTIONS) @optional() options: { slope?: number } = {}) {
    super();
    this.slope = readOptions<{ slope?: number }>('LeakyReLUGate', options, { slope: 'number' }).slope ?? 0.01;
  }

  protected compute(x: TypedArray, out: TypedArray): void {
    const a = this.slope;
    for (let i = 0; i < out.length; i++) out[i] = x[i] > 0 ? x[i] : a * x[i];
  }

  protected differentiate(x: TypedArray, out: TypedArray, dout: TypedArray, dx: TypedArray): void {
    const a = this.slope;
    for (let i = 0; i < dx.length; i++) dx[i] = x[i] > 0 ? dout[i] : x[i] <= 0 ? a * dout[i] : NaN;
  }
}
