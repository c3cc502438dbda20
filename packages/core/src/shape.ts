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

export function checkShape(shape: Shape, what = 'shape'): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new InvalidArgumentError(`${what} ${formatShape(shape)}: every dimension must be a non-negative integer`);
    }
  }
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
