import { ComputationalGraph, InvalidArgumentError, Tensor } from '@chainrule/core';
import { AddGate, MaxGate, MultiplyGate, ReLUGate, SigmoidGate, TanhGate } from '@chainrule/gates';
import { readFileSync } from 'fs';
import { join } from 'path';
import { toDot, traceBackward } from '../src';
import { addMultiply, ComposedSigmoidGate, container, ScaledSquare, sigmoidNeuron, SquareGate } from './lecture-graphs';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

describe('traceBackward', () => {
  test('the sigmoid neuron σ(w0·x0 + w1·x1 + w2) from primitive gates matches the stored trace', () => {
    const { g, f, w0, w1, w2, x0, x1 } = sigmoidNeuron();
    // The graph's own numbers, as the lecture gives them.
    expect(f.value!.item()).toBeCloseTo(0.73, 2);
    expect([w0, w1, w2].map((n) => n.grad!.item())).toEqual([expect.closeTo(-0.2, 2), expect.closeTo(-0.39, 2), expect.closeTo(0.2, 2)]);
    expect([x0, x1].map((n) => n.grad!.item())).toEqual([expect.closeTo(0.39, 2), expect.closeTo(-0.59, 2)]);
    expect(traceBackward(g)).toBe(fixture('sigmoid-neuron.trace.txt'));
  });

  test('at two significant digits it prints the lecture’s numbers', () => {
    const text = traceBackward(sigmoidNeuron().g, { digits: 2 });
    expect(text).toBe(fixture('sigmoid-neuron.digits2.trace.txt'));
    for (const line of ['∂L/∂w0 = -0.2 (parameter)', '∂L/∂w1 = -0.39 (parameter)', '∂L/∂w2 = 0.2 (parameter)', '∂L/∂x0 = 0.39', '∂L/∂x1 = -0.59']) {
      expect(text).toContain(line);
    }
    expect(text).toContain('L = f = 0.73');
  });

  test('(x + y) · z: multiply switches, add distributes', () => {
    const lines = traceBackward(addMultiply().g).trimEnd().split('\n');
    expect(lines).toEqual([
      'Backward pass through 2 gates in reverse topological order; L = f = -12, seed ∂L/∂f = 1',
      '1. MultiplyGate f = q · z (multiply switches): ∂f/∂q = z = -4; upstream 1 → ∂L/∂q = (-4) × 1 = -4',
      '1. MultiplyGate f = q · z (multiply switches): ∂f/∂z = q = 3; upstream 1 → ∂L/∂z = 3 × 1 = 3',
      '2. AddGate q = x + y (add distributes): ∂q/∂x = 1; upstream -4 → ∂L/∂x = 1 × (-4) = -4',
      '2. AddGate q = x + y (add distributes): ∂q/∂y = 1; upstream -4 → ∂L/∂y = 1 × (-4) = -4',
      'Gradients of the inputs and parameters (the graph’s node.grad):',
      '  ∂L/∂x = -4',
      '  ∂L/∂y = -4',
      '  ∂L/∂z = 3',
    ]);
  });

  test('gradients add at a branch, and the trace says so', () => {
    const g = new ComputationalGraph(container());
    const x = g.input('x');
    const sq = g.gate(MultiplyGate, [x, x], { name: 'sq' });
    g.gate(AddGate, [sq, x], { name: 'out' });
    g.forward({ x: 3 });
    g.backward();
    const text = traceBackward(g);
    expect(text).toContain('→ ∂L/∂x += 1 × 1 = 1 (share 1 of 3: x feeds 3 gate inputs)');
    expect(text).toContain('2. MultiplyGate sq = x · x (multiply switches): ∂sq/∂x = x = 3; upstream 1 → ∂L/∂x += 3 × 1 = 3 (share 3 of 3');
    expect(text).toContain('   ↳ gradients add at the branch: ∂L/∂x = 1 + 3 + 3 = 7\n');
    expect(x.grad!.item()).toBe(7);
  });

  test('max routes, ReLU blocks, sigmoid and tanh use their outputs', () => {
    const g = new ComputationalGraph(container());
    const a = g.input('a');
    const b = g.input('b');
    const m = g.gate(MaxGate, [a, b], { name: 'm' });
    const r = g.gate(ReLUGate, [b], { name: 'r' });
    const s = g.gate(SigmoidGate, [m], { name: 's' });
    const t = g.gate(TanhGate, [r], { name: 't' });
    g.gate(AddGate, [s, t], { name: 'out' });
    g.forward({ a: 2, b: -1 });
    g.backward();
    const text = traceBackward(g);
    expect(text).toContain('MaxGate m = max(a, b) (max routes): ∂m/∂a = 1 (a ≥ b: the gradient is routed here);');
    expect(text).toContain('MaxGate m = max(a, b) (max routes): ∂m/∂b = 0 (b ≤ a: not the max; ties go to the first input);');
    expect(text).toContain('ReLUGate r = max(0, b) (ReLU routes where positive): ∂r/∂b = 0 (b ≤ 0: blocked);');
    expect(text).toContain('SigmoidGate s = σ(m) (sigmoid: σ(1−σ)): ∂s/∂m = σ(1−σ) = 0.8808·(1−0.8808) = 0.105; upstream 1 → ∂L/∂m = 0.105 × 1 = 0.105');
    expect(text).toContain('TanhGate t = tanh(r) (tanh: 1 − tanh²): ∂t/∂r = 1 − tanh² = 1 − 0² = 1;');
  });

  test('a custom gate gets the generic local-gradient phrasing, or a rule of its own', () => {
    const g = new ComputationalGraph(container());
    g.gate(SquareGate, [g.input('x')], { name: 'y' });
    g.forward({ x: -3 });
    g.backward();
    expect(traceBackward(g)).toContain('1. SquareGate y = SquareGate(x) (local gradient): ∂y/∂x = -6; upstream 1 → ∂L/∂x = (-6) × 1 = -6');
    const custom = traceBackward(g, {
      rules: { SquareGate: { pattern: 'square doubles', expression: (c) => `${c.inputs[0]}²`, local: (_j, c) => ({ formula: `2·${c.inputs[0]}` }) } },
    });
    expect(custom).toContain('1. SquareGate y = x² (square doubles): ∂y/∂x = 2·x = -6; upstream 1 → ∂L/∂x = (-6) × 1 = -6');
  });

  test('a composite gate is traced through its own gates, named under it', () => {
    const g = new ComputationalGraph(container());
    g.gate(ComposedSigmoidGate, [g.input('x')], { name: 'sig' });
    g.forward({ x: 1 });
    g.backward();
    const text = traceBackward(g);
    expect(text).toContain('1. ReciprocalGate sig/recip = 1/sig/plus1 (reciprocal: −1/x²): ∂sig/recip/∂sig/plus1 = −1/sig/plus1² = −1/1.368² = -0.5344;');
    expect(text).toContain('4. NegateGate sig/neg = −x (negate flips the sign): ∂sig/neg/∂x = -1; upstream -0.1966 → ∂L/∂x = (-1) × (-0.1966) = 0.1966');
    expect(text).toContain('∂L/∂x = 0.1966');
  });

  test('small tensors print their values, larger ones a summary; broadcasting is noted', () => {
    const g = new ComputationalGraph(container());
    const b = g.parameter('b', Tensor.from([[1, 2, 3]]));
    const h = g.gate(AddGate, [g.input('a'), b], { name: 'h' });
    g.gate(MultiplyGate, [h, h], { name: 'y' });
    g.forward({ a: [[1, -1, 0.5], [2, 2, 2]] });
    g.backward({ seed: Tensor.ones([2, 3]) });
    const text = traceBackward(g);
    expect(text).toContain('MultiplyGate y = h · h (multiply switches): ∂y/∂h = h = [[2, 1, 3.5], [3, 4, 5]]; upstream [[1, 1, 1], [1, 1, 1]] → ∂L/∂h += [[2, 1, 3.5], [3, 4, 5]] (share 1 of 2');
    expect(text).toContain('↳ gradients add at the branch: ∂L/∂h = 2 shares = [[4, 2, 7], [6, 8, 10]]');
    expect(text).toContain('AddGate h = a + b (add distributes): ∂h/∂b = 1; upstream [[4, 2, 7], [6, 8, 10]] → ∂L/∂b = [[10, 10, 17]] (summed over the axes it was broadcast along)');
    const small = traceBackward(g, { inline: 3 });
    expect(small).toContain('→ ∂L/∂a = [2×3] norm 16.4, min 2, max 10');
    expect(small).toContain('→ ∂L/∂b = [[10, 10, 17]]');
  });

  test('leaves the graph’s values and gradients as they were', () => {
    const { g, x, q, f } = addMultiply();
    const before = [x.grad!.item(), q.grad!.item(), f.value!.item()];
    traceBackward(g);
    expect([x.grad!.item(), q.grad!.item(), f.value!.item()]).toEqual(before);
    g.forward({ x: 1, y: 2, z: 3 });
    g.backward();
    expect(x.grad!.item()).toBe(3);
  });

  test('notes when the gates cannot reproduce gradients accumulated over different batches', () => {
    const { g } = addMultiply();
    g.forward({ x: -2, y: 5, z: -4 });
    g.backward({ accumulate: true });
    // The same batch twice: every gradient doubles, and the gates still account for it.
    expect(traceBackward(g)).not.toContain('note:');
    expect(traceBackward(g)).toContain('∂L/∂x = -8');
    g.forward({ x: 1, y: 1, z: 1 });
    g.backward({ accumulate: true });
    const text = traceBackward(g);
    expect(text).toContain("note: re-running the gates did not reproduce the gradient of 'z'");
    expect(text).toContain('∂L/∂x = -7');
  });

  test('leaves a composite gate’s inner gradients (its parameters’) as they were', () => {
    const g = new ComputationalGraph(container());
    g.gate(ScaledSquare, [g.input('x')], { name: 'sq' });
    g.forward({ x: 3 });
    g.backward();
    g.forward({ x: 1 });
    g.backward({ accumulate: true });
    const [s] = g.parameters();
    expect(s.grad!.item()).toBe(10); // 9 + 1
    traceBackward(g);
    toDot(g);
    expect(s.grad!.item()).toBe(10);
    g.forward({ x: 2 });
    g.backward({ accumulate: true });
    expect(s.grad!.item()).toBe(14);
  });

  test('asks for a backward pass first', () => {
    const g = new ComputationalGraph(container());
    g.gate(AddGate, [g.input('x'), g.input('y')]);
    expect(() => traceBackward(g)).toThrow(InvalidArgumentError);
    g.forward({ x: 1, y: 2 });
    expect(() => traceBackward(g)).toThrow(/run graph.forward\(...\) and graph.backward\(\) first/);
  });
});
