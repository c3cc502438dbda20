import { TypedArray } from '@chainrule/core';
import { StepPolicyOptions } from './non-finite';
import { HyperSpec, nonNegative, Optimizer, Parameter, positive } from './optimizer';
import { SlotRange } from './slot-checks';

/** Module-level alias: a global lookup of `Math` in every iteration is slow where globals are virtualised (jest's vm sandbox). */
const sqrt = Math.sqrt;

export interface AdagradOptions {
  /** Learning rate η (default 0.01). */
  lr: number;
  /** ε added to √G, > 0: keeps the step finite (default 1e-10, as PyTorch). */
  eps: number;
  /** L2 weight decay λ, added to the gradient (default 0). */
  weightDecay: number;
  /** The value G starts from (default 0). */
  initialAccumulator: number;
}

const specs: Record<keyof AdagradOptions, HyperSpec> = { lr: nonNegative, eps: positive, weightDecay: nonNegative, initialAccumulator: nonNegative };

/**
 * Adagrad (Duchi et al., 2011): per-coordinate steps shrink with the sum of squared gradients seen.
 *
 *     g ← ∇θ + λ·θ
 *     G ← G + g²
 *     θ ← θ − η·g / (√G + ε)
 *
 * State: `sum` (G).
 */
export class Adagrad extends Optimizer<AdagradOptions & Record<string, number>> {
  constructor(params: readonly Parameter[], options: Partial<AdagradOptions> & StepPolicyOptions = {}) {
    super(params, { lr: 0.01, eps: 1e-10, weightDecay: 0, initialAccumulator: 0 }, specs, options, ['sum']);
    const init = this.hyper.initialAccumulator;
    if (init !== 0) for (const s of this.slots) s[0].fill(init);
  }

  protected override slotRange(): SlotRange {
    return 'nonNegative'; // G is a sum of squares
  }

  protected update(theta: TypedArray, grad: TypedArray, slots: TypedArray[]): void {
    const { lr, eps, weightDecay: wd } = this.hyper;
    const G = slots[0];
    for (let i = 0; i < theta.length; i++) {
      const g = grad[i] + wd * theta[i];
      G[i] += g * g;
      theta[i] -= (lr * g) / (sqrt(G[i]) + eps);
    }
  }
}
