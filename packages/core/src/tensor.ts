import { DTypeError, InvalidArgumentError, ShapeError } from './errors';
import { checkShape, formatShape, Shape, shapesEqual, sizeOf } from './shape';

export type DType = 'float32' | 'float64';
export type TypedArray = Float32Array | Float64Array;
/** A number, or arrays of arrays of numbers, as Tensor.from takes them. */
export type NestedArray = number | NestedArray[];

export interface TensorOptions {
  dtype?: DType;
}

const SCALAR_SHAPE: readonly number[] = Object.freeze([]);

export function allocate(dtype: DType, size: number): TypedArray {
  return dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
}

export function dtypeOf(data: TypedArray): DType {
  return data instanceof Float32Array ? 'float32' : 'float64';
}

function inferShape(value: NestedArray): number[] {
  const shape: number[] = [];
  let v: NestedArray = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0];
  }
  return shape;
}

function flattenInto(value: NestedArray, shape: Shape, depth: number, out: TypedArray, offset: number): number {
  if (depth === shape.length) {
    if (typeof value !== 'number') {
      throw new ShapeError(`Tensor.from: ragged nested array (expected a number at depth ${depth}, got an array)`);
    }
    out[offset] = value;
    return offset + 1;
  }
  if (!Array.isArray(value) || value.length !== shape[depth]) {
    throw new ShapeError(
      `Tensor.from: ragged nested array (expected ${shape[depth]} entries at depth ${depth} from shape ${formatShape(shape)}, got ${Array.isArray(value) ? value.length : 'a number'})`,
    );
  }
  for (const item of value) offset = flattenInto(item, shape, depth + 1, out, offset);
  return offset;
}

/**
 * A row-major typed array with a shape. A scalar has shape [] and one element.
 * The data is always contiguous, so kernels are plain loops over `data`.
 */
export class Tensor {
  readonly data: TypedArray;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly size: number;

  constructor(data: TypedArray, shape: Shape) {
    checkShape(shape);
    const size = sizeOf(shape);
    if (data.length !== size) {
      throw new ShapeError(`Tensor: ${data.length} values cannot have shape ${formatShape(shape)} (which holds ${size})`);
    }
    this.data = data;
    // Every scalar shares one frozen [] (no array per scalar tensor; shapesEqual short-cuts on identity).
    this.shape = shape.length === 0 ? SCALAR_SHAPE : Object.freeze(shape.slice());
    this.dtype = dtypeOf(data);
    this.size = size;
  }

  /**
   * From a number (shape []), nested arrays, or a flat typed/plain array with an explicit shape:
   * `Tensor.from(float32Array, [n, 784])` or `Tensor.from(values, { shape, dtype })`.
   */
  static from(value: NestedArray | TypedArray | Tensor, shapeOrOptions: Shape | (TensorOptions & { shape?: Shape }) = {}): Tensor {
    const options: TensorOptions & { shape?: Shape } = Array.isArray(shapeOrOptions) ? { shape: shapeOrOptions as Shape } : (shapeOrOptions as TensorOptions & { shape?: Shape });
    if (value instanceof Tensor) return value.astype(options.dtype ?? value.dtype);
    if (value instanceof Float32Array || value instanceof Float64Array) {
      const dtype = options.dtype ?? dtypeOf(value);
      const data = allocate(dtype, value.length);
      data.set(value);
      return new Tensor(data, options.shape ?? [value.length]);
    }
    const dtype = options.dtype ?? 'float64';
    if (options.shape && Array.isArray(value) && value.every((v) => typeof v === 'number')) {
      const data = allocate(dtype, value.length);
      data.set(value as number[]);
      return new Tensor(data, options.shape);
    }
    if (typeof value === 'number') {
      const data = allocate(dtype, 1);
      data[0] = value;
      return new Tensor(data, options.shape ?? []);
    }
    const shape = inferShape(value);
    const data = allocate(dtype, sizeOf(shape));
    flattenInto(value, shape, 0, data, 0);
    return new Tensor(data, options.shape ?? shape);
  }

  static zeros(shape: Shape, dtype: DType = 'float64'): Tensor {
    checkShape(shape, 'Tensor.zeros shape');
    return new Tensor(allocate(dtype, sizeOf(shape)), shape);
  }

