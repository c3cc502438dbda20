import { DType, InvalidArgumentError, NonFiniteError } from '@chainrule/core';

/** What a restored optimizer slot may hold: any finite number, or a finite number >= 0 (a second moment, a sum of squares). */
export type SlotRange = 'finite' | 'nonNegative';

/** The largest finite float32; a larger double becomes Infinity when stored in a Float32Array. */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Throws unless every value of a slot loadState is about to restore is finite (and representable in
 * the parameter's dtype) and, for a second moment, >= 0: a NaN slot would turn the parameter NaN at
 * the next step, a negative second moment makes √v NaN. Names the slot, the first bad index and value.
 */
export function checkSlots(where: string, buf: ArrayLike<number>, range: SlotRange, dtype: DType): void {
  const limit = dtype === 'float32' ? FLOAT32_MAX : Infinity;
  for (let i = 0; i < buf.length; i++) {
    const v = buf[i];
    if (!Number.isFinite(v) || Math.abs(v) > limit) {
      throw new NonFiniteError(`${where}: element ${i} is ${v}, expected a finite ${dtype} number; the optimizer was left unchanged`);
    }
    if (range === 'nonNegative' && v < 0) {
      throw new InvalidArgumentError(`${where}: element ${i} is ${v}, expected a number >= 0 (a second moment); the optimizer was left unchanged`);
    }
  }
}
