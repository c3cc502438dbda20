import { expectArgs, expectDout, Gate, givenCount, Tensor, TypedArray } from '@chainrule/core';
import { injectable } from 'inversify';
import { checkClassLabels } from './labels';
import { softmaxLines } from './softmax-row';
import { gradBuffer, scalarBuffer } from './grad-buffer';

/**
 * The softmax classifier's loss, fused: inputs scores [N, C] (logits) and labels [N] (integer class
 * indices in [0, C), as a float tensor), output the scalar
 *
 *   L = (1/N) Σᵢ −log softmax(sᵢ)[yᵢ] = (1/N) Σᵢ (mᵢ + log Σⱼ e^(sᵢⱼ − mᵢ) − sᵢ,yᵢ),  mᵢ = maxⱼ sᵢⱼ,
 *
 * in natural log; subtracting the row maximum keeps it finite for logits of ±1000 and it never
 * takes log(0). Backward: dscores = (softmax(s) − onehot(y)) / N · dout, from the row maxima's
 * exponentials cached in forward: one pass over the logits for the exponentials, one writing the
 * gradient, the probabilities never stored on their own.
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
  /** e^(s − rowmax), float64; the probabilities are these times the row's `inv`. */
  private exps: Tensor | undefined;
  private output: Tensor | undefined;
  private readonly grads: Tensor[] = [];
  /** Each row's log-sum-exp and 1 / Σ e^(s − rowmax), grown to the largest batch seen. */
  private lse = new Float64Array(0);
  private inv = new Float64Array(0);

  forward(...inputs: Tensor[]): Tensor;
  // Declared parameters, not a rest array: the graph calls forward(s, y), which then allocates nothing.
  forward(s: Tensor, y: Tensor, extra?: unknown): Tensor {
    expectArgs('SoftmaxCrossEntropyGate', givenCount(s, y, extra), 2, s, y);
    checkClassLabels('SoftmaxCrossEntropyGate', s, y);
    const n = s.shape[0]; // indexing, not destructuring: no iterator per call
    const c = s.shape[1];
    const e = (this.exps = Tensor.reuse(this.exps, s.shape, 'float64'));
    const out = (this.output = scalarBuffer(this.output, s.dtype));
    this.scores = s;
    this.labels = y;
    if (this.lse.length < n) {
      this.lse = new Float64Array(n);
      this.inv = new Float64Array(n);
    }
    const lse = this.lse;
    const sd = s.data;
    const yd = y.data;
    softmaxLines(sd, e.data, n, c, 1, lse, this.inv); // exponentials only: backward normalises as it writes
    let total = 0;
    for (let i = 0; i < n; i++) total += lse[i] - sd[i * c + yd[i]];
    out.data[0] = total / n;
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
    crossEntropyGrad((this.exps as Tensor).data, this.inv, y.data, ds.data, n, c, dout.data[0] / n);
    return this.grads;
  }
}

/** d[i, j] = (softmax(s)[i, j] − [j = yᵢ]) · scale, the softmax being exps[i, j] · inv[i]: one pass writing the gradient. */
function crossEntropyGrad(exps: TypedArray, inv: Float64Array, yd: TypedArray, d: TypedArray, n: number, c: number, scale: number): void {
  for (let i = 0; i < n; i++) {
    const row = i * c;
    const r = inv[i];
    for (let j = 0; j < c; j++) d[row + j] = exps[row + j] * r * scale;
    d[row + yd[i]] -= scale;
  }
}
