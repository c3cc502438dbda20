import { checkOption, NonFiniteError, Tensor, TypedArray } from '@chainrule/core';
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
 * A fast screen, one pass with no branch per element: true when every element is finite. The sum
 * of finite values is finite unless it overflows, and NaN or ±Infinity anywhere makes it non-finite;
 * so false means "maybe": a non-finite element, or finite float64 values past ~1e308 whose sum
 * overflowed (firstNonFinite tells them apart). Four running sums, because V8 does not vectorise:
 * independent additions overlap in the CPU, about 1.7× faster than one chain (measured on W1's gradients).
 */
export function allFinite(d: TypedArray): boolean {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  const n = d.length;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    a0 += d[i];
    a1 += d[i + 1];
    a2 += d[i + 2];
    a3 += d[i + 3];
  }
  for (; i < n; i++) a0 += d[i];
  const sum = a0 + a1 + a2 + a3;
  return sum - sum === 0;
}

/** The index of the first NaN or ±Infinity in d, or −1 (the slow path, run only once allFinite said no). */
export function firstNonFinite(d: ArrayLike<number>): number {
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return i;
  return -1;
}

/**
 * The first non-finite gradient element over all parameters (one pass over the gradients when
 * there is none: allFinite), or undefined. Parameters without a gradient are skipped (the caller checks them).
 */
export function findNonFiniteGradient(params: readonly Parameter[], labels: readonly string[]): NonFiniteFinding | undefined {
  for (let k = 0; k < params.length; k++) {
    const g = params[k].grad;
    if (!(g instanceof Tensor) || allFinite(g.data)) continue;
    const index = firstNonFinite(g.data);
    if (index < 0) continue; // finite values whose sum overflowed
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
