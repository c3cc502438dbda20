import { GATE_OPTIONS, GateDescription, parenthesize, readOptions, scalarValue, TypedArray, UnaryGate } from '@chainrule/core';
import { inject, injectable, optional } from 'inversify';

/**
 * f(x) = x^p, with the exponent set by option `p` (default 2). Backward: p·x^(p−1) · dout.
 * For non-integer p, negative x gives NaN, as Math.pow does.
 */
@injectable()
export class PowGate extends UnaryGate {
  /** How traces and health reports describe it (core's GateDescription). */
  static readonly description: GateDescription<PowGate> = {
    trace: {
      pattern: 'power rule p·x^(p−1)',
      elementwise: true,
      expression: (x) => `${x.inputs[0]}^${parenthesize(x.num(x.gate.p))}`,
      local: (_j, x) => {
        const v = scalarValue(x.values[0]);
        const p = parenthesize(x.num(x.gate.p));
        const q = parenthesize(x.num(x.gate.p - 1));
        return { formula: `${p}·${x.inputs[0]}^${q}`, substituted: x.scalar && v !== undefined ? `${p}·${parenthesize(x.num(v))}^${q}` : undefined };
      },
    },
  };

  p = 2;

  constructor(@inject(GATE_OPTIONS) @optional() options: { p?: number } = {}) {
    super();
    this.p = readOptions<{ p?: number }>('PowGate', options, { p: 'number' }).p ?? 2;
  }

  protected compute(x: TypedArray, out: TypedArray): void {
    const p = this.p;
    for (let i = 0; i < out.length; i++) out[i] = Math.pow(x[i], p);
  }

  protected differentiate(x: TypedArray, out: TypedArray, dout: TypedArray, dx: TypedArray): void {
    const p = this.p;
    for (let i = 0; i < dx.length; i++) dx[i] = p * Math.pow(x[i], p - 1) * dout[i];
  }
}
