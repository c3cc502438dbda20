import { axpy, InvalidArgumentError, momentumStep, TypedArray } from '@chainrule/core';
import { StepPolicyOptions } from './non-finite';
import { flag, HyperSpec, Hyperparameters, nonNegative, Optimizer, Parameter, unitInterval } from './optimizer';

export interface SGDOptions {
  /** Learning rate η (default 0.01). */
  lr: number;
  /** Momentum μ in [0, 1) (default 0: plain SGD). */
  momentum: number;
  /** Nesterov momentum (default false; needs momentum > 0). */
  nesterov: boolean;
  /** L2 weight decay λ, added to the gradient (default 0). */
  weightDecay: number;
}

const specs: Record<keyof SGDOptions, HyperSpec> = { lr: nonNegative, momentum: unitInterval, nesterov: flag, weightDecay: nonNegative };

/**
 * Stochastic gradient descent, with optional (Nesterov) momentum and L2 weight decay.
 *
 *     g ← ∇θ + λ·θ
 *     plain:     θ ← θ − η·g
 *     momentum:  v ← μ·v + g;   θ ← θ − η·v
 *     Nesterov:  v ← μ·v + g;   θ ← θ − η·(g + μ·v)
 *
 * v starts at zero (so the first momentum step is a plain step), the formulation of PyTorch's
 * `torch.optim.SGD` with dampening 0. State: `velocity` (only when momentum > 0).
 */
export class SGD extends Optimizer<SGDOptions & Hyperparameters> {
  constructor(params: readonly Parameter[], options: Partial<SGDOptions> & StepPolicyOptions = {}) {
    super(
      params,
      { lr: 0.01, momentum: 0, nesterov: false, weightDecay: 0 },
      specs,
      options,
      (options?.momentum ?? 0) > 0 ? ['velocity'] : [],
    );
  }

  protected override checkCombination(h: SGDOptions & Hyperparameters, owner: string): void {
    if (h.nesterov && h.momentum <= 0) {
      throw new InvalidArgumentError(`${owner}: hyperparameter 'nesterov' needs 'momentum' > 0, got momentum ${h.momentum}`);
    }
    if (h.momentum > 0 && this.slotNames !== undefined && this.slotNames.length === 0) {
      throw new InvalidArgumentError(`${owner}: hyperparameter 'momentum' must stay 0 for an SGD made without momentum (it has no velocity buffers), got ${h.momentum}`);
    }
  }

  protected update(theta: TypedArray, grad: TypedArray, slots: TypedArray[]): void {
    const h = this.hyper;
    if (h.momentum === 0 || slots.length === 0) sgdStep(theta, grad, h.lr, h.weightDecay);
    else momentumStep(theta, grad, slots[0], h.lr, h.momentum, h.weightDecay, h.nesterov); // core's: a SIMD loop where θ, ∇θ and v live in the kernel's memory
  }
}

/**
 * θ ← θ − η·(∇θ + λ·θ): one pass over the parameter. λ = 0 is core's axpy(θ, ∇θ, −η), the same bits
 * as θ − η·∇θ, which runs as a SIMD loop where θ and ∇θ live in the kernel's memory (Linear's
 * parameters and their gradients do).
 */
function sgdStep(theta: TypedArray, grad: TypedArray, lr: number, wd: number): void {
  const n = theta.length;
  if (wd === 0) axpy(theta, grad, -lr);
  else for (let i = 0; i < n; i++) theta[i] -= lr * (grad[i] + wd * theta[i]);
}
