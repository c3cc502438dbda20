import { ComputationalGraph, NonFiniteError, Tensor } from '@chainrule/core';
import { AddGate, MultiplyGate, PowGate, ReLUGate, SigmoidGate, TanhGate } from '@chainrule/gates';
import { formatHealthReport, healthReport } from '../src';
import { ComposedSigmoidGate, container } from './lecture-graphs';

/** x[batch, 1] · W[1, 3] + b[1, 3], then ReLU, sigmoid and tanh of it, summed. */
function layer(b: number[][], x: number[][]) {
  const g = new ComputationalGraph(container());
  const W = g.parameter('W', Tensor.from([[1, -1, 0.5]]));
  const bias = g.parameter('b', Tensor.from(b));
  const input = g.input('x', { requiresGrad: false });
  const h = g.gate(AddGate, [g.gate(MultiplyGate, [input, W], { name: 'xW' }), bias], { name: 'h' });
  const relu = g.gate(ReLUGate, [h], { name: 'relu' });
  const sig = g.gate(SigmoidGate, [h], { name: 'sig' });
  const tanh = g.gate(TanhGate, [h], { name: 'tanh' });
  g.gate(AddGate, [g.gate(AddGate, [relu, sig], { name: 'rs' }), tanh], { name: 'out' });
  g.forward({ x });
  g.backward({ seed: Tensor.ones([x.length, 3]) });
  return g;
}

/** y = sqrt(a) · a, built from PowGate(p = 0.5): NaN for a < 0 in forward, Infinity at a = 0 in backward. */
function sqrtGraph(finiteCheck: boolean) {
  const g = new ComputationalGraph(container(), { finiteCheck });
  const a = g.input('a');
  const sqrt = g.gate(PowGate, [a], { name: 'sqrt', options: { p: 0.5 } });
  g.gate(MultiplyGate, [sqrt, a], { name: 'y' });
  return g;
}

