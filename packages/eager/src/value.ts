import { assertOptions, DType, InvalidArgumentError, NestedArray, Tensor, TensorOptions } from '@chainrule/core';
import { NoGradientError } from './errors';
import { backward, BackwardOptions } from './backward';
import * as op from './ops';
import { Tape } from './tape';

/** What an eager operation takes: a Value, or a plain number (a constant). */
export type Operand = Value | number;

/** @internal What only a leaf (a value you made, not a result) has. */
export interface LeafState {
  requiresGrad: boolean;
  grad: Tensor | undefined;
  readonly name: string | undefined;
}

export interface ValueOptions extends TensorOptions {
  /** Whether backward computes this leaf's gradient (default true; pass false for data). */
  requiresGrad?: boolean;
  /** The node name in a converted graph and in messages. */
  name?: string;
}

/**
 * A tensor-valued node of an eager computation. A leaf is a value you made (`value(3)`,
 * `value([[1, 2]])`); its `.grad` accumulates across backward calls until `zeroGrad()`. A result
 * is what an operation returned: it is recorded on the tape as one application of a gate, and
 * its `.grad` is readable only while the tape is kept (`backward({ retainGraph: true })`).
 *
 * A Value fits @chainrule/optim's Parameter (`value` and `grad` tensors), so optimizers update
 * leaves directly.
 */
export class Value {
  /**
   * @internal Not for user code: values come from value()/constant() and from operations.
   * tape/index/generation locate the value's entry (for a leaf: its entry on the current record).
   */
  constructor(
    public tape: Tape | undefined,
    public index: number,
    public generation: number,
    /** @internal a scalar result's value (kept here so it outlives the tape). */
    public num: number,
    /** @internal the value as a tensor (leaves, tensor results; made on demand for scalar results). */
    public data: Tensor | undefined,
    /** @internal */
    readonly leaf: LeafState | undefined,
    /** @internal whether the value is a float64 scalar (the fast path). */
    readonly scalar: boolean,
  ) {}

  /** @internal */
  static leafOf(data: Tensor, requiresGrad: boolean, name: string | undefined): Value {
    const scalar = data.dtype === 'float64' && data.shape.length === 0;
    return new Value(undefined, -1, -1, NaN, data, { requiresGrad, grad: undefined, name }, scalar);
  }

  /** The value as a tensor (for a leaf, its own tensor: an optimizer updates it in place). */
  get value(): Tensor {
    if (this.data === undefined) this.data = Tensor.from(this.num);
    return this.data;
  }

  /**
   * dL/d(this) from backward. Leaves: the sum over every backward since the last zeroGrad() (undefined
   * before the first). Results: the last backward's, while its tape is kept (retainGraph), else undefined.
   */
  get grad(): Tensor | undefined {
    if (this.leaf !== undefined) return this.leaf.grad;
    const tape = this.tape as Tape;
    if (tape.generation !== this.generation || !tape.gradsReady || tape.mark[this.index] !== 1) return undefined;
    return this.scalar ? Tensor.from(tape.grad[this.index]) : tape.tgrad[this.index];
  }

  get name(): string | undefined {
    return this.leaf?.name;
  }

  get isLeaf(): boolean {
    return this.leaf !== undefined;
  }

  /** A leaf's flag (settable); a result requires a gradient when any leaf it depends on does. */
  get requiresGrad(): boolean {
    if (this.leaf !== undefined) return this.leaf.requiresGrad;
    const tape = this.tape as Tape;
    return tape.generation === this.generation && tape.needs[this.index] === 1;
  }

  set requiresGrad(flag: boolean) {
    if (this.leaf === undefined) throw new InvalidArgumentError('requiresGrad: only a leaf (a value you made) can be switched; detach() a result first');
    this.leaf.requiresGrad = flag;
  }

  get shape(): readonly number[] {
    return this.scalar ? [] : this.value.shape;
  }

  get dtype(): DType {
    return this.scalar ? 'float64' : this.value.dtype;
  }

  /** The single number of a one-element value. */
  item(): number {
    if (this.scalar && this.leaf === undefined) return this.num;
    return this.value.item();
  }

