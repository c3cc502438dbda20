import { expectDout, expectInputs, formatShape, Gate, resultDType, shapesEqual, ShapeError, Tensor, TypedArray } from '@chainrule/core';
import { injectable } from 'inversify';
import { logitCrossEntropy, stableSigmoid } from './logistic';
import { gradBuffer, scalarBuffer } from './grad-buffer';

/**
 * Binary cross-entropy on logits z against same-shaped targets t, i.e. BCE(σ(z), t) without ever
 * forming σ(z) near 0 or 1: a scalar averaged over all M elements,
 *
 *   L = (1/M) Σ [max(zᵢ, 0) − zᵢ tᵢ + log1p(e^(−|zᵢ|))],
 *
 * the stable form (finite and exact for finite logits of any magnitude; z = +∞ with t = 1 and
 * z = −∞ with t = 0 give their limit 0, with z's gradient 0). Backward: z receives
 * (σ(z) − t) / M · dout and t receives −z / M · dout (infinite for an infinite logit, as the
 * derivative is). Shapes must match (ShapeError).
 */
@injectable()
export class BinaryCrossEntropyWithLogitsGate implements Gate {
  private z: Tensor | undefined;
  private t: Tensor | undefined;
  private output: Tensor | undefined;
  private readonly grads: Tensor[] = [];

  forward(...inputs: Tensor[]): Tensor {
    expectInputs('BinaryCrossEntropyWithLogitsGate', inputs, 2);
    const [z, t] = inputs;
    if (!shapesEqual(z.shape, t.shape)) {
      throw new ShapeError(
        `BinaryCrossEntropyWithLogitsGate.forward: logits and targets must have the same shape, got ${formatShape(z.shape)} and ${formatShape(t.shape)}`,
      );
    }
    const out = (this.output = scalarBuffer(this.output, resultDType(z.dtype, t.dtype)));
    this.z = z;
    this.t = t;
    const s = lossSum(z.data, t.data, 1);
    // A sum of finite element losses past the double range: average term by term instead.
    out.data[0] = s === Infinity ? lossSum(z.data, t.data, 1 / z.size) : s / z.size;
    return out;
  }

  backward(dout: Tensor): Tensor[] {
    const z = this.z;
    expectDout('BinaryCrossEntropyWithLogitsGate', z, dout, this.output?.shape);
    const t = this.t as Tensor;
    const dz = gradBuffer(this.grads, 0, z);
    const dt = gradBuffer(this.grads, 1, t);
    const k = dout.data[0] / z.size;
    const zd = z.data;
    const td = t.data;
    const gz = dz.data;
    const gt = dt.data;
    for (let i = 0; i < zd.length; i++) {
      const v = zd[i];
      gz[i] = (stableSigmoid(v) - td[i]) * k;
      gt[i] = -v * k;
    }
    return this.grads;
  }
}

/** Σ scale · BCE(zᵢ, tᵢ). */
function lossSum(zd: TypedArray, td: TypedArray, scale: number): number {
  let s = 0;
  for (let i = 0; i < zd.length; i++) s += scale * logitCrossEntropy(zd[i], td[i]);
  return s;
}
