import { BinaryGate, GateDescription, parenthesize, scalarValue, TypedArray } from '@chainrule/core';
import { injectable } from 'inversify';

/** z = x / y. Backward: x receives dout / y, y receives −x / y² · dout (= −z / y · dout). */
@injectable()
export class DivideGate extends BinaryGate {
  /** How traces and health reports describe it (core's GateDescription). */
  static readonly description: GateDescription = {
    trace: {
      pattern: 'divide: 1/y to x, −x/y² to y',
      elementwise: true,
      expression: (c) => `${c.inputs[0]} / ${c.inputs[1]}`,
      local: (j, c) => {
        const [a, b] = c.inputs;
        const [va, vb] = c.values.map(scalarValue);
        if (j === 0) return { formula: `1/${b}`, substituted: c.scalar && vb !== undefined ? `1/${parenthesize(c.num(vb))}` : undefined };
        const known = c.scalar && va !== undefined && vb !== undefined;
        return { formula: `−${a}/${b}²`, substituted: known ? `−${parenthesize(c.num(va))}/${parenthesize(c.num(vb))}²` : undefined };
      },
    },
  };

  protected compute(x: TypedArray, y: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) out[i] = x[i] / y[i];
  }

  protected differentiate(x: TypedArray, y: TypedArray, out: TypedArray, dout: TypedArray, gx: TypedArray, gy: TypedArray): void {
    for (let i = 0; i < dout.length; i++) {
      gx[i] = dout[i] / y[i];
      gy[i] = (-out[i] / y[i]) * dout[i];
    }
  }
}
