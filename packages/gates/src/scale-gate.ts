import { GATE_OPTIONS, readOptions, TypedArray, UnaryGate } from '@chainrule/core';
import { inject, injectable, optional } from 'inversify';

/** f(x) = a·x, with a set by option `a` (default 1). Backward: a · dout. */
@injectable()
export class ScaleGate extends UnaryGate {
  a = 1;

  constructor(@inject(GATE_OPTIONS) @optional() options: { a?: number } = {}) {
    super();
    this.a = readOptions<{ a?: number }>('ScaleGate', options, { a: 'number' }).a ?? 1;
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
