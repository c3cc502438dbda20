import { BinaryGate, GateDescription, scalarValue, TypedArray } from '@chainrule/core';
import { injectable } from 'inversify';

/**
 * z = max(x, y) (elementwise). Backward routes: the larger input receives all of dout, the other 0.
 * Tie rule: where x == y the gradient goes to x (the first input), as in TensorFlow, so exactly one
 * input receives it and the sum of the input gradients is always dout. NaN propagates (as
 * Math.max and torch.maximum): where either input is NaN the output is NaN and both gradients are NaN.
 */
@injectable()
export class MaxGate extends BinaryGate {
  /** How traces and health reports describe it (core's GateDescription). */
  static readonly description: GateDescription = {
    trace: {
      pattern: 'max routes',
      elementwise: true,
      expression: (c) => `max(${c.inputs[0]}, ${c.inputs[1]})`,
      local: (j, c) => {
        const [a, b] = c.inputs;
        const [va, vb] = c.values.map(scalarValue);
        if (!c.scalar || va === undefined || vb === undefined) {
          return { formula: j === 0 ? `1 where ${a} ≥ ${b}, else 0` : `1 where ${b} > ${a}, else 0` };
        }
        const toFirst = va >= vb;
        if (j === 0) return { formula: toFirst ? `1 (${a} ≥ ${b}: the gradient is routed here)` : `0 (${a} < ${b}: not the max)` };
        return { formula: toFirst ? `0 (${b} ≤ ${a}: not the max; ties go to the first input)` : `1 (${b} > ${a}: the gradient is routed here)` };
      },
    },
  };

  protected compute(x: TypedArray, y: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) out[i] = x[i] >= y[i] ? x[i] : y[i] > x[i] ? y[i] : NaN;
  }

  protected differentiate(x: TypedArray, y: TypedArray, out: TypedArray, dout: TypedArray, gx: TypedArray, gy: TypedArray): void {
    for (let i = 0; i < dout.length; i++) {
      if (x[i] >= y[i]) {
        gx[i] = dout[i];
        gy[i] = 0;
      } else if (y[i] > x[i]) {
        gx[i] = 0;
        gy[i] = dout[i];
      } else {
        gx[i] = NaN; // x or y is NaN
        gy[i] = NaN;
      }
    }
  }
}
