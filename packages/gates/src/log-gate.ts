import { GateDescription, TypedArray, UnaryGate } from '@chainrule/core';
import { injectable } from 'inversify';

/** ln x (natural log; x ≤ 0 gives NaN or −Infinity, as Math.log does). Backward: d(ln x)/dx = 1/x. */
@injectable()
export class LogGate extends UnaryGate {
  static readonly description: GateDescription = {
    trace: {
      pattern: 'log: the local gradient is 1/x',
      elementwise: true,
      expression: (c) => `ln(${c.inputs[0]})`,
      local: (_j, c) => ({ formula: `1/${c.inputs[0]}` }),
    },
  };

  protected compute(x: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) out[i] = Math.log(x[i]);
  }

  protected differentiate(x: TypedArray, _out: TypedArray, dout: TypedArray, dx: TypedArray): void {
    for (let i = 0; i < dx.length; i++) dx[i] = dout[i] / x[i];
  }
}
