import { Container } from 'inversify';
import { boundGateNames } from './container';
import { ChainruleError } from './errors';
import { Gate } from './gate';
import { ComputationalGraph, GraphNode, hasSubgraph, InputOptions, ShapeSpec } from './graph';
import { formatShape, shapesEqual, sizeOf } from './shape';
import { allocate, DType, Tensor, TypedArray } from './tensor';

/**
 * Saving and loading graphs, parameters and training state.
 *
 * One versioned JSON format. Tensors are stored as base64 of their little-endian IEEE-754 bytes
 * (exact round trip of every float32 and float64 value, NaN payloads and -0 included) with a CRC-32
 * of those bytes, so a truncated or corrupted file is refused instead of loaded wrong. Loading
 * validates everything before it writes anything: a file that fails leaves the target as it was.
 */

/** The file could not be written or read: not JSON, truncated, corrupted, another version, or it does not fit the graph. */
export class SerializationError extends ChainruleError {}

export const FORMAT_NAME = 'chainrule';
export const FORMAT_VERSION = 1;

/** A tensor in a saved file. */
export interface SavedTensor {
  dtype: DType;
  shape: number[];
  /** base64 of the values as little-endian float32/float64 bytes. */
  data: string;
  /** CRC-32 of those bytes (unsigned). */
  crc32: number;
}

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

export interface SaveOptions {
  /** Optimizer state (opaque to core; e.g. `optimizer.state()`). */
  optimizer?: unknown;
  /** Training history (opaque; e.g. `trainer.history`). */
  history?: unknown;
  /** Anything else worth keeping with the model. */
  metadata?: unknown;
  /** Indent the JSON (default: compact). */
  space?: number;
}

