import { InvalidArgumentError, ShapeError } from './errors';

export type Shape = readonly number[];

/** Number of elements of a shape; the scalar shape [] has one. */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `[2, 3]` for messages; the scalar shape prints as `[]`. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/**
 * The most values one tensor may hold: 2^31 - 1, beyond what a JavaScript engine allocates as one
 * typed array in practice (16 GiB of float64). A larger shape is refused before anything is
 * allocated, with the sizes named, instead of the engine's RangeError.
 */
export const MAX_TENSOR_SIZE = 2 ** 31 - 1;

/** Throws InvalidArgumentError unless `shape` is an array of non-negative safe integers whose product is at most MAX_TENSOR_SIZE. */
export function checkShape(shape: Shape, what = 'shape'): void {
  if (!Array.isArray(shape)) {
    throw new InvalidArgumentError(`${what}: expected an array of sizes such as [2, 3], got ${describeArgument(shape)}`);
  }
  let size = 1;
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i];
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new InvalidArgumentError(`${what}: every dimension must be a non-negative integer, got ${describeArgument(d)} at axis ${i}`);
    }
    size *= d;
  }
  if (size > MAX_TENSOR_SIZE) {
    throw new InvalidArgumentError(`${what} ${formatShape(shape)} holds ${size} values, more than one tensor may hold (${MAX_TENSOR_SIZE})`);
  }
}

/** How a message names an argument that came: its type, with the value when it is short. */
export function describeArgument(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return `a string ('${v.length > 40 ? `${v.slice(0, 40)}...` : v}')`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${typeof v} ${String(v)}`;
  if (typeof v === 'function') return `a function${v.name ? ` (${v.name})` : ''}`;
  if (typeof v === 'symbol') return 'a symbol';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  const ctor = (Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return ctor && ctor !== 'Object' ? `${/^[AEIOU]/.test(ctor) ? 'an' : 'a'} ${ctor}` : 'an object';
}

/** Row-major strides: the step in the flat array for one step along each axis. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/**
 * numpy broadcasting: align shapes on the right; each pair of dimensions must be equal or one of them 1.
 * `context` goes into the error, so the message can say which gate at which node failed.
 */
export function broadcastShapes(a: Shape, b: Shape, context = 'broadcast'): number[] {
  if (!Array.isArray(a) || !Array.isArray(b)) throw new InvalidArgumentError(`${context}: expected two shapes (arrays of sizes), got ${describeArgument(a)} and ${describeArgument(b)}`);
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `${context}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast ` +
          `(axis ${i} of the result: ${da} against ${db}; each pair must be equal or 1)`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Normalises a possibly negative axis against a rank, with an error that names the caller. */
export function normalizeAxis(axis: number, rank: number, context: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= rank) {
    throw new ShapeError(`${context}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return a;
}
