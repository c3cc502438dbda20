import { TypedArray } from '@chainrule/core';
import { adamUpdate } from './adam';
import { StepPolicyOptions } from './non-finite';
import { HyperSpec, nonNegative, Optimizer, Parameter, positive, unitInterval } from './optimizer';
import { SlotRange } from './slot-checks';

export interface AdamWOptions {
  /** Learning rate η (default 0.001). */
  lr: number;
  /** Decay of the first moment, in [0, 1) (default 0.9). */
  beta1: number;
  /** Decay of the second moment, in [0, 1) (default 0.999). */
  beta2: number;
  /** ε added to √v̂, > 0 (default 1e-8). */
  eps: number;
  /** Decoupled weight decay λ (default 0.01, as PyTorch): θ ← θ − η·λ·θ, outside the adaptive step. */
  weightDecay: number;
  /** Coupled L2 decay added to the gradient, as the other rules' weightDecay (default 0; rarely wanted with AdamW). */
  l2: number;
}

const specs: Record<keyof AdamWOptions, HyperSpec> = {
  lr: nonNegative,
  beta1: unitInterval,
  beta2: unitInterval,
  eps: positive,
  weightDecay: nonNegative,
  l2: nonNegative,
};

/**
 * AdamW (Loshchilov & Hutter, 2019): Adam with weight decay decoupled from the gradient, so the
 * decay is not rescaled by the adaptive denominator. As in PyTorch, the decay is applied first:
 *
 *     t ← t + 1
 *     θ ← θ − η·λ·θ
 *     g ← ∇θ + λ₂·θ              (λ₂ = l2, default 0)
 *     m ← β1·m + (1 − β1)·g
 *     v ← β2·v + (1 − β2)·g²
 *     m̂ ← m / (1 − β1^t);   v̂ ← v / (1 − β2^t)
 *     θ ← θ − η·m̂ / (√v̂ + ε)
 *
 * State: `m`, `v` per parameter and the step count t.
 */
export class AdamW extends Optimizer<AdamWOptions & Record<string, number>> {
  constructor(params: readonly Parameter[], options: Partial<AdamWOptions> & StepPolicyOptions = {}) {
    super(params, { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, l2: 0 }, specs, options, ['m', 'v']);
  }

  protected override slotRange(slot: string): SlotRange {
    return slot === 'v' ? 'nonNegative' : 'finite';
  }

  protected update(theta: TypedArray, grad: TypedArray, slots: TypedArray[]): void {
    const { lr, beta1, beta2, eps, weightDecay, l2 } = this.hyper;
    adamUpdate(theta, grad, slots[0], slots[1], lr, beta1, beta2, eps, l2, weightDecay, this.t);
  }
}
