import { InvalidArgumentError } from '@chainrule/core';
import { Parameter } from './optimizer';

/** The global L2 norm of every parameter's gradient, √(Σ g²) over all of them (parameters without one count 0). */
export function gradNorm(params: readonly Parameter[]): number {
  let sum = 0;
  for (let k = 0; k < params.length; k++) {
    const g = params[k].grad;
    if (!g) continue;
    const d = g.data;
    for (let i = 0; i < d.length; i++) sum += d[i] * d[i];
  }
  return Math.sqrt(sum);
}

/**
 * Clips gradients by their global L2 norm, as torch.nn.utils.clip_grad_norm_: when the norm exceeds
 * maxNorm, every gradient is scaled in place by maxNorm / (norm + 1e-6). Returns the norm before clipping.
 */
export function clipGradNorm(params: readonly Parameter[], maxNorm: number): number {
  if (typeof maxNorm !== 'number' || !(maxNorm > 0) || !Number.isFinite(maxNorm)) {
    throw new InvalidArgumentError(`clipGradNorm: maxNorm must be a finite number > 0, got ${maxNorm}`);
  }
  const norm = gradNorm(params);
  if (norm > maxNorm) {
    const scale = maxNorm / (norm + 1e-6);
    for (let k = 0; k < params.length; k++) {
      const g = params[k].grad;
      if (!g) continue;
      const d = g.data;
      for (let i = 0; i < d.length; i++) d[i] *= scale;
    }
  }
  return norm;
}
