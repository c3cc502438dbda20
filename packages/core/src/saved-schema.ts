import { DType } from './tensor';
import { checkSavedTensor, describeValue, isObject, nameMap, SavedTensor, SerializationError } from './tensor-codec';
import { sizeOf } from './shape';

// The saved document's shape, checked field by field before anything is decoded or built: every
// object may hold only the keys its kind allows (a misspelt key is refused, not ignored), and every
// error names its path in the document ($.graph.nodes[3].options). The walks here recurse only as
// deep as the document, whose depth documentChecksum has already bounded (maxDepth).

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

/** The tag of a value JSON cannot hold as is (a Tensor, a typed array, NaN, ±Infinity, -0) in the opaque fields. */
export const TAG = '$chainrule';

const NODE_KEYS: Record<SavedNode['kind'], readonly string[]> = {
  input: ['kind', 'name', 'shape', 'dtype', 'requiresGrad'],
  parameter: ['kind', 'name', 'requiresGrad'],
  constant: ['kind', 'name', 'value'],
  gate: ['kind', 'name', 'gate', 'inputs', 'options'],
};

/** Throws SerializationError when `obj` has a key outside `allowed`: a misspelt field must not be silently ignored. */
export function onlyKeys(obj: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw new SerializationError(`load: ${path} has an unknown field '${key}' (allowed: ${allowed.join(', ')})`);
  }
}

/** Checks a saved tensor's fields at `path` (no unknown keys, sizes consistent) and returns how many values it declares. */
export function checkTensorAt(t: unknown, path: string): number {
  checkSavedTensor(t, `load: ${path}`);
  onlyKeys(t as unknown as Record<string, unknown>, ['dtype', 'shape', 'data', 'crc32'], path);
  if (!Number.isInteger(t.crc32) || t.crc32 < 0 || t.crc32 > 0xffffffff) throw new SerializationError(`load: ${path}.crc32 is ${describeValue(t.crc32)}, expected an unsigned 32-bit integer`);
  return sizeOf(t.shape);
}

/** The `parameters` field as a record without a prototype (a parameter may be named `constructor` or `__proto__`), and the values it declares. */
export function checkParameters(raw: unknown): { parameters: Record<string, SavedTensor>; elements: number } {
  if (!isObject(raw)) throw new SerializationError(`load: $.parameters is ${describeValue(raw)}, expected an object of saved tensors (truncated file?)`);
  const parameters = nameMap<SavedTensor>();
  let elements = 0;
  for (const name of Object.keys(raw)) {
    const t = raw[name];
    elements += checkTensorAt(t, `$.parameters[${JSON.stringify(name)}] (parameter '${name}')`);
    parameters[name] = t as SavedTensor;
  }
  return { parameters, elements };
}

