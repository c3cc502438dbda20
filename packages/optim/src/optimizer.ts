// About 300 lines: the Optimizer base class every update rule extends (parameters, hyperparameters,
// the non-finite screen before a step, state save/restore); each rule's update lives in its own file.
import { arrayBeside, assertOptions, checkOption, unknownOption, describeOptionValue, DType, formatShape, InvalidArgumentError, OptionRange, ShapeError, shapesEqual, Tensor, TypedArray } from '@chainrule/core';
import { findNonFiniteGradient, NonFiniteFinding, NonFinitePolicy, nonFiniteStepError, readNonFinitePolicy, StepPolicyOptions } from './non-finite';
import { checkSlots, SlotRange } from './slot-checks';

/**
 * What an optimizer updates: anything with a `value` tensor and, at step time, a `grad` tensor of the
 * same shape. A graph's parameter nodes (`graph.parameters()`) fit, and so does a plain
 * `{ value: Tensor.from([1, 2]), grad: ... }`. `value` is updated in place (its `data` is written,
 * the tensor is never replaced); `grad` is read afresh at every step, because the graph's gradient
 * buffers alternate between backward passes.
 */
export interface Parameter {
  value: Tensor | undefined;
  grad?: Tensor | undefined;
  /** Used in error messages when present (graph nodes have one). */
  readonly name?: string;
  /** false for a frozen parameter (a graph node marked so, e.g. batch norm's running statistics): the optimizer leaves it out. */
  readonly requiresGrad?: boolean;
}

/** A hyperparameter value: a number or a switch (Nesterov). */
export type HyperValue = number | boolean;
export type Hyperparameters = Record<string, HyperValue>;

/** The saved state of one parameter: its shape and dtype (checked on restore) and its state buffers by slot name. */
export interface ParameterState {
  shape: number[];
  dtype: DType;
  /** e.g. `{ velocity: [...] }` for SGD with momentum, `{ m: [...], v: [...] }` for Adam; empty for vanilla SGD. */
  slots: Record<string, number[]>;
}

/**
 * Everything an optimizer carries from step to step, as plain JSON (numbers as doubles, so float32 and
 * float64 buffers survive `JSON.stringify`/`JSON.parse` bit for bit; NaN and ±Infinity do not survive JSON).
 */
export interface OptimizerState {
  /** The class, e.g. 'Adam'; loadState refuses another optimizer's state. */
  type: string;
  /** Steps taken (Adam's t). */
  step: number;
  /** Every hyperparameter including the current lr (which a schedule may have changed). */
  hyperparameters: Hyperparameters;
  params: ParameterState[];
}

/** What loadState accepts: an OptimizerState whose buffers may also be typed arrays. */
export interface OptimizerStateInput extends Omit<OptimizerState, 'params'> {
  params: (Omit<ParameterState, 'slots'> & { slots: Record<string, ArrayLike<number>> })[];
}

/** How a hyperparameter is checked (core's option kinds): a range for numbers, or 'boolean'. */
export type HyperSpec = OptionRange | 'boolean';

export const nonNegative: HyperSpec = { kind: 'number', min: 0, expected: 'a finite number >= 0' };
/** For a hyperparameter something is divided by (ε): 0 would make 0/0 = NaN on a zero gradient. */
export const positive: HyperSpec = { kind: 'number', above: 0, expected: 'a finite number > 0' };
export const unitInterval: HyperSpec = { kind: 'number', min: 0, below: 1, expected: 'a number in [0, 1)' };
export const flag: HyperSpec = 'boolean';

/**
 * Base of every update rule. It checks the parameters and the hyperparameters at construction,
 * allocates each parameter's state buffers once (same dtype and size as the parameter), validates
 * every gradient before changing any value, and saves/restores state.
 *
 * Gradients: `graph.backward()` replaces every gradient with this pass's, `backward({ accumulate: true })`
 * adds to what is there (gradient accumulation over several batches); `zeroGrad()` sets them to zero.
 * A parameter with no gradient at step time is an error (in a chainrule graph every parameter gets a
 * gradient from each backward, so a missing one means backward did not run), thrown before anything changes.
 *
 * Non-finite gradients: every step first checks all gradients for NaN and ±Infinity (one pass,
 * findNonFiniteGradient) and, by the `nonFinite` option, throws a NonFiniteError naming the
 * parameter and the first bad element ('throw', the default) or skips the step ('skip': step()
 * returns false, skippedSteps counts it, lastSkip says where). Either way nothing changes.
 */
