import { Gate } from './gate';
import type { ShapeRule } from './shape-inference';
import { Tensor } from './tensor';

/**
 * What a gate knows about itself beyond forward and backward: how a backward trace names it and
 * how a health report measures it. A gate class declares it as a static member,
 *
 *     static readonly description: GateDescription<SigmoidGate> = { trace: {...}, health: {...} };
 *
 * so a custom gate gets a good trace and health report without editing viz. It is a static
 * declaration, not an instance method, because the Gate contract stays forward/backward plus the
 * one `prepare` hook; viz reads it with `describeGate(gate)`.
 */
export interface GateDescription<G extends Gate = Gate> {
  trace?: GateTraceDescription<G>;
  health?: GateHealthDescription;
  /** How many inputs the gate takes (`{ min, max }`: a range, max open when absent): `graph.gate` checks it when the node is added. */
  arity?: number | { min: number; max?: number };
  /** The gate computes a loss: a graph whose output is not set takes this node as its output (see graph-output.ts). */
  loss?: boolean;
  /** The output shape from the input shapes, so a graph with declared input shapes is checked when built (shape-inference.ts). */
  shape?: ShapeRule<G>;
}

/** What a trace tells a description about one gate node when it asks for a formula. */
export interface GateTraceContext<G extends Gate = Gate> {
  /** The gate instance (its settings: ScaleGate's `a`, PowGate's `p`). */
  gate: G;
  /** Printable names of the gate's inputs, in order. */
  inputs: readonly string[];
  /** The inputs' forward values. */
  values: readonly (Tensor | undefined)[];
  /** The gate's output. */
  output: Tensor | undefined;
  /** Whether the output and every input hold one element (then formulas may substitute numbers). */
  scalar: boolean;
  /** Formats a number as the trace does. */
  num(x: number): string;
}

/** ∂out/∂input as a formula (`σ(1−σ)`) and, for scalars, with the numbers put in (`0.7311·(1−0.7311)`). */
export interface LocalDerivative {
  formula: string;
  substituted?: string;
}

/** How a backward trace describes a gate: its backward pattern, its forward formula, its local derivative. */
export interface GateTraceDescription<G extends Gate = Gate> {
  /** The backward pattern, as the lectures name it: 'add distributes', 'max routes', 'multiply switches'. */
  pattern: string;
  /** The forward formula from the input names, e.g. `q · z` (default `Kind(a, b)`). */
  expression?(ctx: GateTraceContext<G>): string;
  /** ∂out/∂input j. The value printed beside it always comes from the gate's own backward. */
  local?(j: number, ctx: GateTraceContext<G>): LocalDerivative;
  /** The gate is elementwise, so the local gradients of a small tensor are worth printing. */
  elementwise?: boolean;
}

/**
 * How a health report classifies a gate's output. `saturates`: an output unit is saturated where
 * |value − centre| > threshold (there the local gradient is almost 0), as σ near 0 or 1.
 * `dies`: a unit whose output is 0 for every row of the batch passes no gradient, as a dead ReLU.
 */
export interface GateHealthDescription {
  saturates?: {
    /** Short name used in reports and as the key of a threshold override ('sigmoid', 'tanh'). */
    activation: string;
    centre: number;
    /** Default threshold on |value − centre|. */
    threshold: number;
    /** The measured quantity as printed, e.g. `|σ − 0.5|`. */
    symbol: string;
  };
  dies?: {
    /** What a dead unit is called in reports: 'ReLU'. */
    unit: string;
  };
}

/** A gate class that declares its description. */
export interface DescribedGateClass {
  readonly description?: GateDescription;
}

/** The description a gate's class declares (inherited by subclasses), or undefined. */
export function describeGate(gate: Gate | undefined): GateDescription | undefined {
  const ctor = (gate as object | undefined)?.constructor as DescribedGateClass | undefined;
  return ctor?.description;
}

/** Descriptions of base classes given by describeGateBase. */
const baseDescriptions = new WeakMap<object, GateDescription>();

/**
 * Declares description fields for an (abstract) base gate class, which its subclasses inherit
 * field by field even when they declare their own static `description`: UnaryGate gives every
 * elementwise gate its arity and shape rule while SigmoidGate's description says its trace. A
 * function rather than a static member, so subclasses need not override it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function describeGateBase(base: abstract new (...args: any[]) => Gate, description: GateDescription): void {
  baseDescriptions.set(base, description);
}

/**
 * One field of a gate's description, looked up class by class up its inheritance chain (each
 * class's static `description`, then what describeGateBase declared for it), so a subclass keeps
 * the fields it does not redeclare.
 */
export function gateFact<K extends keyof GateDescription>(gate: Gate | undefined, key: K): GateDescription[K] | undefined {
  let ctor: unknown = (gate as object | undefined)?.constructor;
  while (typeof ctor === 'function' && ctor !== Object) {
    const own = Object.prototype.hasOwnProperty.call(ctor, 'description') ? (ctor as DescribedGateClass).description?.[key] : undefined;
    const value = own ?? baseDescriptions.get(ctor)?.[key];
    if (value !== undefined) return value as GateDescription[K];
    ctor = Object.getPrototypeOf(ctor);
  }
  return undefined;
}

/** A scalar tensor's number (undefined for a larger tensor or none), for formulas with numbers in. */
export function scalarValue(t: Tensor | undefined): number | undefined {
  return t !== undefined && t.size === 1 ? t.data[0] : undefined;
}

/** Parenthesises a negative number inside a product: `-1 × (-0.5)`. */
export function parenthesize(s: string): string {
  return s.startsWith('-') ? `(${s})` : s;
}

/**
 * A local derivative written in the gate's own output y, as σ(1−σ) and 1 − tanh² are: for a scalar
 * trace, `substitute` gets y's number (formatted) and writes the formula with it put in.
 */
export function localFromOutput(formula: string, substitute: (y: string) => string): (j: number, ctx: GateTraceContext) => LocalDerivative {
  return (_j, c) => {
    const y = scalarValue(c.output);
    return { formula, substituted: c.scalar && y !== undefined ? substitute(c.num(y)) : undefined };
  };
}