export interface LoadParametersOptions {
  /**
   * Default true: the file must hold exactly the graph's parameters. With false, parameters missing
   * from the file keep their values and extra ones in the file are ignored (shapes must still match).
   */
  strict?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Public API

/** Saves the graph's description, every parameter value and, optionally, optimizer state and history. */
export function saveGraph(graph: ComputationalGraph, options: SaveOptions = {}): string {
  const model: SavedModel = {
    format: FORMAT_NAME,
    version: FORMAT_VERSION,
    graph: describeGraph(graph),
    parameters: saveParameterMap(graph),
  };
  addExtras(model, options);
  return JSON.stringify(model, null, options.space);
}

/** Saves only the parameter values (and optional extras), for loadParameters into a graph built by code. */
export function saveParameters(graph: ComputationalGraph, options: SaveOptions = {}): string {
  const model: SavedModel = { format: FORMAT_NAME, version: FORMAT_VERSION, parameters: saveParameterMap(graph) };
  addExtras(model, options);
  return JSON.stringify(model, null, options.space);
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
  const parameters: Record<string, SavedTensor> = {};
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

/**
 * Rebuilds a saved graph, resolving every gate by its registered name from `container` (so custom
 * gates load once they are bound), and restores every parameter, composite gates' own included.
 * Fails with SerializationError before building anything when a gate name is unbound.
 */
export function loadGraph(json: string | object, container: Container): ComputationalGraph {
  const model = parseSaved(json);
  const desc = model.graph;
  if (!desc) throw new SerializationError('loadGraph: the file holds parameters only (written by saveParameters); build the graph in code and use loadParameters');
  const unbound = desc.nodes.filter((n): n is Extract<SavedNode, { kind: 'gate' }> => n.kind === 'gate' && !container.isBound(n.gate));
  if (unbound.length > 0) {
    const known = boundGateNames(container);
    throw new SerializationError(
      `loadGraph: ${unbound.map((n) => `node '${n.name}' uses gate '${n.gate}'`).join(', ')}, not bound in the container ` +
        `(bound: ${known.join(', ') || 'none'}); bind ${unbound.length === 1 ? 'it' : 'them'} (gatesModule, bindGate) before loading`,
    );
  }
  const graph = new ComputationalGraph(container, desc.options);
  for (const n of desc.nodes) {
    try {
      switch (n.kind) {
        case 'input': {
          const spec: InputOptions = {};
          if (n.shape) spec.shape = n.shape;
          if (n.dtype) spec.dtype = n.dtype;
          if (n.requiresGrad !== undefined) spec.requiresGrad = n.requiresGrad;
          graph.input(n.name, spec);
          break;
        }
        case 'parameter': {
          const node = graph.parameter(n.name, decodeTensor(model.parameters[n.name], `parameter '${n.name}'`));
          if (n.requiresGrad !== undefined) node.requiresGrad = n.requiresGrad;
          break;
        }
        case 'constant':
          graph.constant(n.name, decodeTensor(n.value, `constant '${n.name}'`));
          break;
        case 'gate':
          graph.gate(n.gate, n.inputs, n.options === undefined ? { name: n.name } : { name: n.name, options: n.options });
          break;
      }
    } catch (e) {
      throw wrap(e, `loadGraph: rebuilding ${n.kind} '${n.name}'`);
    }
  }
  if (desc.output !== undefined) graph.setOutput(desc.output);
  try {
    graph.topologicalOrder();
  } catch (e) {
    throw wrap(e, 'loadGraph: the saved graph does not sort');
  }
  // Composite gates built their own parameters fresh: overwrite them with the saved values.
  applyParameters(graph, model, { strict: true }, 'loadGraph');
  return graph;
}

/**
 * Restores saved parameter values into an existing graph, in place (optimizers holding the tensors
 * keep working). Validates every name, shape, dtype and checksum first: on failure nothing is written.
 */
export function loadParameters(graph: ComputationalGraph, json: string | object, options: LoadParametersOptions = {}): SavedModel {
  const model = parseSaved(json);
  applyParameters(graph, model, options, 'loadParameters');
  return model;
}

/**
 * Every parameter of the graph by qualified name: a parameter node's own name, or
 * `<node>/<name>` for one inside a composite gate's subgraph (nested composites nest the prefix).
 */
export function namedParameters(graph: ComputationalGraph): Map<string, GraphNode> {
  const out = new Map<string, GraphNode>();
  collectParameters(graph, '', out);
  return out;
}

/** Encodes a tensor exactly (used for parameters, constants and Tensors inside optimizer state). */
export function encodeTensor(t: Tensor): SavedTensor {
  const bytes = toLittleEndianBytes(t.data);
  return { dtype: t.dtype, shape: t.shape.slice(), data: toBase64(bytes), crc32: crc32(bytes) };
}

/** Decodes a tensor saved by encodeTensor, checking its size and checksum. */
export function decodeTensor(saved: SavedTensor, where = 'tensor'): Tensor {
  checkSavedTensor(saved, where);
  const bytes = fromBase64(saved.data, where);
  const width = saved.dtype === 'float32' ? 4 : 8;
  const size = sizeOf(saved.shape);
  if (bytes.length !== size * width) {
    throw new SerializationError(
      `${where}: expected ${size} ${saved.dtype} values (${size * width} bytes) for shape ${formatShape(saved.shape)}, got ${bytes.length} bytes (truncated or corrupted)`,
    );
  }
  const sum = crc32(bytes);
  if (sum !== saved.crc32) {
    throw new SerializationError(`${where}: checksum mismatch (file says ${saved.crc32}, data gives ${sum}): the data is corrupted`);
  }
  const data = allocate(saved.dtype, size);
  fromLittleEndianBytes(bytes, data);
  return new Tensor(data, saved.shape);
}

// ---------------------------------------------------------------------------------------------
// Saving

function collectParameters(graph: ComputationalGraph, prefix: string, out: Map<string, GraphNode>): void {
  for (const n of graph.nodes) {
    if (n.kind === 'parameter') {
      const name = prefix + n.name;
      if (out.has(name)) throw new SerializationError(`save: two parameters share the qualified name '${name}'`);
      out.set(name, n);
    } else if (hasSubgraph(n.gate)) {
      collectParameters(n.gate.subgraph(), `${prefix}${n.name}/`, out);
    }
  }
}

function saveParameterMap(graph: ComputationalGraph): Record<string, SavedTensor> {
  const out: Record<string, SavedTensor> = {};
  for (const [name, node] of namedParameters(graph)) {
    if (!(node.value instanceof Tensor)) throw new SerializationError(`save: parameter '${name}' has no value`);
    out[name] = encodeTensor(node.value);
  }
  return out;
}

function addExtras(model: SavedModel, options: SaveOptions): void {
  if (options.optimizer !== undefined) model.optimizer = encodeValue(options.optimizer, 'optimizer');
  if (options.history !== undefined) model.history = encodeValue(options.history, 'history');
  if (options.metadata !== undefined) model.metadata = encodeValue(options.metadata, 'metadata');
}

function describeGraph(graph: ComputationalGraph): SavedGraphDescription {
  const nodes: SavedNode[] = graph.nodes.map((n): SavedNode => {
    switch (n.kind) {
      case 'input': {
        const s: SavedNode = { kind: 'input', name: n.name };
        const spec = n.inputSpec ?? {};
        if (spec.shape) s.shape = spec.shape.slice();
        if (spec.dtype) s.dtype = spec.dtype;
        s.requiresGrad = n.requiresGrad;
        return s;
      }
      case 'parameter':
        return { kind: 'parameter', name: n.name, requiresGrad: n.requiresGrad };
      case 'constant':
        return { kind: 'constant', name: n.name, value: encodeTensor(n.value as Tensor) };
      case 'gate': {
        const s: SavedNode = {
          kind: 'gate',
          name: n.name,
          gate: registeredName(graph.container, n),
          inputs: n.inputRefs.map((r) => (typeof r === 'string' ? r : r.name)),
        };
        if (n.options !== undefined) {
          checkPlainJson(n.options, `save: ${n.describe()} options`);
          s.options = JSON.parse(JSON.stringify(n.options)) as Record<string, unknown>;
        }
        return s;
      }
    }
  });
  const desc: SavedGraphDescription = { nodes, options: { finiteCheck: graph.finiteCheck, strictGates: graph.strictGates } };
  if (graph.nodes.some((n) => n.kind === 'gate')) desc.output = graph.output.name;
  return desc;
}

/** The name a container can resolve this node's gate by: its gateType when bound to the same class, else any bound name that is. */
function registeredName(container: Container, node: GraphNode): string {
  const type = node.gateType as string;
  const ctor = (node.gate as object).constructor;
  const sameClass = (name: string): boolean => {
    try {
      return container.isBound(name) && (container.get<Gate>(name) as object).constructor === ctor;
    } catch {
      return false;
    }
  };
  if (sameClass(type)) return type;
  const other = boundGateNames(container).find(sameClass);
  if (other !== undefined) return other;
  throw new SerializationError(
    `save: ${node.describe()}: its gate class ${ctor.name} is not bound under any name in the graph's container, so a saved file could not name it; ` +
      `bind it with bindGate(container, ${ctor.name}, '${ctor.name}')`,
  );
}

function checkPlainJson(value: unknown, where: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new SerializationError(`${where}: ${value} is not representable in JSON`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkPlainJson(v, `${where}[${i}]`));
    return;
  }
  if (isObject(value) && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) checkPlainJson(v, `${where}.${k}`);
    return;
  }
  throw new SerializationError(`${where}: ${describeValue(value)} is not plain JSON (numbers, strings, booleans, arrays, objects)`);
}

