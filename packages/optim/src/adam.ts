import { adamStep, TypedArray } from '@chainrule/core';
import { StepPolicyOptions } from './non-finite';
import { HyperSpec, nonNegative, Optimizer, Parameter, positive, unitInterval } from './optimizer';
import { SlotRange } from './slot-checks';

export interface AdamOptions {
  /** Learning rate η (default 0.001). */
  lr: number;
  /** Decay of the first moment, in [0, 1) (default 0.9). */
  beta1: number;
  /** Decay of the second moment, in [0, 1) (default 0.999). */
  beta2: number;
  /** ε added to √v̂, > 0 (default 1e-8). */
  eps: number;
  /** L2 weight decay λ, added to the gradient (coupled; default 0). For decoupled decay use AdamW. */
  weightDecay: number;
}

const specs: Record<keyof AdamOptions, HyperSpec> = { lr: nonNegative, beta1: unitInterval, beta2: unitInterval, eps: positive, weightDecay: nonNegative };

/**
 * Adam (Kingma & Ba, 2015, Algorithm 1), with bias correction. The step counter t is incremented
 * before it is used, so the first step uses t = 1:
 *
 *     t ← t + 1
 *     g ← ∇θ + λ·θ
 *     m ← β1·m + (1 − β1)·g
 *     v ← β2·v + (1 − β2)·g²
 *     m̂ ← m / (1 − β1^t);   v̂ ← v / (1 − β2^t)
 *     θ ← θ − η·m̂ / (√v̂ + ε)
 *
 * State: `m`, `v` per parameter and the step count t.
 */
export class Adam extends Optimizer<AdamOptions & Record<string, number>> {
  constructor(params: readonly Parameter[], options: Partial<AdamOptions> & StepPolicyOptions = {}) {
    super(params, { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 }, specs, options, ['m', 'v']);
  }

  protected override slotRange(slot: string): SlotRange {
    return slot === 'v' ? 'nonNegative' : 'finite';
  }

  protected update(theta: TypedArray, grad: TypedArray, slots: TypedArray[]): void {
    const { lr, beta1, beta2, eps, weightDecay } = this.hyper;
    adamUpdate(theta, grad, slots[0], slots[1], lr, beta1, beta2, eps, weightDecay, 0, this.t);
  }
}

/**
 * The shared Adam/AdamW update of one parameter: l2 is coupled decay (added to g), decoupled is
 * AdamW's θ ← θ − η·λ·θ, applied first. The bias corrections are computed once per call, in
 * PyTorch's form: θ ← θ − (η / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε); the pass over θ, ∇θ, m and v
 * is core's adamStep (a SIMD loop where they live in the kernel's memory).
 */
export function adamUpdate(
  theta: TypedArray,
  grad: TypedArray,
  m: TypedArray,
  v: TypedArray,
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  l2: number,
  decoupled: number,
  t: number,
): void {
  const stepSize = lr / (1 - Math.pow(beta1, t));
  const rootBc2 = Math.sqrt(1 - Math.pow(beta2, t));
  const shrink = 1 - lr * decoupled; // exactly 1 without decoupled decay, so θ·shrink = θ
  adamStep(theta, grad, m, v, stepSize, rootBc2, shrink, l2, beta1, beta2, eps);
}
