import { ConfigurableGate, numberOptions, TypedArray, UnaryGate } from '@chainrule/core';
import { injectable } from 'inversify';

/**
 * f(x) = x for x > 0, slope·x otherwise (option `slope`, default 0.01). Backward: dout where
 * x > 0, slope·dout elsewhere (at x = 0 exactly: slope, matching ReLUGate's choice of the left side).
 */
@injectable()
export class LeakyReLUGate extends UnaryGate implements ConfigurableGate<{ slope?: number }> {
  slope = 0.01;

  constructor(options: { slope?: number } = {}) {
    super();
    this.configure(options);
  }

  configure(options: { slope?: number }): void {
    this.slope = numberOptions('LeakyReLUGate', options, { slope: 0.01 }).slope;
  }

  protected compute(x: TypedArray, out: TypedArray): void {
    const a = this.slope;
    for (let i = 0; i < out.length; i++) out[i] = x[i] > 0 ? x[i] : a * x[i];
  }

  protected differentiate(x: TypedArray, out: TypedArray, dout: TypedArray, dx: TypedArray): void {
    const a = this.slope;
    for (let i = 0; i < dx.length; i++) dx[i] = x[i] > 0 ? dout[i] : a * dout[i];
  }
}
