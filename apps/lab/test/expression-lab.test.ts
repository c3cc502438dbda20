import 'reflect-metadata';
import { Tensor } from '@chainrule/core';
import { buildFormula } from '../src/expr/build-graph';
import { ExpressionLab } from '../src/expr/expression-lab';
import { PRESETS, presetById } from '../src/presets';
import { formulaError } from './formula-error';

const round2 = (t: Tensor | undefined) => Array.from((t as Tensor).data, (v) => Math.round(v * 100) / 100);
const lab = (id: string) => {
  const p = presetById(id)!;
  return ExpressionLab.create(p.formula, p.values);
};

describe('lecture presets', () => {
  test('(x + y) z at -2, 5, -4: -12 and gradients -4, -4, 3', () => {
    const l = lab('add-multiply');
    expect(l.evaluation.output.item()).toBe(-12);
    expect(['x', 'y', 'z'].map((v) => l.evaluation.grads.get(v)!.item())).toEqual([-4, -4, 3]);
    expect(l.graph.nodes.filter((n) => n.kind === 'gate').map((n) => `${n.name}:${n.gateType}`)).toEqual(['q:AddGate', 'f:MultiplyGate']);
  });

  test.each(['sigmoid-gates', 'sigmoid-neuron'])('%s: 0.73, dw [-0.20, -0.39, 0.20], dx [0.39, -0.59]', (id) => {
    const l = lab(id);
    expect(Math.round(l.evaluation.output.item() * 100) / 100).toBe(0.73);
    expect(['w0', 'w1', 'w2'].map((v) => Math.round(l.evaluation.grads.get(v)!.item() * 100) / 100)).toEqual([-0.2, -0.39, 0.2]);
    expect(['x0', 'x1'].map((v) => Math.round(l.evaluation.grads.get(v)!.item() * 100) / 100)).toEqual([0.39, -0.59]);
  });

  test('the primitive-gate neuron and the SigmoidGate neuron agree to rounding', () => {
    const a = lab('sigmoid-gates');
    const b = lab('sigmoid-neuron');
    for (const v of ['w0', 'w1', 'w2', 'x0', 'x1']) expect(a.evaluation.grads.get(v)!.item()).toBeCloseTo(b.evaluation.grads.get(v)!.item(), 12);
    expect(a.graph.nodes.map((n) => n.gateType).filter(Boolean)).toEqual(
      expect.arrayContaining(['NegateGate', 'ExpGate', 'AddConstantGate', 'ReciprocalGate']),
    );
    expect(b.graph.nodes.map((n) => n.gateType)).toContain('SigmoidGate');
  });

  test('gate patterns: add distributes, max routes, multiply switches', () => {
    const l = lab('gate-patterns');
    expect(l.evaluation.output.item()).toBe(-20);
    expect(['x', 'y', 'z', 'w'].map((v) => l.evaluation.grads.get(v)!.item())).toEqual([-8, 6, 2, 0]);
  });

  test('softmax classifier on cat/car/frog: loss 2.04, gradient [-0.87, 0.87, 0]', () => {
    const l = lab('softmax');
    expect(Math.round(l.evaluation.output.item() * 100) / 100).toBe(2.04);
    expect(round2(l.evaluation.grads.get('s'))).toEqual([-0.87, 0.87, 0]);
    expect(l.evaluation.grads.has('y')).toBe(false);
  });

  test('every preset builds, and its gates pass gradcheck node by node', () => {
    for (const p of PRESETS) {
      const l = ExpressionLab.create(p.formula, p.values);
      for (const n of l.graph.nodes) {
        if (n.kind === 'constant' || !n.requiresGrad) continue;
        const c = l.check(n.name);
        expect({ preset: p.id, node: n.name, ok: c.ok }).toEqual({ preset: p.id, node: n.name, ok: true });
      }
      // the check leaves the user's pass in place
      expect(l.graph.output.value!.item()).toBeCloseTo(l.evaluation.output.item(), 12);
    }
  });
});

