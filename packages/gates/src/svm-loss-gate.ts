import { expectDout, expectInputs, Gate, Tensor } from '@chainrule/core';
import { injectable } from 'inversify';
import { checkClassLabels } from './labels';
import { gradBuffer, scalarBuffer } from './grad-buffer';

/**
 * The multiclass SVM (hinge) loss with margin 1: inputs scores [N, C] and labels [N] (integer
 * class indices in [0, C), as a float tensor), output the scalar
 *
 *   L = (1/N) Σᵢ Σ_{j ≠ yᵢ} max(0, sᵢⱼ − sᵢ,yᵢ + 1).
 *
 * Backward: each j ≠ yᵢ with a positive margin gets dout/N, and the correct class gets −dout/N
 * times the number of such j. At a margin of exactly 0 the gradient is 0 (as ReLUGate's at 0).
 * A NaN margin (a NaN score, or +∞ − +∞) makes the loss and that row's gradient NaN, never a silent 0.
 *
 * Labels get no gradient: backward returns a zero tensor of the labels' shape and dtype for them.
 * Bad labels throw ShapeError (not [N]) or LabelError (not an integer in [0, C)), naming the gate.
 */
@injectable()
export class SVMLossGate implements Gate {
  private scores: Tensor | undefined;
  private labels: Tensor | undefined;
  private output: Tensor | undefined;
  private readonly grads: Tensor[] = [];

  forward(...inputs: Tensor[]): Tensor {
    expectInputs('SVMLossGate', inputs, 2);
    const [s, y] = inputs;
    checkClassLabels('SVMLossGate', s, y);
    const [n, c] = s.shape;
    const out = (this.output = scalarBuffer(this.output, s.dtype));
    this.scores = s;
    this.labels = y;
    const sd = s.data;
    const yd = y.data;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const row = i * c;
      const yi = yd[i];
      const correct = sd[row + yi];
      for (let j = 0; j < c; j++) {
        if (j === yi) continue;
        const margin = sd[row + j] - correct + 1;
        if (!(margin <= 0)) total += margin; // NaN is added, not skipped
      }
    }
    out.data[0] = total / n;
    return out;
  }

  backward(dout: Tensor): Tensor[] {
    const s = this.scores;
    expectDout('SVMLossGate', s, dout, this.output?.shape);
    const y = this.labels as Tensor;
    const [n, c] = s.shape;
    const ds = gradBuffer(this.grads, 0, s);
    const dy = gradBuffer(this.grads, 1, y);
    dy.data.fill(0);
    const scale = dout.data[0] / n;
    const sd = s.data;
    const yd = y.data;
    const d = ds.data;
    for (let i = 0; i < n; i++) {
      const row = i * c;
      const yi = yd[i];
      const correct = sd[row + yi];
      let count = 0;
      for (let j = 0; j < c; j++) {
        const margin = sd[row + j] - correct + 1;
        if (j !== yi && margin > 0) {
          d[row + j] = scale;
          count++;
        } else if (j === yi || margin <= 0) {
          d[row + j] = 0;
        } else {
          d[row + j] = NaN; // a NaN margin
          count = NaN;
        }
      }
      d[row + yi] = 0 - count * scale; // 0 − 0 is +0, never −0
    }
    return this.grads;
  }
}
