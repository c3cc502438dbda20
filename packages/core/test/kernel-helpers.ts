import { TypedArray } from '@chainrule/core';

/** Deterministic values in [-0.5, 0.5) (a linear congruential generator), so kernel tests need no Random. */
export function fill<T extends TypedArray>(arr: T, seed: number): T {
  let s = seed >>> 0;
  for (let i = 0; i < arr.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    arr[i] = s / 4294967296 - 0.5;
  }
  return arr;
}

/** Same length and the same bits in every element (NaN payloads and signed zeros included). */
export function sameBits(x: TypedArray, y: TypedArray): boolean {
  if (x.length !== y.length || x.constructor !== y.constructor) return false;
  const u = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  const v = new Uint8Array(y.buffer, y.byteOffset, y.byteLength);
  return u.every((b, i) => b === v[i]);
}
