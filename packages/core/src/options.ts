import { InvalidArgumentError } from './errors';

/**
 * Reads a configurable gate's options: rejects keys the gate does not know (a typo would otherwise
 * be silently ignored) and values that are not finite numbers.
 */
export function numberOptions<K extends string>(
  gate: string,
  options: object,
  defaults: Readonly<Record<K, number>>,
): Record<K, number> {
  const known = Object.keys(defaults);
  const out = { ...defaults } as Record<K, number>;
  for (const [key, value] of Object.entries(options)) {
    if (!known.includes(key)) {
      throw new InvalidArgumentError(`${gate}: unknown option '${key}' (expected ${known.map((k) => `'${k}'`).join(', ')})`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new InvalidArgumentError(`${gate}: option '${key}' must be a finite number, got ${JSON.stringify(value)}`);
    }
    out[key as K] = value;
  }
  return out;
}
