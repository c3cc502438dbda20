import { InvalidArgumentError } from './errors';
import { didYouMean } from './suggest';

/** A number or integer within bounds, with the words an error message uses for it. */
export interface OptionRange {
  kind: 'number' | 'integer';
  /** value >= min */
  min?: number;
  /** value > above */
  above?: number;
  /** value <= max */
  max?: number;
  /** value < below */
  below?: number;
  /** How a message says what was expected, e.g. 'a number in [0, 1)'. */
  expected: string;
}

/**
 * What an option may hold: a finite number, an integer, a positive integer, a boolean, an array of
 * integers, an integer or an array of integers (a window's size per axis, or one for all), one of
 * some strings, or a number in a range.
 */
export type OptionKind = 'number' | 'integer' | 'positiveInteger' | 'boolean' | 'integer[]' | 'integer|integer[]' | readonly string[] | OptionRange;

/**
 * The one option check of chainrule (gate options, optimizer hyperparameters, schedule settings):
 * throws InvalidArgumentError naming the owner, the setting, what was expected and what came.
 * `label` is the word before the setting's name ('option', 'hyperparameter', or '' for none).
 */
export function checkOption(owner: string, name: string, value: unknown, kind: OptionKind, label = 'option'): void {
  if (matches(kind, value)) return;
  throw new InvalidArgumentError(`${owner}: ${label ? `${label} ` : ''}'${name}' must be ${describeKind(kind)}, got ${describeOptionValue(value)}`);
}

/**
 * Reads an options object against a spec: rejects keys the owner does not know (a typo would
 * otherwise be silently ignored) and values of the wrong kind. Returns only the keys that were
 * given (`undefined` counts as absent); arrays are copied.
 */
export function readOptions<T extends object>(owner: string, options: unknown, spec: { readonly [K in keyof T]-?: OptionKind }): Partial<T> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidArgumentError(`${owner}: options must be an object, got ${describeOptionValue(options)}`);
  }
  const known = Object.keys(spec);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (!known.includes(key)) {
      throw new InvalidArgumentError(`${owner}: ${unknownOption(key, known)}`);
    }
    if (value === undefined) continue;
    checkOption(owner, key, value, (spec as Record<string, OptionKind>)[key]);
    out[key] = Array.isArray(value) ? value.slice() : value;
  }
  return out as Partial<T>;
}

/** `unknown option 'lr_' (did you mean 'lr'?) (expected 'lr', 'momentum')`: the words every owner uses for a key it does not know. */
export function unknownOption(key: string, known: readonly string[], label = 'option'): string {
  return `unknown ${label} '${key}'${didYouMean(key, known)} (expected ${known.map((k) => `'${k}'`).join(', ')})`;
}

function matches(kind: OptionKind, value: unknown): boolean {
  if (kind === null || (typeof kind !== 'string' && typeof kind !== 'object')) throw new InvalidArgumentError(`checkOption: unknown option kind ${describeOptionValue(kind)}`);
  if (Array.isArray(kind)) return typeof value === 'string' && kind.includes(value);
  if (typeof kind === 'object') {
    const range = kind as OptionRange;
    if (typeof value !== 'number' || !Number.isFinite(value)) return false;
    if (range.kind === 'integer' && !Number.isInteger(value)) return false;
    return (
      (range.min === undefined || value >= range.min) &&
      (range.above === undefined || value > range.above) &&
      (range.max === undefined || value <= range.max) &&
      (range.below === undefined || value < range.below)
    );
  }
  switch (kind) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    case 'positiveInteger':
      return Number.isInteger(value) && (value as number) > 0;
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer[]':
      return Array.isArray(value) && value.every((v) => Number.isInteger(v));
    case 'integer|integer[]':
      return Number.isInteger(value) || matches('integer[]', value);
    default:
      return false;
  }
}

function describeKind(kind: OptionKind): string {
  if (Array.isArray(kind)) return `one of ${kind.map((k) => `'${k}'`).join(', ')}`;
  if (typeof kind === 'object') return (kind as OptionRange).expected;
  switch (kind) {
    case 'number':
      return 'a finite number';
    case 'integer':
      return 'an integer';
    case 'positiveInteger':
      return 'a positive integer';
    case 'boolean':
      return 'true or false';
    case 'integer[]':
      return 'an array of integers';
    case 'integer|integer[]':
      return 'an integer or an array of integers';
    default:
      return String(kind);
  }
}

/** How an error message shows a value that came: numbers as written (NaN too), strings quoted. */
export function describeOptionValue(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return `'${v}'`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