describe('building formulas', () => {
  test('literals become configured gates, as the lectures draw them', () => {
    const gates = (f: string) => buildFormula(f).graph.nodes.filter((n) => n.kind === 'gate').map((n) => `${n.gateType}${n.options ? JSON.stringify(n.options) : ''}`);
    expect(gates('x + 1')).toEqual(['AddConstantGate{"c":1}']);
    expect(gates('x - 2')).toEqual(['AddConstantGate{"c":-2}']);
    expect(gates('3 * x')).toEqual(['ScaleGate{"a":3}']);
    expect(gates('1 / x')).toEqual(['ReciprocalGate']);
    expect(gates('x ^ 2')).toEqual(['PowGate{"p":2}']);
    expect(gates('pow(x, 2 * 1.5)')).toEqual(['PowGate{"p":3}']);
    expect(gates('log(x) - tanh(y)')).toEqual(['LogGate', 'TanhGate', 'SubtractGate']);
    expect(gates('relu(x) / y')).toEqual(['ReLUGate', 'DivideGate']);
    expect(gates('x')).toEqual(['ScaleGate{"a":1}']);
  });

  test('vectors broadcast through the elementwise gates', () => {
    const l = ExpressionLab.create('x * y + 1', { x: [1, 2, 3], y: 2 });
    expect(Array.from(l.evaluation.output.data)).toEqual([3, 5, 7]);
    // L = Σ f: dL/dx = y everywhere, dL/dy = Σ x
    expect(Array.from(l.evaluation.grads.get('x')!.data)).toEqual([2, 2, 2]);
    expect(l.evaluation.grads.get('y')!.item()).toBe(6);
  });

  test.each([
    ['foo(x)', 0, "unknown function 'foo'"],
    ['max(x)', 0, 'max() takes 2 arguments, got 1'],
    ['x ^ y', 4, 'the exponent of ^ must be a number'],
    ['2 + 3', 0, 'reads no variable'],
    ['softmax_loss(s, 0)', 16, 'must be a variable'],
  ])('%s is refused at character %i', (src, pos, reason) => {
    const err = formulaError(() => buildFormula(src));
    expect(err.pos).toBe(pos);
    expect(err.reason).toContain(reason);
  });
});

describe('stepping through (x + y) z', () => {
  test('forward in topological order, then backward in reverse, with the numbers filled in', () => {
    const l = lab('add-multiply');
    const s = l.stepper;
    expect(s.steps.map((st) => `${st.phase[0]}:${st.node}`)).toEqual(['f:q', 'f:f', 'b:f', 'b:q']);
    expect(l.explain()[0]).toContain('x = -2, y = 5, z = -4');
    expect(s.valueShown('q')).toBe(false);
    s.next();
    expect(l.explain()).toEqual(['forward, AddGate: q = x + y = (-2) + 5 = 3']);
    expect(s.valueShown('q')).toBe(true);
    expect(s.valueShown('f')).toBe(false);
    s.next();
    expect(l.explain()).toEqual(['forward, MultiplyGate: f = q · z = 3 · (-4) = -12']);
    expect(s.gradShown('f')).toBe(false);
    s.next();
    const back = l.explain().join('\n');
    expect(l.explain()[1]).toBe('backward, MultiplyGate f = q · z (multiply switches):');
    expect(back).toContain('∂f/∂q = z = -4; upstream 1 → ∂L/∂q = (-4) × 1 = -4');
    expect(back).toContain('∂f/∂z = q = 3; upstream 1 → ∂L/∂z = 3 × 1 = 3');
    expect(s.gradShown('f')).toBe(true);
    expect(s.gradShown('z')).toBe(true);
    expect(s.gradShown('x')).toBe(false);
    s.next();
    expect(l.explain().join('\n')).toContain('∂L/∂x = 1 × (-4) = -4');
    expect(s.done).toBe(true);
    expect(s.next()).toBe(false);
    s.back();
    expect(s.gradShown('x')).toBe(false);
    s.reset();
    expect(s.position).toBe(0);
    s.runForward();
    expect(s.current).toEqual({ phase: 'forward', node: 'f' });
    s.runBackward();
    expect(s.done).toBe(true);
  });

  test('a value that fans out shows its gradient as the sum of the shares', () => {
    const l = lab('branches');
    expect(l.stepper.consumersOf('x')).toHaveLength(2);
    const sum = l.fanOut('x')!;
    const sig = 1 / (1 + Math.exp(-2));
    // ∂f/∂x = y + σ(1−σ) = -1 + 0.105
    expect(sum).toMatch(/gradients add at the branch: ∂L\/∂x = 0\.10\d+ \+ \(-1\) = -0\.89\d+/);
    expect(l.evaluation.grads.get('x')!.item()).toBeCloseTo(-1 + sig * (1 - sig), 12);
    expect(l.fanOut('y')).toBeUndefined();
  });
});