  /** The single number of a one-element gradient; throws when there is none yet. */
  gradItem(): number {
    const g = this.grad;
    if (g === undefined) throw new NoGradientError(`gradItem(): ${this.describe()} has no gradient (no backward reached it${this.leaf ? '' : ', or its tape was freed'})`);
    return g.item();
  }

  toArray(): NestedArray {
    return this.value.toArray();
  }

  /** Fills dL/d(leaf) for every leaf this result depends on; see BackwardOptions for seed and retainGraph. */
  backward(options: BackwardOptions = {}): void {
    backward(this, options);
  }

  /** Zeroes a leaf's gradient (PyTorch's `x.grad.zero_()`); gradients accumulate across backward calls until then. */
  zeroGrad(): void {
    this.leaf?.grad?.fill(0);
  }

  /** The same value as a leaf that requires no gradient: what backward stops at (a truncated BPTT boundary). */
  detach(): Value {
    return Value.leafOf(this.scalar && this.leaf === undefined ? Tensor.from(this.num) : this.value, false, this.name);
  }

  /** `leaf 'x'`, `result #12`: how messages name a value. */
  describe(): string {
    return this.leaf ? `leaf${this.leaf.name ? ` '${this.leaf.name}'` : ''}` : `result #${this.index}`;
  }

  toString(): string {
    return `Value(${this.describe()}: ${this.scalar ? this.item() : this.value.toString()})`;
  }

  add(other: Operand): Value {
    return op.add(this, other);
  }
  sub(other: Operand): Value {
    return op.sub(this, other);
  }
  mul(other: Operand): Value {
    return op.mul(this, other);
  }
  div(other: Operand): Value {
    return op.div(this, other);
  }
  neg(): Value {
    return op.neg(this);
  }
  /** this^p for a number p (PowGate). */
  pow(p: number): Value {
    return op.pow(this, p);
  }
  exp(): Value {
    return op.exp(this);
  }
  log(): Value {
    return op.log(this);
  }
  tanh(): Value {
    return op.tanh(this);
  }
  sigmoid(): Value {
    return op.sigmoid(this);
  }
  relu(): Value {
    return op.relu(this);
  }
  max(other: Operand): Value {
    return op.max(this, other);
  }
  matmul(other: Value): Value {
    return op.matmul(this, other);
  }
  sum(options: op.ReduceOptions = {}): Value {
    return op.sum(this, options);
  }
  mean(options: op.ReduceOptions = {}): Value {
    return op.mean(this, options);
  }
  softmax(options: op.SoftmaxOptions = {}): Value {
    return op.softmax(this, options);
  }
  logSoftmax(options: op.SoftmaxOptions = {}): Value {
    return op.logSoftmax(this, options);
  }
  reshape(shape: readonly number[]): Value {
    return op.reshape(this, shape);
  }
  transpose(axes?: readonly number[]): Value {
    return op.transpose(this, axes);
  }
  /** Mean softmax cross-entropy of these scores [N, C] against integer labels [N] (SoftmaxCrossEntropyGate). */
  crossEntropy(labels: Value | Tensor | NestedArray): Value {
    return op.crossEntropy(this, labels);
  }
}

/** A leaf from a number, nested arrays or a tensor (shared, not copied); requires a gradient unless told otherwise. */
export function value(data: NestedArray | Tensor, options: ValueOptions = {}): Value {
  assertOptions(options, 'value');
  const t = data instanceof Tensor ? (options.dtype && options.dtype !== data.dtype ? data.astype(options.dtype) : data) : Tensor.from(data, { dtype: options.dtype });
  return Value.leafOf(t, options.requiresGrad ?? true, options.name);
}

/** A leaf that requires no gradient: data, labels, targets. */
export function constant(data: NestedArray | Tensor, options: Omit<ValueOptions, 'requiresGrad'> = {}): Value {
  return value(data, { ...options, requiresGrad: false });
}

/** Zeroes the gradients of these leaves (what an optimizer's zeroGrad does for a graph). */
export function zeroGrad(values: Iterable<Value>): void {
  for (const v of values) v.zeroGrad();
}