/** Validates the `graph` field against the parameters; returns it typed, with the values its constants declare. */
export function checkGraphDescription(raw: unknown, parameters: Record<string, SavedTensor>): { graph: SavedGraphDescription; elements: number } {
  if (!isObject(raw) || !Array.isArray(raw.nodes)) throw new SerializationError(`load: $.graph has no node list (truncated or corrupted?)`);
  onlyKeys(raw, ['nodes', 'output', 'options'], '$.graph');
  const names = new Set<string>();
  let elements = 0;
  const nodes = raw.nodes.map((n, i): SavedNode => {
    const path = `$.graph.nodes[${i}]`;
    if (!isObject(n) || typeof n.name !== 'string') throw new SerializationError(`load: ${path} is ${describeValue(n)}, expected {kind, name, ...}`);
    const where = `load: ${path} (${describeValue(n.kind)} node '${n.name}')`;
    if (typeof n.kind !== 'string' || !(n.kind in NODE_KEYS)) {
      throw new SerializationError(`${where}: unknown kind ${describeValue(n.kind)} (expected input, parameter, constant or gate)`);
    }
    onlyKeys(n, NODE_KEYS[n.kind as SavedNode['kind']], `${path} (node '${n.name}')`);
    if (names.has(n.name)) throw new SerializationError(`${where}: the name appears twice`);
    names.add(n.name);
    if (n.requiresGrad !== undefined && typeof n.requiresGrad !== 'boolean') throw new SerializationError(`${where}: requiresGrad is ${describeValue(n.requiresGrad)}, expected a boolean`);
    switch (n.kind) {
      case 'input':
        if (n.shape !== undefined && !(Array.isArray(n.shape) && n.shape.every((d) => d === null || (Number.isSafeInteger(d) && (d as number) >= 0)))) {
          throw new SerializationError(`${where}: shape ${describeValue(n.shape)} is not a list of sizes or nulls`);
        }
        if (n.dtype !== undefined && n.dtype !== 'float32' && n.dtype !== 'float64') throw new SerializationError(`${where}: unknown dtype ${describeValue(n.dtype)}`);
        return { kind: 'input', name: n.name, shape: n.shape as (number | null)[] | undefined, dtype: n.dtype as DType | undefined, requiresGrad: n.requiresGrad as boolean | undefined };
      case 'parameter':
        if (!Object.prototype.hasOwnProperty.call(parameters, n.name)) throw new SerializationError(`${where}: its value is missing from $.parameters (truncated or corrupted?)`);
        return { kind: 'parameter', name: n.name, requiresGrad: n.requiresGrad as boolean | undefined };
      case 'constant':
        elements += checkTensorAt(n.value, `${path}.value (constant '${n.name}')`);
        return { kind: 'constant', name: n.name, value: n.value as SavedTensor };
      default:
        if (typeof n.gate !== 'string') throw new SerializationError(`${where}: field 'gate' is ${describeValue(n.gate)}, expected a registered gate name`);
        if (!Array.isArray(n.inputs) || !n.inputs.every((r) => typeof r === 'string')) throw new SerializationError(`${where} (${n.gate}): inputs must be a list of node names`);
        if (n.options !== undefined && !isObject(n.options)) throw new SerializationError(`${where} (${n.gate}): options must be an object, got ${describeValue(n.options)}`);
        return n.options === undefined
          ? { kind: 'gate', name: n.name, gate: n.gate, inputs: n.inputs as string[] }
          : { kind: 'gate', name: n.name, gate: n.gate, inputs: n.inputs as string[], options: n.options };
    }
  });
  // A name may also point inside a composite saved as one node ('block/h'): loading expands it.
  const known = (ref: string): boolean => names.has(ref) || (ref.includes('/') && names.has(ref.slice(0, ref.indexOf('/'))));
  nodes.forEach((n, i) => {
    if (n.kind !== 'gate') return;
    for (const ref of n.inputs) {
      if (!known(ref)) throw new SerializationError(`load: $.graph.nodes[${i}] (gate node '${n.name}' (${n.gate})): input '${ref}' is not a node of the saved graph`);
    }
  });
  if (raw.output !== undefined && (typeof raw.output !== 'string' || !known(raw.output))) {
    throw new SerializationError(`load: $.graph.output ${describeValue(raw.output)} is not a node of the saved graph`);
  }
  if (!isObject(raw.options)) throw new SerializationError(`load: $.graph.options is ${describeValue(raw.options)}, expected {finiteCheck, strictGates}`);
  onlyKeys(raw.options, ['finiteCheck', 'strictGates'], '$.graph.options');
  for (const key of ['finiteCheck', 'strictGates']) {
    if (typeof raw.options[key] !== 'boolean') throw new SerializationError(`load: $.graph.options.${key} is ${describeValue(raw.options[key])}, expected a boolean`);
  }
  const options = { finiteCheck: raw.options.finiteCheck as boolean, strictGates: raw.options.strictGates as boolean };
  return { graph: raw.output === undefined ? { nodes, options } : { nodes, output: raw.output as string, options }, elements };
}

/** Checks every tagged value in an opaque field (optimizer state, history, metadata) and returns the values its tensors declare. */
export function checkTagged(value: unknown, path: string): number {
  if (Array.isArray(value)) return value.reduce((sum: number, v, i) => sum + checkTagged(v, `${path}[${i}]`), 0);
  if (!isObject(value)) return 0;
  if (!(TAG in value)) return Object.keys(value).reduce((sum, k) => sum + checkTagged(value[k], `${path}.${k}`), 0);
  onlyKeys(value, [TAG, 'value'], path);
  switch (value[TAG]) {
    case 'number':
      if (!['-0', 'NaN', 'Infinity', '-Infinity'].includes(value.value as string)) throw new SerializationError(`load: ${path}: unknown special number ${describeValue(value.value)}`);
      return 0;
    case 'tensor':
    case 'typed': {
      const n = checkTensorAt(value.value, `${path}.value`);
      if (value[TAG] === 'typed' && (value.value as SavedTensor).shape.length !== 1) throw new SerializationError(`load: ${path}: a saved typed array must have one axis`);
      return n;
    }
    default:
      throw new SerializationError(`load: ${path}: unknown tagged value ${describeValue(value[TAG])}`);
  }
}
