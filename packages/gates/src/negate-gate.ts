import { GateDescription, TypedArray, UnaryGate } from '@chainrule/core';
import { injectable } from 'inversify';

/** −x. Backward: −dout. */
@injectable()
export class NegateGate extends UnaryGate {
  /** How traces and health reports describe it (core's GateDescription). */
  static readonly description: GateDescription = {
    trace: { pattern: 'negate flips the sign', elementwise: true, expression: (c) => `−${c.inputs[0]}`, local: () => ({ formula: '-1' }) },
  };

  protected compute(x: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) out[i] = -x[i];
  }

  protected differentiate(x: TypedArray, out: TypedArray, dout: TypedArray, dx: TypedArray): void {
    for (let i = 0; i < dx.length; i++) dx[i] = -dout[i];
  }
}