  static ones(shape: Shape, dtype: DType = 'float64'): Tensor {
    return Tensor.full(shape, 1, dtype);
  }

  static full(shape: Shape, value: number, dtype: DType = 'float64'): Tensor {
    const t = Tensor.zeros(shape, dtype);
    t.data.fill(value);
    return t;
  }

  /**
   * Returns `previous` when it already has this shape and dtype, else a new zeroed tensor.
   * Gates keep their output and gradient tensors with this, so a graph run many times on
   * same-shaped data allocates nothing after its first step.
   */
  static reuse(previous: Tensor | undefined, shape: Shape, dtype: DType): Tensor {
    if (previous !== undefined && previous.dtype === dtype && shapesEqual(previous.shape, shape)) return previous;
    return Tensor.zeros(shape, dtype);
  }

  get rank(): number {
    return this.shape.length;
  }

  /** The single value of a one-element tensor (a scalar, or any shape of size 1). */
  item(): number {
    if (this.size !== 1) {
      throw new ShapeError(`item(): expected a tensor of one element, got shape ${formatShape(this.shape)} (${this.size} elements)`);
    }
    return this.data[0];
  }

  /** Nested plain arrays in row-major order; a scalar gives a plain number. */
  toArray(): NestedArray {
    if (this.shape.length === 0) return this.data[0];
    const build = (depth: number, offset: number, stride: number): NestedArray => {
      const n = this.shape[depth];
      const inner = stride / (n || 1);
      const out: NestedArray[] = new Array(n);
      for (let i = 0; i < n; i++) {
        out[i] = depth === this.shape.length - 1 ? this.data[offset + i] : build(depth + 1, offset + i * inner, inner);
      }
      return out;
    };
    return build(0, 0, this.size);
  }

  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape);
  }

  astype(dtype: DType): Tensor {
    if (dtype === this.dtype) return this.clone();
    const data = allocate(dtype, this.size);
    data.set(this.data);
    return new Tensor(data, this.shape);
  }

  /** A tensor of another shape over the same data (no copy); sizes must agree. */
  reshape(shape: Shape): Tensor {
    const resolved = shape.slice();
    const inferred = resolved.indexOf(-1);
    if (inferred >= 0) {
      const rest = sizeOf(resolved.filter((_, i) => i !== inferred));
      resolved[inferred] = rest === 0 ? 0 : this.size / rest;
    }
    if (sizeOf(resolved) !== this.size || !resolved.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new ShapeError(`reshape: cannot view ${formatShape(this.shape)} (${this.size} elements) as ${formatShape(shape)}`);
    }
    return new Tensor(this.data, resolved);
  }

  /** Copies another tensor's values into this one's buffer; shapes and dtypes must match. */
  copyFrom(source: Tensor): this {
    if (!shapesEqual(source.shape, this.shape)) {
      throw new ShapeError(`copyFrom: expected shape ${formatShape(this.shape)}, got ${formatShape(source.shape)}`);
    }
    if (source.dtype !== this.dtype) {
      throw new DTypeError(`copyFrom: expected ${this.dtype}, got ${source.dtype}`);
    }
    this.data.set(source.data);
    return this;
  }

  fill(value: number): this {
    this.data.fill(value);
    return this;
  }

  /** Every value finite (no NaN, no ±Infinity). */
  isFinite(): boolean {
    const d = this.data;
    for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return false;
    return true;
  }

  toString(): string {
    const body = this.size <= 64 ? JSON.stringify(this.toArray()) : `${this.size} values`;
    return `Tensor(${formatShape(this.shape)} ${this.dtype}: ${body})`;
  }
}

/** A float32 tensor when either side is float32 would lose precision silently; float64 wins, as in numpy. */
export function resultDType(a: DType, b: DType): DType {
  return a === 'float64' || b === 'float64' ? 'float64' : 'float32';
}

export function assertTensor(value: unknown, context: string): asserts value is Tensor {
  if (!(value instanceof Tensor)) {
    throw new InvalidArgumentError(`${context}: expected a Tensor, got ${value === null ? 'null' : typeof value}`);
  }
}