// ---------------------------------------------------------------------------------------------
// Loading

function applyParameters(graph: ComputationalGraph, model: SavedModel, options: LoadParametersOptions, where: string): void {
  const strict = options.strict ?? true;
  const targets = namedParameters(graph);
  const problems: string[] = [];
  const writes: [Tensor, Tensor][] = [];
  for (const [name, node] of targets) {
    const saved = model.parameters[name];
    if (saved === undefined) {
      if (strict) problems.push(`parameter '${name}' is missing from the file`);
      continue;
    }
    const value = node.value as Tensor;
    if (!shapesEqual(saved.shape, value.shape)) {
      problems.push(`parameter '${name}' has shape ${formatShape(saved.shape)} in the file, expected ${formatShape(value.shape)}`);
      continue;
    }
    if (saved.dtype !== value.dtype) {
      problems.push(`parameter '${name}' is ${saved.dtype} in the file, expected ${value.dtype}`);
      continue;
    }
    try {
      writes.push([value, decodeTensor(saved, `parameter '${name}'`)]);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (strict) {
    for (const name of Object.keys(model.parameters)) {
      if (!targets.has(name)) problems.push(`the file has parameter '${name}', which the graph does not (graph has: ${[...targets.keys()].join(', ') || 'none'})`);
    }
  }
  if (problems.length > 0) {
    throw new SerializationError(`${where}: the file does not fit the graph, nothing was loaded: ${problems.join('; ')}`);
  }
  for (const [target, source] of writes) target.data.set(source.data);
  graph.invalidate(); // the gates' caches hold the old values: the next backward needs a new forward
}

function checkSavedTensor(t: unknown, where: string): asserts t is SavedTensor {
  if (!isObject(t)) throw new SerializationError(`${where}: expected a saved tensor {dtype, shape, data, crc32}, got ${describeValue(t)}`);
  if (t.dtype !== 'float32' && t.dtype !== 'float64') throw new SerializationError(`${where}: dtype ${describeValue(t.dtype)}, expected 'float32' or 'float64'`);
  if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
    throw new SerializationError(`${where}: shape ${describeValue(t.shape)} is not a list of non-negative integers`);
  }
  if (typeof t.data !== 'string') throw new SerializationError(`${where}: field 'data' is ${describeValue(t.data)}, expected a base64 string`);
  if (typeof t.crc32 !== 'number') throw new SerializationError(`${where}: field 'crc32' is ${describeValue(t.crc32)}, expected a number`);
  const width = t.dtype === 'float32' ? 4 : 8;
  const expected = Math.ceil((sizeOf(t.shape as number[]) * width) / 3) * 4;
  if (t.data.length !== expected) {
    throw new SerializationError(
      `${where}: ${t.data.length} base64 characters cannot hold the ${sizeOf(t.shape as number[])} ${t.dtype} values of shape ${formatShape(t.shape as number[])} (expected ${expected}; truncated or corrupted)`,
    );
  }
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
  for (const n of nodes) {
    if (n.kind !== 'gate') continue;
    for (const ref of n.inputs) {
      if (!names.has(ref)) throw new SerializationError(`load: gate node '${n.name}' (${n.gate}): input '${ref}' is not a node of the saved graph`);
    }
  }
  if (raw.output !== undefined && (typeof raw.output !== 'string' || !names.has(raw.output))) {
    throw new SerializationError(`load: the saved output ${describeValue(raw.output)} is not a node of the saved graph`);
  }
  const opts = isObject(raw.options) ? raw.options : {};
  return {
    nodes,
    output: raw.output as string | undefined,
    options: { finiteCheck: opts.finiteCheck === true, strictGates: opts.strictGates === true },
  };
}

function wrap(e: unknown, where: string): SerializationError {
  if (e instanceof SerializationError) return e;
  const err = new SerializationError(`${where}: ${(e as Error)?.message ?? String(e)}`);
  (err as Error & { cause?: unknown }).cause = e;
  return err;
}

// ---------------------------------------------------------------------------------------------
// Opaque values (optimizer state, history): JSON with exact numbers, Tensors and typed arrays

const TAG = '$chainrule';

function encodeValue(value: unknown, where: string, seen: Set<object> = new Set()): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value) && !Object.is(value, -0)) return value;
    return { [TAG]: 'number', value: Object.is(value, -0) ? '-0' : String(value) };
  }
  if (value === undefined) return null;
  if (typeof value !== 'object') throw new SerializationError(`save: ${where} holds a ${typeof value}, which cannot be saved`);
  if (seen.has(value)) throw new SerializationError(`save: ${where} refers to itself (a cycle), which cannot be saved`);
  seen.add(value);
  try {
    if (value instanceof Tensor) return { [TAG]: 'tensor', value: encodeTensor(value) };
    if (value instanceof Float32Array || value instanceof Float64Array) {
      return { [TAG]: 'typed', value: encodeTensor(new Tensor(value, [value.length])) };
    }
    if (Array.isArray(value)) return value.map((v, i) => encodeValue(v, `${where}[${i}]`, seen));
    if (ArrayBuffer.isView(value)) throw new SerializationError(`save: ${where} is a ${value.constructor.name}; only Float32Array and Float64Array are supported`);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out[k] = encodeValue(v, `${where}.${k}`, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

function decodeValue(value: unknown, where: string): unknown {
  if (Array.isArray(value)) return value.map((v, i) => decodeValue(v, `${where}[${i}]`));
  if (!isObject(value)) return value;
  if (typeof value[TAG] === 'string') {
    switch (value[TAG]) {
      case 'number':
        if (value.value === '-0') return -0;
        if (value.value === 'NaN' || value.value === 'Infinity' || value.value === '-Infinity') return Number(value.value);
        throw new SerializationError(`load: ${where}: unknown special number ${describeValue(value.value)}`);
      case 'tensor':
        return decodeTensor(value.value as SavedTensor, where);
      case 'typed':
        return decodeTensor(value.value as SavedTensor, where).data;
      default:
        throw new SerializationError(`load: ${where}: unknown tagged value '${value[TAG]}'`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = decodeValue(v, `${where}.${k}`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Bytes

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function toLittleEndianBytes(data: TypedArray): Uint8Array {
  const bytes = new Uint8Array(data.byteLength);
  if (LITTLE_ENDIAN) {
    bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  } else {
    const view = new DataView(bytes.buffer);
    if (data instanceof Float32Array) for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
    else for (let i = 0; i < data.length; i++) view.setFloat64(i * 8, data[i], true);
  }
  return bytes;
}

function fromLittleEndianBytes(bytes: Uint8Array, out: TypedArray): void {
  if (LITTLE_ENDIAN) {
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes);
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (out instanceof Float32Array) for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  else for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_CODES = Uint8Array.from(B64, (c) => c.charCodeAt(0));
const ASCII = new TextDecoder('latin1');
const B64_INDEX = (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < B64.length; i++) t[B64.charCodeAt(i)] = i;
  return t;
})();

function toBase64(bytes: Uint8Array): string {
  const n = bytes.length;
  const out = new Uint8Array(Math.ceil(n / 3) * 4);
  const codes = B64_CODES;
  let o = 0;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[o++] = codes[(v >> 18) & 63];
    out[o++] = codes[(v >> 12) & 63];
    out[o++] = codes[(v >> 6) & 63];
    out[o++] = codes[v & 63];
  }
  if (i < n) {
    const v = (bytes[i] << 16) | (i + 1 < n ? bytes[i + 1] << 8 : 0);
    out[o++] = codes[(v >> 18) & 63];
    out[o++] = codes[(v >> 12) & 63];
    out[o++] = i + 1 < n ? codes[(v >> 6) & 63] : 61;
    out[o++] = 61; // '='
  }
  return ASCII.decode(out);
}

function fromBase64(text: string, where: string): Uint8Array {
  const len = text.length;
  if (len % 4 !== 0) throw new SerializationError(`${where}: base64 data of length ${len} is not a multiple of 4 (truncated or corrupted)`);
  const pad = len === 0 ? 0 : text.charCodeAt(len - 1) !== 61 ? 0 : text.charCodeAt(len - 2) === 61 ? 2 : 1;
  const out = new Uint8Array((len / 4) * 3 - pad);
  const index = B64_INDEX;
  const bad = (at: number): never => {
    throw new SerializationError(`${where}: character ${JSON.stringify(text[at])} at ${at} is not base64 (corrupted)`);
  };
  const value = (at: number): number => {
    const c = text.charCodeAt(at);
    const v = c < 128 ? index[c] : -1;
    return v < 0 ? bad(at) : v;
  };
  let o = 0;
  const full = pad > 0 ? len - 4 : len;
  for (let i = 0; i < full; i += 4) {
    const v = (value(i) << 18) | (value(i + 1) << 12) | (value(i + 2) << 6) | value(i + 3);
    out[o++] = (v >> 16) & 255;
    out[o++] = (v >> 8) & 255;
    out[o++] = v & 255;
  }
  if (pad > 0) {
    const i = len - 4;
    const v = (value(i) << 18) | (value(i + 1) << 12) | (pad === 1 ? value(i + 2) << 6 : 0);
    out[o++] = (v >> 16) & 255;
    if (pad === 1) out[o++] = (v >> 8) & 255;
  }
  return out;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3) of the bytes, unsigned. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') return `a ${typeof v}`;
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}
