import { ShapeSpec } from './graph-node';
import { decodeValue } from './saved-values';
import { DType } from './tensor';
import { checkSavedTensor, describeValue, isObject, nameMap, SavedTensor, SerializationError } from './tensor-codec';

// The saved file's format (one versioned JSON shape) and its validation: a file is checked whole
// before anything is built or written from it.

export const FORMAT_NAME = 'chainrule';
export const FORMAT_VERSION = 1;

export type SavedNode =
  | { kind: 'input'; name: string; shape?: (number | null)[]; dtype?: DType; requiresGrad?: boolean }
  | { kind: 'parameter'; name: string; requiresGrad?: boolean }
  | { kind: 'constant'; name: string; value: SavedTensor }
  | { kind: 'gate'; name: string; gate: string; inputs: string[]; options?: Record<string, unknown> };

export interface SavedGraphDescription {
  nodes: SavedNode[];
  /** The output node's name (absent for a graph without gate nodes). */
  output?: string;
  options: { finiteCheck: boolean; strictGates: boolean };
}

/** The whole file, as JSON.parse returns it. */
export interface SavedModel {
  format: typeof FORMAT_NAME;
  version: number;
  /** Absent in files written by saveParameters. */
  graph?: SavedGraphDescription;
  /** Every parameter's value by qualified name (`W`, or `layer1/W` for a composite gate's own). */
  parameters: Record<string, SavedTensor>;
  /** Whatever the caller passed, e.g. `optimizer.state()`; Tensors, typed arrays, NaN, ±Infinity and -0 survive. */
  optimizer?: unknown;
  /** Training history as the caller passed it (losses, step counts...). */
  history?: unknown;
  metadata?: unknown;
}

/**
 * Parses and validates a saved file (a JSON string or the parsed object): format, version, every
 * tensor's size and checksum. The optimizer state, history and metadata come back decoded.
 */
export function parseSaved(json: string | object): SavedModel {
  let raw: unknown;
  if (typeof json === 'string') {
    try {
      raw = JSON.parse(json);
    } catch (e) {
      throw new SerializationError(`load: the file is not valid JSON (truncated or corrupted?): ${(e as Error).message}`);
    }
  } else raw = json;
  if (!isObject(raw)) throw new SerializationError(`load: expected a saved chainrule object, got ${describeValue(raw)}`);
  if (raw.format !== FORMAT_NAME) {
    throw new SerializationError(`load: not a chainrule file (field 'format' is ${describeValue(raw.format)}, expected '${FORMAT_NAME}')`);
  }
  if (raw.version !== FORMAT_VERSION) {
    throw new SerializationError(
      `load: file format version ${describeValue(raw.version)} is not supported (this chainrule reads version ${FORMAT_VERSION})`,
    );
  }
  if (!isObject(raw.parameters)) throw new SerializationError(`load: field 'parameters' is missing or not an object (truncated file?)`);
  const parameters = nameMap<SavedTensor>();
  for (const [name, t] of Object.entries(raw.parameters)) {
    checkSavedTensor(t, `load: parameter '${name}'`);
    parameters[name] = t;
  }
  const model: SavedModel = { format: FORMAT_NAME, version: FORMAT_VERSION, parameters };
  if (raw.graph !== undefined) model.graph = checkGraphDescription(raw.graph, parameters);
  if ('optimizer' in raw) model.optimizer = decodeValue(raw.optimizer, 'optimizer');
  if ('history' in raw) model.history = decodeValue(raw.history, 'history');
  if ('metadata' in raw) model.metadata = decodeValue(raw.metadata, 'metadata');
  return model;
}

function checkGraphDescription(raw: unknown, parameters: Record<string, SavedTensor>): SavedGraphDescription {
  if (!isObject(raw) || !Array.isArray(raw.nodes)) throw new SerializationError(`load: field 'graph' has no node list (truncated or corrupted?)`);
  const names = new Set<string>();
  const nodes = raw.nodes.map((n, i): SavedNode => {
    if (!isObject(n) || typeof n.name !== 'string') throw new SerializationError(`load: graph node ${i} is ${describeValue(n)}, expected {kind, name, ...}`);
    const where = `load: ${n.kind} node '${n.name}'`;
    if (names.has(n.name)) throw new SerializationError(`${where}: the name appears twice`);
    names.add(n.name);
    switch (n.kind) {
      case 'input':
        if (n.shape !== undefined && !(Array.isArray(n.shape) && n.shape.every((d) => d === null || (Number.isInteger(d) && (d as number) >= 0)))) {
          throw new SerializationError(`${where}: shape ${describeValue(n.shape)} is not a list of sizes or nulls`);
        }
        if (n.dtype !== undefined && n.dtype !== 'float32' && n.dtype !== 'float64') throw new SerializationError(`${where}: unknown dtype ${describeValue(n.dtype)}`);
        if (n.requiresGrad !== undefined && typeof n.requiresGrad !== 'boolean') throw new SerializationError(`${where}: requiresGrad must be a boolean`);
        return { kind: 'input', name: n.name, shape: n.shape as ShapeSpec as (number | null)[] | undefined, dtype: n.dtype as DType | undefined, requiresGrad: n.requiresGrad as boolean | undefined };
      case 'parameter':
        if (!(n.name in parameters)) throw new SerializationError(`${where}: its value is missing from 'parameters' (truncated or corrupted?)`);
        if (n.requiresGrad !== undefined && typeof n.requiresGrad !== 'boolean') throw new SerializationError(`${where}: requiresGrad must be a boolean`);
        return { kind: 'parameter', name: n.name, requiresGrad: n.requiresGrad as boolean | undefined };
      case 'constant':
        checkSavedTensor(n.value, `${where}: value`);
        return { kind: 'constant', name: n.name, value: n.value };
      case 'gate':
        if (typeof n.gate !== 'string') throw new SerializationError(`${where}: field 'gate' is ${describeValue(n.gate)}, expected a registered gate name`);
        if (!Array.isArray(n.inputs) || !n.inputs.every((r) => typeof r === 'string')) throw new SerializationError(`${where} (${n.gate}): inputs must be a list of node names`);
        if (n.options !== undefined && !isObject(n.options)) throw new SerializationError(`${where} (${n.gate}): options must be an object`);
        return n.options === undefined
          ? { kind: 'gate', name: n.name, gate: n.gate, inputs: n.inputs as string[] }
          : { kind: 'gate', name: n.name, gate: n.gate, inputs: n.inputs as string[], options: n.options };
      default:
        throw new SerializationError(`load: node '${n.name}' has unknown kind ${describeValue(n.kind)} (expected input, parameter, constant or gate)`);
    }
  });
  // A name may also point inside a composite saved as one node ('block/h'): loading expands it.
  const known = (ref: string): boolean => names.has(ref) || (ref.includes('/') && names.has(ref.slice(0, ref.indexOf('/'))));
  for (const n of nodes) {
    if (n.kind !== 'gate') continue;
    for (const ref of n.inputs) {
      if (!known(ref)) throw new SerializationError(`load: gate node '${n.name}' (${n.gate}): input '${ref}' is not a node of the saved graph`);
    }
  }
  if (raw.output !== undefined && (typeof raw.output !== 'string' || !known(raw.output))) {
    throw new SerializationError(`load: the saved output ${describeValue(raw.output)} is not a node of the saved graph`);
  }
  const opts = isObject(raw.options) ? raw.options : {};
  return {
    nodes,
    output: raw.output as string | undefined,
    options: { finiteCheck: opts.finiteCheck === true, strictGates: opts.strictGates === true },
  };
}
