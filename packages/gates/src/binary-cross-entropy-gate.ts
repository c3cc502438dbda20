import { expectDout, expectInputs, formatShape, Gate, InvalidArgumentError, resultDType, shapesEqual, ShapeError, Tensor, GateDescription, sameShapeLossRule } from '@chainrule/core';
import { injectable } from 'inversify';
import { gradBuffer, scalarBuffer } from './grad-buffer';

/** Probabilities are clamped into [EPS, 1 − EPS] before the logs, so the loss never takes log(0). */
export const BCE_EPS = 1e-12;

/**
 * Binary cross-entropy on probabilities p ∈ [0, 1] against same-shaped targets t (usually 0/1), a
 * scalar averaged over all M elements (mean over the batch, as PyTorch's BCELoss):
 *
 *   L = −(1/M) Σ [tᵢ log p̂ᵢ + (1 − tᵢ) log(1 − p̂ᵢ)],  p̂ = clamp(p, 1e−12, 1 − 1e−12),
 *
 * so it never takes log(0) (the largest term is −log(1e−12) ≈ 27.6). Backward: p receives
 * (p̂ − t) / (p̂(1 − p̂)) / M · dout (the derivative at the clamped value, so a saturated wrong
 * prediction still gets a large finite push), and t receives (log(1 − p̂) − log p̂) / M · dout.
 * Prefer BinaryCrossEntropyWithLogitsGate on logits: it is exact where this one must clamp.
 * A probability outside [0, 1] (or NaN) throws InvalidArgumentError; shapes must match (ShapeError).
 */
@injectable()
export class BinaryCrossEntropyGate implements Gate {
  static readonly description: GateDescription = { arity: 2, loss: true, shape: sameShapeLossRule };
  private p: Tensor | undefined;
  private t: Tensor | undefined;
  private output: Tensor | undefined;
  private readonly grads: Tensor[] = [];

  forward(...inputs: Tensor[]): Tensor {
    expectInputs('BinaryCrossEntropyGate', inputs, 2);
    const [p, t] = inputs;
    if (!shapesEqual(p.shape, t.shape)) {
      throw new ShapeError(
        `BinaryCrossEntropyGate.forward: probabilities and targets must have the same shape, got ${formatShape(p.shape)} and ${formatShape(t.shape)}`,
      );
    }
    const pd = p.data;
    const td = t.data;
    let s = 0;
    for (let i = 0; i < pd.length; i++) {
      const v = pd[i];
      if (!(v >= 0 && v <= 1)) {
        throw new InvalidArgumentError(
          `BinaryCrossEntropyGate.forward: probabilities must lie in [0, 1], got ${v} at flat index ${i} of ${formatShape(p.shape)} (use BinaryCrossEntropyWithLogitsGate for logits)`,
        );
      }
      const q = clamp(v);
      s += td[i] * Math.log(q) + (1 - td[i]) * Math.log(1 - q);
    }
    const out = (this.output = scalarBuffer(this.output, resultDType(p.dtype, t.dtype)));
    this.p = p;
    this.t = t;
    out.data[0] = -s / p.size;
    return out;
  }

  backward(dout: Tensor): Tensor[] {
    const p = this.p;
    expectDout('BinaryCrossEntropyGate', p, dout, this.output?.shape);
    const t = this.t as Tensor;
    const dp = gradBuffer(this.grads, 0, p);
    const dt = gradBuffer(this.grads, 1, t);
    const k = dout.data[0] / p.size;
    const pd = p.data;
    const td = t.data;
    const gp = dp.data;
    const gt = dt.data;
    for (let i = 0; i < pd.length; i++) {
      const q = clamp(pd[i]);
      gp[i] = ((q - td[i]) / (q * (1 - q))) * k;
      gt[i] = (Math.log(1 - q) - Math.log(q)) * k;
    }
    return this.grads;
  }
}

function clamp(v: number): number {
  return v < BCE_EPS ? BCE_EPS : v > 1 - BCE_EPS ? 1 - BCE_EPS : v;
}
