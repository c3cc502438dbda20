import { ConfigurableGate, GateDescription, numberOptions, TypedArray, UnaryGate } from '@chainrule/core';
import { injectable } from 'inversify';

/** f(x) = c + x, with c set by option `c` (default 0); the lectures' +1 of the sigmoid. Backward: dout. */
@injectable()
export class AddConstantGate extends UnaryGate implements ConfigurableGate<{ c?: number }> {
  /** How traces and health reports describe it (core's GateDescription). */
  static readonly description: GateDescription<AddConstantGate> = {
    trace: {
      pattern: 'adding a constant passes the gradient through',
      elementwise: true,
      expression: (x) => (x.gate.c < 0 ? `${x.inputs[0]} − ${x.num(-x.gate.c)}` : `${x.inputs[0]} + ${x.num(x.gate.c)}`),
      local: () => ({ formula: '1' }),
    },
  };

  c = 0;

  constructor(options: { c?: number } = {}) {
    super();
    this.configure(options);
  }

  configure(options: { c?: number }): void {
    this.c = numberOptions('AddConstantGate', options, { c: 0 }).c;
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
