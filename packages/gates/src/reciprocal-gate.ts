import { GateDescription, parenthesize, scalarValue, TypedArray, UnaryGate } from '@chainrule/core';
import { injectable } from 'inversify';

/** 1/x. Backward: d(1/x)/dx = −1/x² (= −out²). */
@injectable()
export class ReciprocalGate extends UnaryGate {
  /** How traces and health reports describe it (core's GateDescription). */
  static readonly description: GateDescription = {
    trace: {
      pattern: 'reciprocal: −1/x²',
      elementwise: true,
      expression: (c) => `1/${c.inputs[0]}`,
      local: (_j, c) => {
        const v = scalarValue(c.values[0]);
        return { formula: `−1/${c.inputs[0]}²`, substituted: c.scalar && v !== undefined ? `−1/${parenthesize(c.num(v))}²` : undefined };
      },
    },
  };

  protected compute(x: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) out[i] = 1 / x[i];
  }

  protected differentiate(x: TypedArray, out: TypedArray, dout: TypedArray, dx: TypedArray): void {
    for (let i = 0; i < dx.length; i++) dx[i] = -out[i] * out[i] * dout[i];
  }
}
