import { assertOptions, assertTensor, describeArgument, GraphNode, InvalidArgumentError, Tensor } from '@chainrule/core';

/** How numbers and tensors are printed in pictures, traces and reports. */
export interface NumberFormat {
  /** Significant digits of every printed number (default 4): -12.000000001 prints as -12, 0.73105857 as 0.7311. */
  digits?: number;
  /** A tensor of at most this many elements prints all its numbers; a larger one prints its shape and a summary. */
  inline?: number;
}

/**
 * A number, compactly: `digits` significant digits with trailing zeros dropped (-12, not
 * -12.000000001 or -12.00), exponent notation only below 1e-4 and from 1e6 up, and NaN, Infinity
 * and -Infinity by name. -0 prints as 0.
 */
export function formatNumber(x: number, digits = 4): string {
  if (typeof x !== 'number') throw new InvalidArgumentError(`formatNumber: expected a number, got ${describeArgument(x)}`);
  if (!Number.isInteger(digits) || digits < 1 || digits > 100) throw new InvalidArgumentError(`formatNumber: digits must be an integer in [1, 100], got ${describeArgument(digits)}`);
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return '0';
  const d = Math.max(1, Math.min(17, Math.round(digits)));
  const ax = Math.abs(x);
  if (ax >= 1e-4 && ax < 1e6) {
    if (ax >= 10 ** d) return String(Math.round(x));
    const v = Number(x.toPrecision(d));
    return v === 0 ? '0' : String(v);
  }
  const [mantissa, exponent] = x.toExponential(d - 1).split('e');
  const m = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
  return `${m}e${exponent.replace('+', '')}`;
}

/** A shape as `[2×3]` (the scalar shape prints as `[]`). */
export function formatShapeCompact(shape: readonly number[]): string {
  return `[${shape.join('×')}]`;
}

/** Norm, extremes and non-finite counts of a tensor's values. */
export interface TensorStats {
  /** Euclidean norm of the finite values. */
  norm: number;
  /** Smallest and largest finite value (NaN when there is none). */
  min: number;
  max: number;
  mean: number;
  nan: number;
  infinite: number;
  size: number;
}

export function tensorStats(t: Tensor): TensorStats {
  assertTensor(t, 'tensorStats');
  const d = t.data;
  let sq = 0;
  let sum = 0;
  let lo = Infinity;
  let hi = -Infinity;
  let nan = 0;
  let inf = 0;
  let finite = 0;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (Number.isNaN(v)) nan++;
    else if (!Number.isFinite(v)) inf++;
    else {
      finite++;
      sq += v * v;
      sum += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return {
    norm: Math.sqrt(sq),
    min: finite ? lo : NaN,
    max: finite ? hi : NaN,
    mean: finite ? sum / finite : NaN,
    nan,
    infinite: inf,
    size: d.length,
  };
}

/**
 * A tensor in a few characters. A scalar (shape []) prints its number; a tensor of at most `inline`
 * elements prints them as `[2] (1, -3)`; a larger one prints its shape, norm, min and max, and how
 * many values are NaN or infinite: `[4×3] norm 2.5, min -1, max 2`.
 */
export function formatTensor(t: Tensor | undefined, format: NumberFormat = {}): string {
  if (t === undefined) return '?';
  assertTensor(t, 'formatTensor');
  assertOptions(format, 'formatTensor');
  const digits = format.digits ?? 4;
  const inline = format.inline ?? 1;
  if (t.shape.length === 0) return formatNumber(t.data[0], digits);
  if (t.size <= inline) {
    const nums = Array.from(t.data, (v) => formatNumber(v, digits));
    return `${formatShapeCompact(t.shape)} (${nums.join(', ')})`;
  }
  const s = tensorStats(t);
  const parts = [`norm ${formatNumber(s.norm, digits)}`];
  if (s.nan + s.infinite < s.size) parts.push(`min ${formatNumber(s.min, digits)}`, `max ${formatNumber(s.max, digits)}`);
  if (s.nan) parts.push(`${s.nan} NaN`);
  if (s.infinite) parts.push(`${s.infinite} Inf`);
  return `${formatShapeCompact(t.shape)} ${parts.join(', ')}`;
}

/** Tensor values as a nested-array string with compact numbers, `[[1, -2], [0.5, 3]]` (for small tensors). */
export function formatValues(t: Tensor, digits = 4): string {
  assertTensor(t, 'formatValues');
  if (t.shape.length === 0) return formatNumber(t.data[0], digits);
  const rec = (depth: number, offset: number, stride: number): string => {
    const n = t.shape[depth];
    const inner = stride / (n || 1);
    const items: string[] = [];
    for (let i = 0; i < n; i++) {
      items.push(depth === t.shape.length - 1 ? formatNumber(t.data[offset + i], digits) : rec(depth + 1, offset + i * inner, inner));
    }
    return `[${items.join(', ')}]`;
  };
  return rec(0, 0, t.size);
}

/** The class name of a node's gate (what the built-in rules are keyed by); its bound name if the class has none. */
export function gateClassName(node: GraphNode): string {
  const ctor = (node.gate as object | undefined)?.constructor as { name?: string } | undefined;
  return ctor?.name || node.gateType || 'Gate';
}

/** Whether a gate node kept the default name `<GateType>#<n>` (then pictures show only the kind). */
export function hasDefaultName(node: GraphNode): boolean {
  return node.kind === 'gate' && /#\d+$/.test(node.name) && node.name.startsWith(`${node.gateType}#`);
}

/** A share as a percentage with 3 significant digits: 0.6667 → `66.7%`. */
export function formatPercent(x: number): string {
  return `${formatNumber(100 * x, 3)}%`;
}
