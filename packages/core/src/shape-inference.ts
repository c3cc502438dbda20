import { ChainruleError, ShapeError } from './errors';
import type { Gate } from './gate';
import { gateFact } from './gate-description';
import { locate } from './graph-checks';
import type { GraphNode, ShapeSpec } from './graph-node';

// Shapes known before any data arrives. An input declared with `shape: [null, 784]`, a parameter
// and a constant have known shapes; a gate whose class declares a shape rule
// (`description.shape`) gives its node's output shape from its inputs', so a graph with declared
// input shapes is checked layer by layer when it is built. `null` is a size not known until
// forward (the batch). A gate without a rule, or an input without a declared shape, ends the
// inference there: its node is checked at forward, as every node always is.

/**
 * A gate's output shape from its inputs' shapes (`null`: not known until forward). Throws a
 * ShapeError saying what does not fit; the graph adds the node, the gate and the input shapes.
 */
export type ShapeRule<G extends Gate = Gate> = (inputs: readonly ShapeSpec[], gate: G) => ShapeSpec;

/** The shape a node's value will have as far as is known when the graph is built, or undefined. */
export function knownShape(node: GraphNode): ShapeSpec | undefined {
  switch (node.kind) {
    case 'input':
      return node.inputSpec?.shape;
    case 'gate':
      return node.inferredShape;
    default:
      return node.value?.shape;
  }
}

/**
 * The output shape of a gate node about to be added with these inputs, by its gate's rule; undefined
 * when the gate declares none or an input's shape is unknown. A mismatch throws a ShapeError
 * naming the node, the gate and the input shapes, before the node is added.
 */
export function inferShape(at: { name: string; gateType?: string }, where: string, gate: Gate, inputs: readonly GraphNode[]): ShapeSpec | undefined {
  const rule = gateFact(gate, 'shape') as ShapeRule | undefined;
  if (rule === undefined) return undefined;
  const shapes: ShapeSpec[] = [];
  for (const input of inputs) {
    const s = knownShape(input);
    if (s === undefined) return undefined;
    shapes.push(s);
  }
  try {
    return rule(shapes, gate);
  } catch (e) {
    if (!(e instanceof ChainruleError)) throw e;
    const Ctor = e.constructor as new (message: string) => ChainruleError;
    const shown = inputs.map((n, i) => `${n.name} ${formatSpec(shapes[i])}`).join(', ');
    throw locate(new Ctor(`${where}: ${e.message} (input shapes: ${shown}; found when the graph was built)`), at);
  }
}

/** `[null, 784]`: a shape as declared, `null` where the size is known only at forward. */
export function formatSpec(spec: ShapeSpec): string {
  return `[${spec.map((d) => (d === null ? 'null' : d)).join(', ')}]`;
}

/** One size from two that must be equal (`null` fits any); throws ShapeError with `what` otherwise. */
export function sameSize(a: number | null, b: number | null, what: string): number | null {
  if (a !== null && b !== null && a !== b) throw new ShapeError(`${what}: ${a} against ${b}`);
  return a ?? b;
}

/** The shape rule of a gate whose output has its (first) input's shape: elementwise gates, softmax, dropout. */
export const sameShapeRule: ShapeRule = (inputs) => inputs[0];

/** The shape rule of a gate that returns one number: the losses. */
export const scalarRule: ShapeRule = () => [];

/** numpy broadcasting on declared shapes: a `null` size broadcast against k gives k (checked at forward). */
export function broadcastSpecs(a: ShapeSpec, b: ShapeSpec): ShapeSpec {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number | null>(rank);
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    if (da !== null && db !== null && da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`shapes ${formatSpec(a)} and ${formatSpec(b)} do not broadcast (axis ${i} of the result: ${da} against ${db}; each pair must be equal or 1)`);
    }
    out[i] = da === 1 ? db : db === 1 ? da : da ?? db;
  }
  return out;
}

/** The shape rule of two-input elementwise gates with broadcasting. */
export const broadcastRule: ShapeRule = (inputs) => broadcastSpecs(inputs[0], inputs[1]);

/** The shape rule of losses of two same-shaped tensors (predictions and targets): one number. */
export const sameShapeLossRule: ShapeRule = (inputs) => {
  const [x, y] = inputs;
  let same = x.length === y.length;
  for (let i = 0; same && i < x.length; i++) same = x[i] === null || y[i] === null || x[i] === y[i];
  if (!same) throw new ShapeError(`predictions and targets must have the same shape, got ${formatSpec(x)} and ${formatSpec(y)}`);
  return [];
};

/** A possibly negative axis in range for `rank`, or a ShapeError. */
export function axisIn(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new ShapeError(`axis ${axis} is out of range for an input of rank ${rank}`);
  return a;
}

/** The product of sizes, or null when one is not known. */
export function productOf(sizes: readonly (number | null)[]): number | null {
  let p = 1;
  for (const d of sizes) {
    if (d === null) return null;
    p *= d;
  }
  return p;
}
