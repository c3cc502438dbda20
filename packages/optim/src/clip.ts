import { InvalidArgumentError } from '@chainrule/core';
import { findNonFiniteGradient, nonFiniteStepError, readNonFinitePolicy, StepPolicyOptions } from './non-finite';
import { Parameter, paramLabel } from './optimizer';

/**
 * The global L2 norm of every parameter's gradient, √(Σ g²) over all of them (parameters without one
 * count 0). NaN when a gradient holds NaN, Infinity when one holds ±Infinity (and none NaN); finite
 * gradients whose squares overflow (|g| > ~1e154) are rescaled by their largest magnitude, so their
 * norm is finite whenever it is representable.
 */
export function gradNorm(params: readonly Parameter[]): number {
  let sum = 0;
  for (let k = 0; k < params.length; k++) {
    const g = params[k].grad;
    if (!g) continue;
    const d = g.data;
    for (let i = 0; i < d.length; i++) sum += d[i] * d[i];
  }
  if (Number.isFinite(sum)) return Math.sqrt(sum);
  return rescaledNorm(params);
}

/** The slow path of gradNorm: NaN or Infinity for non-finite gradients, else the norm computed as max·√(Σ (g/max)²). */
function rescaledNorm(params: readonly Parameter[]): number {
  const max = largestMagnitude(params); // NaN when any element is NaN (Math.max propagates it)
  if (!Number.isFinite(max)) return max;
  let sum = 0;
  for (const p of params) {
    const d = p.grad?.data;
    if (!d) continue;
    for (let i = 0; i < d.length; i++) sum += (d[i] / max) * (d[i] / max);
  }
  return max * Math.sqrt(sum);
}

/**
 * Clips gradients by their global L2 norm, as torch.nn.utils.clip_grad_norm_: when the norm exceeds
 * maxNorm, every gradient is scaled in place by maxNorm / (norm + 1e-6). Returns the norm before clipping.
 *
 * A non-finite norm is never passed over: with `nonFinite: 'throw'` (the default, PyTorch's
 * error_if_nonfinite) it throws a NonFiniteError naming the parameter and the first NaN/±Infinity
 * element, gradients unchanged; with 'skip' it returns the norm (NaN or Infinity) and leaves the
 * gradients unchanged, for an optimizer made with nonFinite: 'skip' to skip the step.
 */
export function clipGradNorm(params: readonly Parameter[], maxNorm: number, options: StepPolicyOptions = {}): number {
  if (typeof maxNorm !== 'number' || !(maxNorm > 0) || !Number.isFinite(maxNorm)) {
    throw new InvalidArgumentError(`clipGradNorm: maxNorm must be a finite number > 0, got ${maxNorm}`);
  }
  const policy = readNonFinitePolicy('clipGradNorm', options?.nonFinite);
  const norm = gradNorm(params);
  if (!Number.isFinite(norm)) {
    const bad = findNonFiniteGradient(params, params.map(paramLabel));
    if (bad !== undefined) {
      if (policy === 'throw') throw nonFiniteStepError('clipGradNorm', bad, params);
      return norm;
    }
    // Finite gradients whose norm is beyond double range: maxNorm / Infinity would zero them, so
    // bring them to magnitude <= 1 first, then clip by the (now finite) norm.
    scaleAll(params, 1 / largestMagnitude(params));
    scaleAll(params, maxNorm / (gradNorm(params) + 1e-6));
    return norm;
  }
  if (norm > maxNorm) scaleAll(params, maxNorm / (norm + 1e-6));
  return norm;
}

function scaleAll(params: readonly Parameter[], scale: number): void {
  for (let k = 0; k < params.length; k++) {
    const g = params[k].grad;
    if (!g) continue;
    const d = g.data;
    for (let i = 0; i < d.length; i++) d[i] *= scale;
  }
}

function largestMagnitude(params: readonly Parameter[]): number {
  let max = 0;
  for (const p of params) {
    const d = p.grad?.data;
    if (d) for (let i = 0; i < d.length; i++) max = Math.max(max, Math.abs(d[i]));
  }
  return max;
}
