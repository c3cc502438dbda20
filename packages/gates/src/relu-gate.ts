import { GateDescription, reluGrad, scalarValue, TypedArray, UnaryGate } from '@chainrule/core';
import { injectable } from 'inversify';

/**
 * max(0, x). Backward passes dout where x > 0 and 0 elsewhere; at x = 0 exactly the gradient is 0,
 * as in PyTorch and TensorFlow. NaN stays NaN in both directions (as PyTorch's relu): a NaN input
 * must not become a plausible 0.
 */
@injectable()
export class ReLUGate extends UnaryGate {
  /** How traces and health reports describe it (core's GateDescription). */
  static readonly description: GateDescription = {
    trace: {
      pattern: 'ReLU routes where positive',
      elementwise: true,
      expression: (c) => `max(0, ${c.inputs[0]})`,
      local: (_j, c) => {
        const v = scalarValue(c.values[0]);
        const a = c.inputs[0];
        if (!c.scalar || v === undefined) return { formula: `1 where ${a} > 0, else 0` };
        return { formula: v > 0 ? `1 (${a} > 0: passes)` : `0 (${a} ≤ 0: blocked)` };
      },
    },
    health: { dies: { unit: 'ReLU' } },
  };

  protected compute(x: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) out[i] = x[i] <= 0 ? 0 : x[i]; // NaN <= 0 is false: NaN passes
  }

  protected differentiate(x: TypedArray, out: TypedArray, dout: TypedArray, dx: TypedArray): void {
    // core's reluGrad, the one home of ReLU's derivative (AffineGate's too): dout where x > 0, 0 where
    // x <= 0, NaN where x is NaN; a SIMD loop where the arrays live in the kernel's memory.
    reluGrad(x, dout, dx);
  }
}