export abstract class Optimizer<H extends Hyperparameters = Hyperparameters> {
  readonly params: readonly Parameter[];
  /** Steps taken so far; Adam's t (incremented at the start of each step, before it is used). */
  protected t = 0;
  protected readonly hyper: H;
  /** slots[i][k]: parameter i's buffer for slot k (see slotNames). */
  protected readonly slots: TypedArray[][];
  private readonly specs: Readonly<Record<keyof H & string, HyperSpec>>;
  private readonly labels: string[];
  private readonly shapes: number[][];
  private readonly dtypes: DType[];
  /** What step() does with a NaN or infinite gradient: 'throw' (default) or 'skip'. */
  readonly nonFinite: NonFinitePolicy;
  /** Steps skipped for a non-finite gradient under nonFinite: 'skip' (not counted in stepCount). */
  skippedSteps = 0;
  /** Where the last skipped step found its first non-finite gradient element. */
  lastSkip: NonFiniteFinding | undefined;

  /**
   * @param params the parameters to update (graph.parameters() or `{ value, grad }` objects)
   * @param defaults every hyperparameter with its default value (must include lr)
   * @param specs how each hyperparameter is checked
   * @param options what the user passed (hyperparameters and `nonFinite`); unknown keys are errors
   * @param slotNames the state buffers each parameter needs, e.g. ['m', 'v']
   */
  protected constructor(
    params: readonly Parameter[],
    defaults: H,
    specs: Readonly<Record<keyof H & string, HyperSpec>>,
    options: (object & StepPolicyOptions) | undefined,
    readonly slotNames: readonly string[],
  ) {
    const owner = this.constructor.name;
    if (!Array.isArray(params)) {
      throw new InvalidArgumentError(`${owner}: expected an array of parameters (graph.parameters() or { value, grad } objects), got ${describeOptionValue(params)}`);
    }
    // Frozen parameters (requiresGrad false, e.g. batch norm's running statistics) get no gradient: skip them, as PyTorch skips grad-less ones.
    params = params.filter((p) => p === null || typeof p !== 'object' || p.requiresGrad !== false);
    if (params.length === 0) throw new InvalidArgumentError(`${owner}: got no parameters to optimize`);
    this.labels = params.map((p, i) => paramLabel(p, i));
    params.forEach((p, i) => {
      if (p === null || typeof p !== 'object' || !(p.value instanceof Tensor)) {
        throw new InvalidArgumentError(`${owner}: ${this.labels[i]} has no value tensor (expected { value: Tensor, grad?: Tensor })`);
      }
    });
    const seen = new Set<Tensor>();
    params.forEach((p, i) => {
      if (seen.has(p.value as Tensor)) throw new InvalidArgumentError(`${owner}: ${this.labels[i]} is listed twice (the same value tensor)`);
      seen.add(p.value as Tensor);
    });
    assertOptions(options, owner);
    this.specs = specs;
    this.nonFinite = readNonFinitePolicy(owner, options?.nonFinite);
    const hyper = { ...defaults };
    for (const [key, value] of Object.entries(options ?? {}) as [string, unknown][]) {
      if (key === 'nonFinite') continue;
      if (!(key in defaults)) {
        throw new InvalidArgumentError(`${owner}: ${unknownOption(key, [...Object.keys(defaults), 'nonFinite'])}`);
      }
      if (value !== undefined) (hyper as Hyperparameters)[key] = value as HyperValue;
    }
    this.checkAll(hyper);
    this.hyper = hyper;
    this.params = params.slice();
    this.shapes = params.map((p) => (p.value as Tensor).shape.slice());
    this.dtypes = params.map((p) => (p.value as Tensor).dtype);
    // State beside its parameter: where θ lives in the kernel's memory, the update runs as a SIMD loop (core's vector ops).
    this.slots = params.map((p) => slotNames.map(() => arrayBeside((p.value as Tensor).data, (p.value as Tensor).dtype, (p.value as Tensor).size)));
  }

