import { DType, Gate, GateClass, GraphNode, Tensor } from '@chainrule/core';

/** An ONNX attribute value, tagged with its type (an integer-valued float such as alpha = 1 must stay a float). */
export type AttributeValue =
  | { float: number }
  | { int: number }
  | { floats: readonly number[] }
  | { ints: readonly number[] }
  | { string: string };

/** What a mapping gets to emit ONNX nodes for one gate node. */
export interface OnnxMappingContext {
  /** The chainrule node being exported (its name, gateType and options). */
  readonly node: GraphNode;
  /** The ONNX value names of the gate's inputs, in order. */
  readonly inputs: readonly string[];
  /** The ONNX value name the mapping must produce (the node's output). */
  readonly output: string;
  /** The element type of the exported model. */
  readonly dtype: DType;
  /** The opset the model imports from the default domain. */
  readonly opset: number;
  /** Adds one ONNX node (default domain). */
  emit(opType: string, inputs: readonly string[], outputs: readonly string[], attributes?: Readonly<Record<string, AttributeValue>>): void;
  /** An initializer of the model's dtype holding `value` (a number is a scalar); returns its name. */
  constant(value: number | Tensor, hint?: string): string;
  /** A 1-D int64 initializer (shapes, axes); returns its name. */
  int64(values: readonly number[], hint?: string): string;
  /** A value name not used anywhere else in the model, for an intermediate result. */
  fresh(hint: string): string;
}

/** Writes a gate node as ONNX nodes: reads the gate's settings, calls ctx.emit so that ctx.output is produced. */
export type OnnxMapping<G extends Gate = Gate> = (gate: G, ctx: OnnxMappingContext) => void;

// Keyed by class, so two gates that share a class name stay apart; a class without its own entry
// uses its nearest registered ancestor's (a subclass of ReLUGate exports as Relu).
const mappings = new Map<Function, OnnxMapping>();

/**
 * Tells exportOnnx how to write a gate class: `registerOnnxMapping(MyGate, (gate, ctx) =>
 * ctx.emit('Sin', ctx.inputs, [ctx.output]))`. Replaces an earlier mapping of the same class, so a
 * built-in gate's mapping can be overridden too.
 */
export function registerOnnxMapping<G extends Gate>(gateClass: GateClass<G> | (abstract new (...args: never[]) => G), mapping: OnnxMapping<G>): void {
  mappings.set(gateClass, mapping as OnnxMapping);
}

/** The mapping for a gate instance: its class's, else its nearest registered ancestor's, else undefined. */
export function mappingFor(gate: Gate): OnnxMapping | undefined {
  for (let proto = Object.getPrototypeOf(gate); proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const found = mappings.get(proto.constructor);
    if (found) return found;
  }
  return undefined;
}
