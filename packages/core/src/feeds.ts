import { FeedError } from './errors';
import type { ForwardPlan } from './forward-plan';
import { locate, rethrowAt } from './graph-checks';
import type { Feed, GraphNode, ShapeSpec } from './graph-node';
import { formatShape } from './shape';
import { formatSpec } from './shape-inference';
import { Tensor } from './tensor';

// How forward turns what the user fed into the tensors a plan reads. A Tensor is taken as it is (no
// copy, no allocation: the steady-state path); numbers, nested arrays and typed arrays become
// tensors of the input's declared dtype, a bare typed array taking the input's declared shape.

/**
 * Fills `plan.values` with the feeds of the plan's inputs. Throws FeedError when `feeds` is not an
 * object, names something that is not an input of the graph, or lacks an input the plan needs.
 * Feeds for inputs the plan does not read are accepted and ignored (the labels when predicting).
 */
export function readFeeds(plan: ForwardPlan, feeds: unknown, isInput: (name: string) => boolean, allInputs: readonly GraphNode[]): readonly Tensor[] {
  if (feeds === null || typeof feeds !== 'object' || Array.isArray(feeds) || feeds instanceof Tensor || ArrayBuffer.isView(feeds)) {
    throw new FeedError(`forward: feeds must be an object mapping input names to values, like { ${allInputs[0]?.name ?? 'x'}: ... }, got ${describeValue(feeds)}`);
  }
  const record = feeds as Readonly<Record<string, Feed | undefined>>;
  for (const name in record) {
    if (!isInput(name)) throw new FeedError(`forward: '${name}' is not an input of this graph (inputs: ${allInputs.map((i) => i.name).join(', ') || 'none'})`);
  }
  const values = plan.values;
  for (let i = 0; i < plan.inputs.length; i++) {
    const n = plan.inputs[i];
    const v = record[n.name];
    if (v === undefined) {
      throw locate(new FeedError(`forward: no feed for ${n.describe()}, which ${plan.output.describe()} depends on (fed: ${Object.keys(record).join(', ') || 'nothing'})`), n);
    }
    values[i] = v instanceof Tensor ? v : toTensor(n, v);
  }
  return values;
}

/** A number, nested arrays or a typed array as a tensor for input `n` (its declared dtype; a bare typed array its declared shape). */
function toTensor(n: GraphNode, v: unknown): Tensor {
  const dtype = n.inputSpec?.dtype;
  if (v instanceof Float32Array || v instanceof Float64Array) {
    return Tensor.from(v, { dtype: dtype ?? (v instanceof Float32Array ? 'float32' : 'float64'), shape: shapeForFlat(n, v.length) });
  }
  if (typeof v !== 'number' && !Array.isArray(v)) {
    throw locate(new FeedError(`forward: the feed for ${n.describe()} is ${describeValue(v)}, expected a Tensor, a number, nested arrays of numbers or a Float32Array/Float64Array`), n);
  }
  try {
    return Tensor.from(v, { dtype });
  } catch (e) {
    throw rethrowAt(e, `forward: the feed for ${n.describe()}`, n);
  }
}

/** The declared shape a flat array of `length` values fills, its one `null` (batch) dimension worked out. */
function shapeForFlat(n: GraphNode, length: number): number[] {
  const spec: ShapeSpec | undefined = n.inputSpec?.shape;
  const example = `Tensor.from(values, [${spec ? spec.map((d) => (d === null ? 'n' : d)).join(', ') : `n, ${length} / n`}])`;
  if (spec === undefined || spec.filter((d) => d === null).length > 1) {
    throw locate(new FeedError(
      `forward: the feed for ${n.describe()} is a flat typed array of ${length} values and the input declares ${spec ? `shape ${formatSpec(spec)} with more than one free dimension` : 'no shape'}, so its shape is unknown: feed ${example}`,
    ), n);
  }
  let known = 1;
  for (const d of spec) if (d !== null) known *= d;
  const free = known === 0 ? 0 : length / known;
  const fits = spec.includes(null) ? Number.isInteger(free) : length === known;
  if (!fits) {
    throw locate(new FeedError(`forward: the feed for ${n.describe()} holds ${length} values, which do not fill its declared shape ${formatSpec(spec)}: feed ${example}`), n);
  }
  return spec.map((d) => (d === null ? free : d));
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Tensor) return `a Tensor of shape ${formatShape(v.shape)}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  return `a ${typeof v}`;
}