  /** The learning rate; settable (schedules set it), checked like every hyperparameter. */
  get lr(): number {
    return this.hyper.lr as number;
  }

  set lr(value: number) {
    checkOption(this.constructor.name, 'lr', value, this.specs.lr, 'hyperparameter');
    (this.hyper as Hyperparameters).lr = value;
  }

  /** Steps taken so far. */
  get stepCount(): number {
    return this.t;
  }

  /** A copy of the current hyperparameters. */
  get hyperparameters(): Readonly<H> {
    return { ...this.hyper };
  }

  /**
   * One update from the parameters' current gradients, in place. Every parameter is checked first
   * (gradient present, same shape as the value, value still the size the state was made for, every
   * gradient element finite): a bad one throws and nothing changes. Returns true when the step was
   * applied, false when nonFinite: 'skip' skipped it.
   */
  step(): boolean {
    const params = this.params;
    for (let i = 0; i < params.length; i++) this.checkParam(i);
    const bad = findNonFiniteGradient(params, this.labels);
    if (bad !== undefined) {
      if (this.nonFinite === 'throw') throw nonFiniteStepError(`${this.constructor.name}.step`, bad, params);
      this.skippedSteps++;
      this.lastSkip = bad;
      return false;
    }
    this.t++;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      this.update((p.value as Tensor).data, (p.grad as Tensor).data, this.slots[i]);
    }
    return true;
  }

  /** Sets every parameter's gradient to zero (parameters without one are left alone). */
  zeroGrad(): void {
    for (const p of this.params) p.grad?.data.fill(0);
  }

  /** Plain JSON of the step count, hyperparameters and every state buffer (copies). */
  state(): OptimizerState {
    return {
      type: this.constructor.name,
      step: this.t,
      hyperparameters: { ...this.hyper },
      params: this.params.map((_, i) => {
        const slots: Record<string, number[]> = {};
        this.slotNames.forEach((name, k) => {
          slots[name] = Array.from(this.slots[i][k]);
        });
        return { shape: this.shapes[i].slice(), dtype: this.dtypes[i], slots };
      }),
    };
  }

  /**
   * Restores a state from state(): the step count, the hyperparameters (lr included) and every buffer.
   * Everything is validated first (type, parameter count, shapes, dtypes, slot names and lengths,
   * hyperparameters); on any mismatch it throws and the optimizer is unchanged.
   */
  loadState(state: OptimizerState | OptimizerStateInput): void {
    const owner = this.constructor.name;
    const where = `${owner}.loadState`;
    if (state === null || typeof state !== 'object') throw new InvalidArgumentError(`${where}: expected an OptimizerState object, got ${describeOptionValue(state)}`);
    if (state.type !== owner) throw new InvalidArgumentError(`${where}: the state is from ${describeOptionValue(state.type)}, expected '${owner}'`);
    if (!Number.isInteger(state.step) || state.step < 0) throw new InvalidArgumentError(`${where}: step must be an integer >= 0, got ${describeOptionValue(state.step)}`);
    if (!Array.isArray(state.params) || state.params.length !== this.params.length) {
      throw new InvalidArgumentError(
        `${where}: the state holds ${Array.isArray(state.params) ? state.params.length : 'no'} parameters, this optimizer has ${this.params.length}`,
      );
    }
    const hyper = { ...this.hyper };
    for (const [key, value] of Object.entries(state.hyperparameters ?? {})) {
      if (!(key in this.hyper)) throw new InvalidArgumentError(`${where}: unknown hyperparameter '${key}' in the state`);
      (hyper as Hyperparameters)[key] = value;
    }
    this.checkAll(hyper, where);
    state.params.forEach((ps, i) => {
      const label = this.labels[i];
      if (!ps || !Array.isArray(ps.shape) || !shapesEqual(ps.shape, this.shapes[i])) {
        throw new ShapeError(`${where}: ${label} has shape ${formatShape(this.shapes[i])}, the state has ${ps && Array.isArray(ps.shape) ? formatShape(ps.shape) : describeOptionValue(ps?.shape)}`);
      }
      if (ps.dtype !== this.dtypes[i]) throw new InvalidArgumentError(`${where}: ${label} is ${this.dtypes[i]}, the state has ${describeOptionValue(ps.dtype)}`);
      const names = Object.keys(ps.slots ?? {}).sort();
      const expected = this.slotNames.slice().sort();
      if (names.length !== expected.length || names.some((n, k) => n !== expected[k])) {
        throw new InvalidArgumentError(`${where}: ${label} has state slots [${expected.join(', ')}], the state has [${names.join(', ')}]`);
      }
      const size = this.slots[i][0]?.length ?? 0;
      for (const name of this.slotNames) {
        const buf = ps.slots[name];
        if (!isNumberArray(buf) || buf.length !== size) {
          throw new ShapeError(`${where}: ${label} slot '${name}' must hold ${size} numbers, got ${isNumberArray(buf) ? buf.length : describeOptionValue(buf)}`);
        }
        checkSlots(`${where}: ${label} slot '${name}'`, buf, this.slotRange(name), this.dtypes[i]);
      }
    });
    // Everything checked: commit.
    Object.assign(this.hyper, hyper);
    this.t = state.step;
    state.params.forEach((ps, i) => {
      this.slotNames.forEach((name, k) => this.slots[i][k].set(ps.slots[name]));
    });
  }

  /** The rule itself: update `value` in place from `grad` and this parameter's state buffers (same order as slotNames). */
  protected abstract update(value: TypedArray, grad: TypedArray, slots: TypedArray[]): void;

  private checkAll(hyper: H, owner = this.constructor.name): void {
    for (const key of Object.keys(this.specs) as (keyof H & string)[]) checkOption(owner, key, hyper[key], this.specs[key], 'hyperparameter');
    this.checkCombination(hyper, owner);
  }

  /** What a restored slot may hold: every slot is finite; second moments (Adam's v, sums of squares) are also >= 0. Override where needed. */
  protected slotRange(_slot: string): SlotRange {
    return 'finite';
  }

  /** Checks between hyperparameters (e.g. Nesterov needs momentum); override where needed. */
  protected checkCombination(_hyper: H, _owner: string): void {}

  private checkParam(i: number): void {
    const p = this.params[i];
    const v = p.value;
    const g = p.grad;
    const shape = this.shapes[i];
    if (!(v instanceof Tensor) || !shapesEqual(v.shape, shape) || v.dtype !== this.dtypes[i]) {
      throw new ShapeError(
        `${this.constructor.name}.step: ${this.labels[i]} value is ${v instanceof Tensor ? `${formatShape(v.shape)} ${v.dtype}` : describeOptionValue(v)}, expected ${formatShape(shape)} ${this.dtypes[i]} as when the optimizer was made`,
      );
    }
    if (g === undefined || g === null) {
      throw new InvalidArgumentError(`${this.constructor.name}.step: ${this.labels[i]} has no gradient (run backward() before step()); nothing was updated`);
    }
    if (!(g instanceof Tensor) || !shapesEqual(g.shape, shape)) {
      throw new ShapeError(
        `${this.constructor.name}.step: ${this.labels[i]} gradient has shape ${g instanceof Tensor ? formatShape(g.shape) : describeOptionValue(g)}, expected the value's shape ${formatShape(shape)}; nothing was updated`,
      );
    }
  }
}

/** How messages name parameter i: "parameter 0 'fc1/W'" (the name when it has one). */
export function paramLabel(p: Parameter, i: number): string {
  const name = p && typeof p === 'object' && typeof p.name === 'string' ? ` '${p.name}'` : '';
  return `parameter ${i}${name}`;
}

function isNumberArray(v: unknown): v is ArrayLike<number> {
  if (v instanceof Float32Array || v instanceof Float64Array) return true;
  return Array.isArray(v) && v.every((x) => typeof x === 'number');
}
