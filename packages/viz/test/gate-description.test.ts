import { bindGate, ComputationalGraph, GateDescription, parenthesize, scalarValue, Tensor, TypedArray, UnaryGate } from '@chainrule/core';
import { injectable } from 'inversify';
import { formatHealthReport, healthReport, traceBackward } from '../src';
import { container } from './lecture-graphs';

/**
 * hard σ(x) = clamp(x/4 + 1/2, 0, 1), a gate viz has never heard of: everything the trace and the
 * health report say about it below comes from its own static description.
 */
@injectable()
class HardSigmoidGate extends UnaryGate {
  static readonly description: GateDescription = {
    trace: {
      pattern: 'hard sigmoid: 1/4 inside the ramp, 0 outside',
      elementwise: true,
      expression: (c) => `hardσ(${c.inputs[0]})`,
      local: (_j, c) => {
        const v = scalarValue(c.values[0]);
        return { formula: '1/4 where |x| < 2, else 0', substituted: c.scalar && v !== undefined ? `|${parenthesize(c.num(v))}| < 2` : undefined };
      },
    },
    health: {
      saturates: { activation: 'hard-sigmoid', centre: 0.5, threshold: 0.49, symbol: '|hardσ − 0.5|' },
      dies: { unit: 'hard sigmoid' },
    },
  };

  protected compute(x: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, x[i] / 4 + 0.5));
  }

  protected differentiate(x: TypedArray, out: TypedArray, dout: TypedArray, dx: TypedArray): void {
    for (let i = 0; i < dx.length; i++) dx[i] = Math.abs(x[i]) < 2 ? dout[i] / 4 : 0;
  }
}

function graph() {
  const c = container();
  bindGate(c, HardSigmoidGate);
  const g = new ComputationalGraph(c);
  g.gate(HardSigmoidGate, [g.input('x')], { name: 'h' });
  return g;
}

describe('a custom gate described by its own class', () => {
  test('gets a trace line with its pattern, formula and substituted local derivative', () => {
    const g = graph();
    g.forward({ x: 1 });
    g.backward();
    expect(traceBackward(g)).toContain(
      '1. HardSigmoidGate h = hardσ(x) (hard sigmoid: 1/4 inside the ramp, 0 outside): ∂h/∂x = 1/4 where |x| < 2, else 0 = |1| < 2 = 0.25; upstream 1 → ∂L/∂x = 0.25 × 1 = 0.25',
    );
  });

  test('is classified by the health report as it declares: saturated and dead units', () => {
    const g = graph();
    // Rows of 3 units: unit 0 is below the ramp in every row (dead), units 0 and 2 saturate.
    g.forward({ x: [[-10, 0, 10], [-3, 1, 9]] });
    g.backward({ seed: Tensor.ones([2, 3]) });
    const report = healthReport(g);
    const h = report.gates.find((r) => r.path === 'h')!;
    expect(h.saturated).toEqual({ activation: 'hard-sigmoid', count: 4, total: 6, share: 4 / 6 });
    expect(h.dead).toEqual({ count: 1, units: 3, rows: 2, share: 1 / 3 });
    expect(report.flags).toContain("saturated: 'h' (HardSigmoidGate): 66.7% of its units (|hardσ − 0.5| > 0.49), where the local gradient is almost 0");
    expect(report.flags).toContain("dead hard sigmoid: 'h' (HardSigmoidGate): 1 of 3 units output 0 for every row of the batch of 2");
    // A threshold override by activation name.
    expect(healthReport(g, { saturation: { 'hard-sigmoid': 0.5 } }).gates.find((r) => r.path === 'h')!.saturated!.count).toBe(0);
    expect(formatHealthReport(report)).toMatch(/\nh +HardSigmoidGate +\[2×3\] .* 66\.7% +1\/3\n/);
  });
});
