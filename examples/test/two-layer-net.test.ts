import { gradcheckGraph, Tensor } from '@chainrule/core';
import { run } from '../src/two-layer-net';

/**
 * An independent plain-loop two-layer net: scores = relu(x·W1 + b1)·W2 + b2, loss = mean softmax
 * cross-entropy; returns the loss and dW1, db1, dW2, db2 by hand-written backprop.
 */
function reference(x: Tensor, y: Tensor, W1: Tensor, b1: Tensor, W2: Tensor, b2: Tensor) {
  const [n, d] = x.shape;
  const h = b1.size;
  const c = b2.size;
  const X = (i: number, k: number) => x.data[i * d + k];
  const hid: number[][] = [];
  const pre: number[][] = [];
  const scores: number[][] = [];
  for (let i = 0; i < n; i++) {
    pre.push([]);
    hid.push([]);
    for (let j = 0; j < h; j++) {
      let s = b1.data[j];
      for (let k = 0; k < d; k++) s += X(i, k) * W1.data[k * h + j];
      pre[i].push(s);
      hid[i].push(Math.max(0, s));
    }
    scores.push([]);
    for (let j = 0; j < c; j++) {
      let s = b2.data[j];
      for (let k = 0; k < h; k++) s += hid[i][k] * W2.data[k * c + j];
      scores[i].push(s);
    }
  }
  let loss = 0;
  const dscores: number[][] = [];
  for (let i = 0; i < n; i++) {
    const m = Math.max(...scores[i]);
    const e = scores[i].map((s) => Math.exp(s - m));
    const z = e.reduce((a, b) => a + b, 0);
    const label = y.data[i];
    loss += -Math.log(e[label] / z);
    dscores.push(e.map((v, j) => (v / z - (j === label ? 1 : 0)) / n));
  }
  loss /= n;
  const dW2 = new Array(h * c).fill(0);
  const db2 = new Array(c).fill(0);
  const dhid: number[][] = hid.map(() => new Array(h).fill(0));
  for (let i = 0; i < n; i++)
    for (let j = 0; j < c; j++) {
      db2[j] += dscores[i][j];
      for (let k = 0; k < h; k++) {
        dW2[k * c + j] += hid[i][k] * dscores[i][j];
        dhid[i][k] += W2.data[k * c + j] * dscores[i][j];
      }
    }
  const dW1 = new Array(d * h).fill(0);
  const db1 = new Array(h).fill(0);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < h; j++) {
      const dpre = pre[i][j] > 0 ? dhid[i][j] : 0;
      db1[j] += dpre;
      for (let k = 0; k < d; k++) dW1[k * h + j] += X(i, k) * dpre;
    }
  return { loss, dW1, db1, dW2, db2 };
}

describe('two-layer net (affine – ReLU – affine – softmax cross-entropy)', () => {
  it('loss and every parameter gradient match a plain-loop reference and gradcheckGraph', () => {
    const r = run(() => undefined, { steps: 0 });
    const { W1, b1, W2, b2 } = r.params;
    expect(W1.shape).toEqual([4, 10]);
    expect(b1.shape).toEqual([10]);
    expect(W2.shape).toEqual([10, 3]);
    expect(b2.shape).toEqual([3]);
    const ref = reference(r.feeds.x, r.feeds.y, W1.value, b1.value, W2.value, b2.value);
    expect(r.loss).toBeCloseTo(ref.loss, 13);
    const close = (got: Tensor, want: number[]) => {
      expect(got.size).toBe(want.length);
      want.forEach((v, i) => expect(got.data[i]).toBeCloseTo(v, 13));
    };
    close(W1.grad, ref.dW1);
    close(b1.grad, ref.db1);
    close(W2.grad, ref.dW2);
    close(b2.grad, ref.db2);
    // graph.parameters() lists exactly these four, and finite differences agree with every gradient.
    expect(r.graph.parameters().map((p) => p.value?.shape)).toEqual([[4, 10], [10], [10, 3], [3]]);
    const check = gradcheckGraph(r.graph, r.feeds, { tolerance: 1e-7 });
    expect(check.checked).toBe(4 * 10 + 10 + 10 * 3 + 3);
    expect(check.ok).toBe(true);
  });

  it('prints the loss near ln C at initialisation, and gradient descent lowers it', () => {
    const lines: string[] = [];
    const r = run((l) => lines.push(l));
    expect(r.loss).toBeGreaterThan(0.3);
    expect(r.loss).toBeLessThan(3);
    expect(r.losses.length).toBe(25);
    expect(r.losses[24]).toBeLessThan(r.loss * 0.5);
    expect(lines.join('\n')).toContain('dL/dW1 shape [4, 10]');
    // Seeded: identical numbers on a second run.
    expect(run(() => undefined).losses).toEqual(r.losses);
  });

  it('explains why the first loss is above ln C, and shows the small-weight sanity check with the numbers it computed', () => {
    const lines: string[] = [];
    const r = run((l) => lines.push(l), { steps: 0 });
    const text = lines.join('\n');
    const why = lines.find((l) => l.includes('why above chance')) as string;
    const check = lines.find((l) => l.includes('sanity check')) as string;
    expect(why).toBeDefined();
    expect(check).toBeDefined();
    expect(text).toContain(`initial loss ${r.loss.toFixed(4)} (chance level ln 3 = ${Math.log(3).toFixed(4)})`);
    // the quoted spread is the std of the scores this run computed
    const scores = r.graph.node('fc2').value as Tensor;
    const d = Array.from(scores.data);
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    const std = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length);
    expect(why).toContain(`scores spread ${std.toFixed(4)}`);
    expect(r.sanity.scoreStd).toBeCloseTo(std, 12);
    // small weights: the loss it quotes is the computed one, and it is within 1% of ln 3 (the lecture's check)
    expect(check).toContain(`the loss is ${r.sanity.smallLoss.toFixed(4)} ≈ ln 3 = 1.0986`);
    expect(Math.abs(r.sanity.smallLoss - Math.log(3))).toBeLessThan(0.01 * Math.log(3));
    expect(r.sanity.smallScoreStd).toBeLessThan(0.01);
    expect(check).toContain(`spread ${r.sanity.smallScoreStd.toFixed(4)}`);
    // and the He-initialised net is above chance because its scores are spread out
    expect(r.loss).toBeGreaterThan(Math.log(3));
    expect(std).toBeGreaterThan(100 * r.sanity.smallScoreStd);
  });
});
