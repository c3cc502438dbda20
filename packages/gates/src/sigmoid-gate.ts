import { GateDescription, localFromOutput, TypedArray, UnaryGate } from '@chainrule/core';
import { injectable } from 'inversify';
import { stableSigmoid } from './logistic';

/**
 * σ(x) = 1 / (1 + e^(−x)). Backward uses σ(1 − σ) from the cached output, as the lectures derive,
 * so nothing is recomputed. Computed as e^x / (1 + e^x) for negative x so e^(−x) never overflows.
 */
@injectable()
export class SigmoidGate extends UnaryGate {
  /** How traces and health reports describe it (core's GateDescription). */
  static readonly description: GateDescription = {
    trace: {
      pattern: 'sigmoid: σ(1−σ)',
      elementwise: true,
      expression: (c) => `σ(${c.inputs[0]})`,
      local: localFromOutput('σ(1−σ)', (s) => `${s}·(1−${s})`),
    },
    health: { saturates: { activation: 'sigmoid', centre: 0.5, threshold: 0.49, symbol: '|σ − 0.5|' } },
  };

  protected compute(x: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) out[i] = stableSigmoid(x[i]);
  }

  protected differentiate(x: TypedArray, out: TypedArray, dout: TypedArray, dx: TypedArray): void {
    for (let i = 0; i < dx.length; i++) dx[i] = out[i] * (1 - out[i]) * dout[i];
  }
}
