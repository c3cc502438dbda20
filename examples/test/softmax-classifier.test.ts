import { run } from '../src/softmax-classifier';

test('softmax classifier: the lecture numbers (probabilities, natural-log loss, gradient)', () => {
  const lines: string[] = [];
  const r = run((l) => lines.push(l));
  expect(r.probabilities.map((p) => p.toFixed(2))).toEqual(['0.13', '0.87', '0.00']);
  expect(r.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
  expect(r.loss.toFixed(2)).toBe('2.04');
  expect(r.loss).toBeCloseTo(-Math.log(r.probabilities[0]), 12);
  expect(r.lossLog10.toFixed(2)).toBe('0.89');
  expect(r.gradient[0]).toBeCloseTo(r.probabilities[0] - 1, 14);
  expect(r.gradient[1]).toBeCloseTo(r.probabilities[1], 14);
  expect(r.gradient[2]).toBeCloseTo(r.probabilities[2], 14);
  expect(r.gradient.map((v) => v.toFixed(2))).toEqual(['-0.87', '0.87', '0.00']);
  const text = lines.join('\n');
  expect(text).toContain('probabilities: cat 0.13, car 0.87, frog 0.00');
  expect(text).toContain('2.04');
  expect(text).toMatch(/natural log.*0\.89.*base-10/);
  expect(text).toContain('cat -0.87, car 0.87, frog 0.00');
});
