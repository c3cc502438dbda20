import { InvalidArgumentError } from '@chainrule/core';

/** What an option may hold: a finite number, an integer, a boolean, an array of integers, either of those two, or one of some strings. */
export type OptionKind = 'number' | 'integer' | 'positiveInteger' | 'boolean' | 'integer[]' | 'integer|integer[]' | readonly string[];

/**
 * Reads a configurable gate's options against a spec: rejects keys the gate does not know (a typo
 * would otherwise be silently ignored) and values of the wrong kind, naming the gate, the key, what
 * was expected and what came. Returns only the keys that were given (`undefined` counts as absent).
 */
export function readOptions<T extends object>(gate: string, options: object, spec: { readonly [K in keyof T]-?: OptionKind }): Partial<T> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidArgumentError(`${gate}: options must be an object, got ${JSON.stringify(options)}`);
  }
  const known = Object.keys(spec);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (!known.includes(key)) {
      throw new InvalidArgumentError(`${gate}: unknown option '${key}' (expected ${known.map((k) => `'${k}'`).join(', ')})`);
    }
    if (value === undefined) continue;
    const kind = (spec as Record<string, OptionKind>)[key];
    if (!matches(kind, value)) {
      throw new InvalidArgumentError(`${gate}: option '${key}' must be ${describe(kind)}, got ${JSON.stringify(value)}`);
    }
    out[key] = Array.isArray(value) ? value.slice() : value;
  }
  return out as Partial<T>;
}

function matches(kind: OptionKind, value: unknown): boolean {
  if (Array.isArray(kind)) return typeof value === 'string' && kind.includes(value);
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

function describe(kind: OptionKind): string {
  if (Array.isArray(kind)) return `one of ${kind.map((k) => `'${k}'`).join(', ')}`;
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