describe('healthReport', () => {
  test('norms per gate node and parameter', () => {
    const report = healthReport(layer([[0, 0, 0]], [[1], [2]]));
    expect(report.hasGradients).toBe(true);
    expect(report.gates.map((g) => g.path)).toEqual(['W', 'b', 'xW', 'h', 'relu', 'sig', 'tanh', 'rs', 'out']);
    const xW = report.gates.find((g) => g.path === 'xW')!;
    // xW = [[1, -1, 0.5], [2, -2, 1]]: norm sqrt(1 + 1 + 0.25 + 4 + 4 + 1) = 3.354
    expect(xW.outputNorm).toBeCloseTo(Math.sqrt(11.25), 12);
    expect(xW.shape).toEqual([2, 3]);
    expect(xW.gradNorm).toBeGreaterThan(0);
    expect(report.gates.find((g) => g.path === 'out')!.gradNorm).toBeCloseTo(Math.sqrt(6), 12);
    expect(report.firstNonFinite).toBeUndefined();
  });

  test('flags ReLUs that are dead for the whole batch', () => {
    // b = -10 on every unit: h < 0 for every row, so every ReLU unit outputs 0.
    const report = healthReport(layer([[-10, -10, -10]], [[1], [2], [-1], [0.5]]));
    const relu = report.gates.find((g) => g.path === 'relu')!;
    expect(relu.dead).toEqual({ count: 3, units: 3, rows: 4, share: 1 });
    expect(report.flags).toContain("dead ReLU: 'relu' (ReLUGate): all 3 of 3 units output 0 for every row of the batch of 4: no gradient passes through it");
    expect(formatHealthReport(report)).toMatch(/\nrelu +ReLUGate +\[4×3\] +0 +3\.46 +3\/3\n/);
    expect(formatHealthReport(report)).toMatch(/relu .* 3\/3/);
  });

  test('a unit alive for one row of the batch is not dead', () => {
    // Unit 0: h = x - 1 > 0 only for x = 2; unit 1: h = -x - 1 > 0 only for x = -2; unit 2: h = x/2 - 5 never.
    const report = healthReport(layer([[-1, -1, -5]], [[2], [-2], [0]]));
    const relu = report.gates.find((g) => g.path === 'relu')!;
    expect(relu.dead).toEqual({ count: 1, units: 3, rows: 3, share: 1 / 3 });
    expect(report.flags).toContain("dead ReLU: 'relu' (ReLUGate): 1 of 3 units output 0 for every row of the batch of 3");
  });

  test('measures saturated sigmoid and tanh units', () => {
    const report = healthReport(layer([[10, 0, -20]], [[1], [0]]));
    const sig = report.gates.find((g) => g.path === 'sig')!;
    const tanh = report.gates.find((g) => g.path === 'tanh')!;
    // h = [[11, -1, -19.5], [10, 0, -20]]: σ saturates at 11, -19.5, 10, -20; tanh too (|tanh(-1)| = 0.76 does not).
    expect(sig.saturated).toEqual({ activation: 'sigmoid', count: 4, total: 6, share: 4 / 6 });
    expect(tanh.saturated).toEqual({ activation: 'tanh', count: 4, total: 6, share: 4 / 6 });
    expect(report.flags).toContain("saturated: 'sig' (SigmoidGate): 66.7% of its units (|σ − 0.5| > 0.49), where the local gradient is almost 0");
    expect(healthReport(layer([[10, 0, -20]], [[1], [0]]), { saturationFlag: 0.9 }).flags.some((f) => f.startsWith('saturated'))).toBe(false);
  });

  test('names the first gate that made NaN in forward, with the inputs it got (scanning)', () => {
    const g = sqrtGraph(false);
    g.forward({ a: [4, -1] });
    g.backward({ seed: Tensor.ones([2]) });
    const report = healthReport(g);
    expect(report.firstNonFinite).toMatchObject({ phase: 'forward', path: 'sqrt', gateType: 'PowGate', source: 'scan' });
    expect(report.firstNonFinite!.inputs).toEqual([{ name: 'a', summary: '[2] (4, -1)', finite: true }]);
    expect(report.flags[0]).toBe("non-finite: 'sqrt' (PowGate) produced NaN or Infinity in forward (the first gate to do so): [2] (2, NaN)");
    expect(report.gates.find((h) => h.path === 'y')!.nonFiniteOutputs).toBe(1);
  });

  test('names the gate that finite-check mode stopped at', () => {
    const g = sqrtGraph(true);
    let error: unknown;
    try {
      g.forward({ a: [4, -1] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NonFiniteError);
    const report = healthReport(g, { error });
    expect(report.firstNonFinite).toMatchObject({ phase: 'forward', path: 'sqrt', gateType: 'PowGate', source: 'error' });
    expect(report.firstNonFinite!.inputs).toEqual([{ name: 'a', summary: '[2] (4, -1)', finite: true }]);
    const text = formatHealthReport(report);
    expect(text).toContain('First non-finite (forward, found by the finite check): sqrt (PowGate)');
    expect(text).toContain('  a = [2] (4, -1)');
  });

  test('names the first gate that made Infinity in backward', () => {
    for (const finiteCheck of [false, true]) {
      const g = sqrtGraph(finiteCheck);
      let error: unknown;
      try {
        g.forward({ a: [4, 0] }); // sqrt(0) = 0 is fine; its derivative 0.5 / sqrt(0) is not
        g.backward({ seed: Tensor.ones([2]) });
      } catch (e) {
        error = e;
      }
      expect(error === undefined).toBe(!finiteCheck);
      const report = healthReport(g, { error });
      expect(report.firstNonFinite).toMatchObject({ phase: 'backward', path: 'sqrt', source: finiteCheck ? 'error' : 'scan' });
      expect(report.firstNonFinite!.inputs).toEqual([
        { name: 'a', summary: '[2] (4, 0)', finite: true },
        { name: 'upstream dL/d(sqrt)', summary: '[2] (4, 0)', finite: true },
      ]);
    }
  });

  test('looks inside composite gates', () => {
    const g = new ComputationalGraph(container());
    g.gate(ComposedSigmoidGate, [g.input('x')], { name: 'sig' });
    g.forward({ x: [[-800, 1]] }); // exp(800) = Infinity; 1/Infinity = 0 is finite again
    g.backward({ seed: Tensor.ones([1, 2]) });
    const report = healthReport(g);
    expect(report.gates.map((h) => h.path)).toEqual(['x', 'sig/neg', 'sig/exp', 'sig/plus1', 'sig/recip']);
    expect(report.firstNonFinite).toMatchObject({ phase: 'forward', path: 'sig/exp', gateType: 'ExpGate' });
    expect(report.firstNonFinite!.inputs).toEqual([{ name: 'sig/neg', summary: '[1×2] (800, -1)', finite: true }]);
  });

  test('formats a table', () => {
    const text = formatHealthReport(healthReport(layer([[-10, -10, -10]], [[1], [2]])));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^node +gate +shape +\|out\| +\|grad\| +saturated +dead +non-finite$/);
    expect(lines[1]).toMatch(/^-+ +-+/);
    expect(text).toContain('Flags:');
    expect(healthReport(layer([[0, 0, 0]], [[1], [-1]])).flags).toEqual([]);
    expect(formatHealthReport(healthReport(layer([[0, 0, 0]], [[1], [-1]])))).toContain('No problems found.');
  });
});

describe('vanishing and exploding gradients', () => {
  /** A chain of `depth` scalar layers h ← act(w·h) with every weight `w`; the loss is the last h. */
  function chain(act: typeof SigmoidGate | typeof TanhGate, w: number, depth: number) {
    const g = new ComputationalGraph(container());
    let h = g.input('x', { requiresGrad: false }) as ReturnType<ComputationalGraph['input']>;
    for (let i = 1; i <= depth; i++) {
      const wi = g.parameter(`w${i}`, Tensor.from([w]));
      h = g.gate(act, [g.gate(MultiplyGate, [h, wi], { name: `z${i}` })], { name: `h${i}` });
    }
    g.forward({ x: [0.5] });
    g.backward();
    return g;
  }

  test('a deep sigmoid chain with small weights is flagged, naming the parameters at both ends', () => {
    // Each sigmoid layer multiplies the gradient by at most 0.25·w: over 10 layers of w = 0.1, about 1e-16.
    const report = healthReport(chain(SigmoidGate, 0.1, 10));
    const flag = report.flags.find((f) => f.startsWith('vanishing/exploding gradients'));
    expect(flag).toMatch(/parameter 'w1' has gradient norm .*times smaller than parameter 'w10'/);
    expect(formatHealthReport(report)).toContain('vanishing/exploding gradients');
  });

  test('a short healthy chain is not flagged', () => {
    const report = healthReport(chain(TanhGate, 1, 3));
    expect(report.flags.filter((f) => f.startsWith('vanishing/exploding'))).toEqual([]);
    expect(healthReport(chain(TanhGate, 1, 3), { gradientSpread: 1.0001 }).flags.some((f) => f.startsWith('vanishing'))).toBe(true);
  });
});
