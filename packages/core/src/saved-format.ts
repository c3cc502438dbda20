import { CHECKSUM_ALGORITHM, documentChecksum } from './saved-integrity';
import { checkGraphDescription, checkParameters, checkTagged, onlyKeys, SavedGraphDescription } from './saved-schema';
import { decodeValue } from './saved-values';
import { checkSavedTensor, checkTensorData, describeValue, isObject, SavedTensor, SerializationError } from './tensor-codec';

export type { SavedGraphDescription, SavedNode } from './saved-schema';

// The saved file's format (one versioned JSON shape) and its validation: a file is checked whole
// (checksum, depth, fields, sizes against the budget, every tensor's CRC) before anything is built
// or written from it.

export const FORMAT_NAME = 'chainrule';
/** 2: a SHA-256 over the whole document (`checksum`), unknown fields refused. Version 1 had checksums on tensor bytes only. */
export const FORMAT_VERSION = 2;

/** Loading's limits; the defaults fit any model this library trains on one machine. */
export interface LoadOptions {
  /**
   * Most tensor values a load may allocate (default 2^27 = 134,217,728: 1 GiB as float64). Checked
   * against the sizes the file declares before any is decoded, and, while building, against what
   * each gate allocates (a `Linear` whose options ask for more than its saved weights is refused
   * before it allocates or initialises them).
   */
  maxElements?: number;
  /** Deepest nesting of arrays and objects in the document (default 64; a saved model needs about 8). */
  maxDepth?: number;
  /** A checksum (`sha256:...`) you got from a trusted place: the file must be exactly that document. */
  expectedChecksum?: string;
}

export const DEFAULT_MAX_ELEMENTS = 2 ** 27;
export const DEFAULT_MAX_DEPTH = 64;

/** The whole file, as JSON.parse returns it. */
export interface SavedModel {
  format: typeof FORMAT_NAME;
  version: number;
  /** `sha256:<hex>` of the canonical form of every other field (saved-integrity.ts). */
  checksum: string;
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

const TOP_KEYS = ['format', 'version', 'checksum', 'graph', 'parameters', 'optimizer', 'history', 'metadata'];
const OPAQUE = ['optimizer', 'history', 'metadata'] as const;

/** The limits in force, with the options checked. */
export function loadLimits(options: LoadOptions = {}): Required<Omit<LoadOptions, 'expectedChecksum'>> {
  const maxElements = options.maxElements ?? DEFAULT_MAX_ELEMENTS;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (!Number.isSafeInteger(maxElements) || maxElements < 0) throw new SerializationError(`load: option maxElements is ${describeValue(maxElements)}, expected a non-negative integer`);
  if (!Number.isSafeInteger(maxDepth) || maxDepth < 1 || maxDepth > 1000) throw new SerializationError(`load: option maxDepth is ${describeValue(maxDepth)}, expected an integer from 1 to 1000`);
  return { maxElements, maxDepth };
}

/**
 * Parses and validates a saved file (a JSON string or the parsed object), in this order, each step
 * before anything is allocated for the next: format and version; depth and the whole-document
 * checksum; every field (unknown ones refused); the tensors' declared sizes against `maxElements`;
 * every tensor's CRC-32. The optimizer state, history and metadata come back decoded.
 */
export function parseSaved(json: string | object, options: LoadOptions = {}): SavedModel {
  const limits = loadLimits(options);
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
    throw new SerializationError(`load: not a chainrule file ($.format is ${describeValue(raw.format)}, expected '${FORMAT_NAME}')`);
  }
  if (raw.version !== FORMAT_VERSION) {
    const hint = raw.version === 1 ? ' (version 1 files carry no whole-document checksum, so they cannot be trusted to be what was saved: re-save the model)' : '';
    throw new SerializationError(`load: file format version ${describeValue(raw.version)} is not supported (this chainrule reads version ${FORMAT_VERSION})${hint}`);
  }
  verifyChecksum(raw, limits.maxDepth, options.expectedChecksum);
  onlyKeys(raw, TOP_KEYS, '$');
  const { parameters, elements } = checkParameters(raw.parameters);
  let declared = elements;
  const model: SavedModel = { format: FORMAT_NAME, version: FORMAT_VERSION, checksum: raw.checksum as string, parameters };
  if (raw.graph !== undefined) {
    const checked = checkGraphDescription(raw.graph, parameters);
    model.graph = checked.graph;
    declared += checked.elements;
  }
  for (const key of OPAQUE) if (key in raw) declared += checkTagged(raw[key], `$.${key}`);
  if (declared > limits.maxElements) {
    throw new SerializationError(
      `load: the file declares ${declared} tensor values, more than the budget of ${limits.maxElements} (option maxElements); nothing was allocated`,
    );
  }
  for (const name of Object.keys(parameters)) checkTensorData(parameters[name], `load: $.parameters[${JSON.stringify(name)}] (parameter '${name}')`);
  model.graph?.nodes.forEach((n, i) => {
    if (n.kind === 'constant') checkTensorData(n.value, `load: $.graph.nodes[${i}].value (constant '${n.name}')`);
  });
  for (const key of OPAQUE) if (key in raw) model[key] = decodeValue(raw[key], `$.${key}`);
  return model;
}

function verifyChecksum(raw: Record<string, unknown>, maxDepth: number, expected: string | undefined): void {
  const pattern = new RegExp(`^${CHECKSUM_ALGORITHM}:[0-9a-f]{64}$`);
  if (typeof raw.checksum !== 'string' || !pattern.test(raw.checksum)) {
    throw new SerializationError(`load: $.checksum is ${describeValue(raw.checksum)}, expected '${CHECKSUM_ALGORITHM}:' and 64 hex digits`);
  }
  const actual = documentChecksum(raw, maxDepth, 'load');
  if (actual !== raw.checksum) {
    throw new SerializationError(
      `load: $.checksum does not match the document (file says ${raw.checksum}, content gives ${actual}): ` +
        `the file was corrupted or edited after it was saved${firstDamagedTensor(raw)}; nothing was loaded`,
    );
  }
  if (expected !== undefined && actual !== expected) {
    throw new SerializationError(`load: the file's checksum is ${actual}, not the expected ${describeValue(expected)} (option expectedChecksum): it is another document`);
  }
}

/** Where the damage is, when it is in a parameter's bytes (their CRC-32 says which); else nothing to add. */
function firstDamagedTensor(raw: Record<string, unknown>): string {
  if (!isObject(raw.parameters)) return '';
  for (const name of Object.keys(raw.parameters)) {
    const t = raw.parameters[name];
    try {
      checkSavedTensor(t, '');
    } catch {
      continue; // not a tensor at all: the field checks will say so
    }
    try {
      checkTensorData(t, '');
    } catch {
      return ` (the damage includes $.parameters[${JSON.stringify(name)}], whose bytes fail their CRC-32)`;
    }
  }
  return '';
}
