import { GateDescription, localFromOutput, parenthesize, TypedArray, UnaryGate } from '@chainrule/core';
import { injectable } from 'inversify';

/** tanh(x). Backward: 1 − tanh² from the cached output. */
@injectable()
export class TanhGate extends UnaryGate {
  /** How traces and health reports describe it (core's GateDescription). */
  static readonly description: GateDescription = {
    trace: {
      pattern: 'tanh: 1 − tanh²',
      elementwise: true,
      expression: (c) => `tanh(${c.inputs[0]})`,
      local: localFromOutput('1 − tanh²', (t) => `1 − ${parenthesize(t)}²`),
    },
    health: { saturates: { activation: 'tanh', centre: 0, threshold: 0.99, symbol: '|tanh|' } },
  };

  protected compute(x: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) out[i] = Math.tanh(x[i]);
  }

  protected differentiate(x: TypedArray, out: TypedArray, dout: TypedArray, dx: TypedArray): void {
    for (let i = 0; i < dx.length; i++) dx[i] = (1 - out[i] * out[i]) * dout[i];
  }
}
