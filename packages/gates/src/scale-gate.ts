import { ConfigurableGate, numberOptions, TypedArray, UnaryGate } from '@chainrule/core';
import { injectable } from 'inversify';

/** f(x) = a·x, with a set by option `a` (default 1). Backward: a · dout. */
@injectable()
export class ScaleGate extends UnaryGate implements ConfigurableGate<{ a?: number }> {
  a = 1;

  constructor(options: { a?: number } = {}) {
    super();
    this.configure(options);
  }

  configure(options: { a?: number }): void {
    this.a = numberOptions('ScaleGate', options, { a: 1 }).a;
  }

  protected compute(x: TypedArray, out: TypedArray): void {
    const a = this.a;
    for (let i = 0; i < out.length; i++) out[i] = a * x[i];
  }

  protected differentiate(x: TypedArray, out: TypedArray, dout: TypedArray, dx: TypedArray): void {
    const a = this.a;
    for (let i = 0; i < dx.length; i++) dx[i] = a * dout[i];
  }
}
