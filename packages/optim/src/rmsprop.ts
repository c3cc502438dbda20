import { TypedArray } from '@chainrule/core';
import { StepPolicyOptions } from './non-finite';
import { HyperSpec, nonNegative, Optimizer, Parameter, positive, unitInterval } from './optimizer';
import { SlotRange } from './slot-checks';

/** Module-level alias: a global lookup of `Math` in every iteration is slow where globals are virtualised (jest's vm sandbox). */
const sqrt = Math.sqrt;

export interface RMSPropOptions {
  /** Learning rate η (default 0.01). */
  lr: number;
  /** Decay rate ρ of the running mean of g², in [0, 1) (default 0.99). */
  decay: number;
  /** ε added to √s, > 0 (default 1e-8). */
  eps: number;
  /** L2 weight decay λ, added to the gradient (default 0). */
  weightDecay: number;
}

const specs: Record<keyof RMSPropOptions, HyperSpec> = { lr: nonNegative, decay: unitInterval, eps: positive, weightDecay: nonNegative };

/**
 * RMSProp (Hinton, Lecture 6e): Adagrad with a leaky running mean of squared gradients.
 *
 *     g ← ∇θ + λ·θ
 *     s ← ρ·s + (1 − ρ)·g²
 *     θ ← θ − η·g / (√s + ε)
 *
 * s starts at zero (as in PyTorch and the CS231n notes). State: `square` (s).
 */
export class RMSProp extends Optimizer<RMSPropOptions & Record<string, number>> {
  constructor(params: readonly Parameter[], options: Partial<RMSPropOptions> & StepPolicyOptions = {}) {
    super(params, { lr: 0.01, decay: 0.99, eps: 1e-8, weightDecay: 0 }, specs, options, ['square']);
  }

  protected override slotRange(): SlotRange {
    return 'nonNegative'; // s is a running mean of squares
  }

  protected update(theta: TypedArray, grad: TypedArray, slots: TypedArray[]): void {
    const { lr, decay: rho, eps, weightDecay: wd } = this.hyper;
    const s = slots[0];
    for (let i = 0; i < theta.length; i++) {
      const g = grad[i] + wd * theta[i];
      s[i] = rho * s[i] + (1 - rho) * g * g;
      theta[i] -= (lr * g) / (sqrt(s[i]) + eps);
    }
  }
}
