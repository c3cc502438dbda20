import { GATE_OPTIONS, readOptions, TypedArray, UnaryGate } from '@chainrule/core';
import { inject, injectable, optional } from 'inversify';

/** f(x) = c + x, with c set by option `c` (default 0); the lectures' +1 of the sigmoid. Backward: dout. */
@injectable()
export class AddConstantGate extends UnaryGate {
  c = 0;

  constructor(@inject(GATE_OPTIONS) @optional() options: { c?: number } = {}) {
    super();
    this.c = readOptions<{ c?: number }>('AddConstantGate', options, { c: 'number' }).c ?? 0;
  }

  protected compute(x: TypedArray, out: TypedArray): void {
    const c = this.c;
    for (let i = 0; i < out.length; i++) out[i] = c + x[i];
  }

  protected differentiate(x: TypedArray, out: TypedArray, dout: TypedArray, dx: TypedArray): void {
    const c = this.c;
    for (let i = 0; i < dx.length; i++) dx[i] = dout[i];
  }
}
