import { gradcheckGraph } from '@chainrule/core';
import { run } from '../src/three-layer-network';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** h = W·v + b with W [rows, cols] row-major. */
function affine(W: number[], b: number[], v: number[], rows: number, cols: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < rows; i++) {
    let s = b[i];
    for (let j = 0; j < cols; j++) s += W[i * cols + j] * v[j];
    out.push(s);
  }
  return out;
}

test('three-layer network: forward matches the numpy recipe, backward matches hand-derived gradients', () => {
  const lines: string[] = [];
  const r = run((l) => lines.push(l));
  const p = r.nodes;
  expect(p.W1.shape).toEqual([4, 3]);
  expect(p.b1.shape).toEqual([4]);
  expect(p.W2.shape).toEqual([4, 4]);
  expect(p.b2.shape).toEqual([4]);
  expect(p.W3.shape).toEqual([1, 4]);
  expect(p.b3.shape).toEqual([1]);
  expect(p.x.shape).toEqual([3]);

  // Forward, as in the lecture.
  const h1 = affine(p.W1.value, p.b1.value, r.x, 4, 3).map(sigmoid);
  const h2 = affine(p.W2.value, p.b2.value, h1, 4, 4).map(sigmoid);
  const out = affine(p.W3.value, p.b3.value, h2, 1, 4);
  r.h1.forEach((v, i) => expect(v).toBeCloseTo(h1[i], 14));
  r.h2.forEach((v, i) => expect(v).toBeCloseTo(h2[i], 14));
  expect(r.out[0]).toBeCloseTo(out[0], 14);

  // Backward by hand: dout = 1.
  const dh2 = p.W3.value.slice(); // d out / d h2 = W3
  const dz2 = dh2.map((g, i) => g * h2[i] * (1 - h2[i]));
  const dh1 = [0, 1, 2, 3].map((j) => [0, 1, 2, 3].reduce((s, i) => s + p.W2.value[i * 4 + j] * dz2[i], 0));
  const dz1 = dh1.map((g, i) => g * h1[i] * (1 - h1[i]));
  const dx = [0, 1, 2].map((j) => [0, 1, 2, 3].reduce((s, i) => s + p.W1.value[i * 3 + j] * dz1[i], 0));
  const close = (a: number[], b: number[]) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 13));
  close(p.b3.grad, [1]);
  close(p.W3.grad, h2);
  close(p.b2.grad, dz2);
  close(p.W2.grad, dz2.flatMap((g) => h1.map((h) => g * h)));
  close(p.b1.grad, dz1);
  close(p.W1.grad, dz1.flatMap((g) => r.x.map((v) => g * v)));
  close(p.x.grad, dx);

  expect(gradcheckGraph(r.graph, { x: [...r.x] }, { tolerance: 1e-7 }).ok).toBe(true);
  expect(lines.some((l) => l.includes('d(out)/dW1 shape [4, 3]'))).toBe(true);
  // Seeded: the same numbers every run.
  expect(run(() => undefined).out[0]).toBe(r.out[0]);
});
