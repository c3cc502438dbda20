import { expectDout, expectInputs, Gate, Tensor, TypedArray } from '@chainrule/core';
import { injectable } from 'inversify';
import { checkClassLabels } from './labels';
import { shifted, softmaxLines } from './softmax-row';
import { gradBuffer, scalarBuffer } from './grad-buffer';

/**
 * The softmax classifier's loss, fused: inputs scores [N, C] (logits) and labels [N] (integer class
 * indices in [0, C), as a float tensor), output the scalar
 *
 *   L = (1/N) Σᵢ −log softmax(sᵢ)[yᵢ] = (1/N) Σᵢ ((mᵢ − sᵢ,yᵢ) + log Σⱼ e^(sᵢⱼ − mᵢ)),  mᵢ = maxⱼ sᵢⱼ,
 *
 * in natural log; subtracting the row maximum keeps it finite for logits of ±1000 and it never
 * takes log(0). A +Infinity logit gives the limit (0 at the label, +Infinity elsewhere), a NaN one
 * NaN (softmaxRow). Backward: dscores = (softmax(s) − onehot(y)) / N · dout, from the probabilities
 * cached in forward.
 *
 * Labels get no gradient: backward returns a zero tensor of the labels' shape and dtype for them
 * (declare the labels input with `requiresGrad: false`). Bad labels throw: ShapeError for a labels
 * tensor that is not [N], LabelError (an InvalidArgumentError) for a value that is not an integer
 * in [0, C); both name the gate and the expected against the given.
 */
@injectable()
export class SoftmaxCrossEntropyGate implements Gate {
  private scores: Tensor | undefined;
  private labels: Tensor | undefined;
  private probs: Tensor | undefined;
  private output: Tensor | undefined;
  private readonly grads: Tensor[] = [];
  /** Each row's maximum and log Σ (softmaxRow's stats), grown to the largest batch seen. */
  private stats = new Float64Array(0);

  forward(...inputs: Tensor[]): Tensor {
    expectInputs('SoftmaxCrossEntropyGate', inputs, 2);
    const s = inputs[0];
    const y = inputs[1];
    checkClassLabels('SoftmaxCrossEntropyGate', s, y);
    const n = s.shape[0]; // indexing, not destructuring: no iterator per call
    const c = s.shape[1];
    const p = (this.probs = Tensor.reuse(this.probs, s.shape, 'float64'));
    const out = (this.output = scalarBuffer(this.output, s.dtype));
    this.scores = s;
    this.labels = y;
    const sd = s.data;
    const pd = p.data;
    const yd = y.data;
    if (this.stats.length < 2 * n) this.stats = new Float64Array(2 * n);
    const stats = this.stats;
    softmaxLines(sd, pd, n, c, 1, stats);
    const total = rowLosses(stats, sd, yd, n, c, 1);
    // A sum of finite row losses past the double range: average term by term instead.
    out.data[0] = total === Infinity ? rowLosses(stats, sd, yd, n, c, 1 / n) : total / n;
    return out;
  }

  backward(dout: Tensor): Tensor[] {
    const s = this.scores;
    expectDout('SoftmaxCrossEntropyGate', s, dout, this.output?.shape);
    const y = this.labels as Tensor;
    const n = s.shape[0]; // indexing, not destructuring: no iterator per call
    const c = s.shape[1];
    const ds = gradBuffer(this.grads, 0, s);
    const dy = gradBuffer(this.grads, 1, y);
    dy.data.fill(0);
    const scale = dout.data[0] / n;
    const pd = (this.probs as Tensor).data;
    const d = ds.data;
    const yd = y.data;
    for (let i = 0; i < n; i++) {
      const row = i * c;
      for (let j = 0; j < c; j++) d[row + j] = pd[row + j] * scale;
      d[row + yd[i]] -= scale;
    }
    return this.grads;
  }
}

/** Σᵢ scale · (log Σ − (s_yᵢ − mᵢ)) over the n rows, from softmaxRow's stats. */
function rowLosses(stats: Float64Array, sd: TypedArray, yd: TypedArray, n: number, c: number, scale: number): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += scale * (stats[2 * i + 1] - shifted(sd[i * c + yd[i]], stats[2 * i]));
  return total;
}
