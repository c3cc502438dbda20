import { checkOption, firstNonFinite, NonFiniteError, Tensor } from '@chainrule/core';
import type { Parameter } from './optimizer';

/**
 * What an optimizer step does with a gradient holding NaN or ±Infinity (see docs/errors.md, "Non-finite
 * values"): 'throw' (the default) refuses the step with a NonFiniteError naming the parameter and
 * the first bad element, 'skip' leaves everything as it was and reports the step as skipped (as
 * PyTorch's GradScaler skips a step whose gradients hold inf/NaN). Either way nothing changes.
 */
export type NonFinitePolicy = 'throw' | 'skip';

export const NON_FINITE_POLICIES: readonly NonFinitePolicy[] = ['throw', 'skip'];

/** The options every optimizer takes besides its hyperparameters. */
export interface StepPolicyOptions {
  /** What step() does with a NaN or infinite gradient (default 'throw'). */
  nonFinite?: NonFinitePolicy;
}

/** Where the first non-finite gradient element is: the parameter's position and label, the element's index and value. */
export interface NonFiniteFinding {
  param: number;
  label: string;
  index: number;
  value: number;
}

/** Reads and checks the `nonFinite` option through core's option checker. */
export function readNonFinitePolicy(owner: string, value: unknown): NonFinitePolicy {
  if (value === undefined) return 'throw';
  checkOption(owner, 'nonFinite', value, NON_FINITE_POLICIES);
  return value as NonFinitePolicy;
}

/**
 * The first non-finite gradient element over all parameters (one pass over the gradients when
 * there is none: core's firstNonFinite, a SIMD scan where the gradient lives in the kernel's memory), or undefined. Parameters without a gradient are skipped (the caller checks them).
 */
export function findNonFiniteGradient(params: readonly Parameter[], labels: readonly string[]): NonFiniteFinding | undefined {
  for (let k = 0; k < params.length; k++) {
    const g = params[k].grad;
    if (!(g instanceof Tensor)) continue;
    const index = firstNonFinite(g.data);
    if (index < 0) continue;
    return { param: k, label: labels[k], index, value: g.data[index] };
  }
  return undefined;
}

/** "parameter 'fc1/W' gradient holds NaN at index 3 (of 100352)": the words every report of a finding uses. */
export function describeFinding(f: NonFiniteFinding, params: readonly Parameter[]): string {
  const g = params[f.param].grad as Tensor;
  return `${f.label} gradient holds ${f.value} at index ${f.index}${g.shape.length > 1 ? ` ${indexIn(g.shape, f.index)}` : ''} (of ${g.size} elements)`;
}

/** The error a refused step throws; `finding` is attached for callers (the Trainer) that add their own context. */
export function nonFiniteStepError(where: string, f: NonFiniteFinding, params: readonly Parameter[]): NonFiniteError & { finding: NonFiniteFinding } {
  const e = new NonFiniteError(`${where}: ${describeFinding(f, params)}; the step was refused and nothing was updated (lower the learning rate, clip the gradients, or pass nonFinite: 'skip')`);
  const named = params[f.param].name;
  if (typeof named === 'string') e.node = named;
  return Object.assign(e, { finding: f });
}

/** A flat row-major index as [i, j, ...] for the message. */
function indexIn(shape: readonly number[], flat: number): string {
  const at = new Array<number>(shape.length);
  for (let a = shape.length - 1; a >= 0; a--) {
    at[a] = flat % shape[a];
    flat = Math.floor(flat / shape[a]);
  }
  return `[${at.join(', ')}]`;
}
