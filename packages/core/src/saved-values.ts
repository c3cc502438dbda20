import { TAG } from './saved-schema';
import { Tensor } from './tensor';
import { decodeTensor, describeValue, encodeTensor, isObject, SavedTensor, SerializationError, setOwn } from './tensor-codec';

// Values a saved file carries besides the graph: optimizer state, history and metadata, opaque to
// core. JSON with exact numbers (NaN, ±Infinity and -0 tagged), Tensors and float typed arrays.
// Every walk here is bounded: saving refuses what is nested deeper than the limit loading applies,
// so a file that saves also loads; decoding runs on a document whose depth was already checked.

/** Encodes `value` for the file; `depth` is how deep it sits in the document, refused past `maxDepth`. */
export function encodeValue(value: unknown, where: string, depth: number, maxDepth: number, seen: Set<object> = new Set()): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value) && !Object.is(value, -0)) return value;
    return { [TAG]: 'number', value: Object.is(value, -0) ? '-0' : String(value) };
  }
  if (value === undefined) return null;
  if (typeof value !== 'object') throw new SerializationError(`save: ${where} holds a ${typeof value}, which cannot be saved`);
  if (seen.has(value)) throw new SerializationError(`save: ${where} refers to itself (a cycle), which cannot be saved`);
  // A tagged tensor takes three levels ({$chainrule, value: {shape: [...]}}), other containers one.
  if (depth + (value instanceof Tensor || ArrayBuffer.isView(value) ? 3 : 1) > maxDepth) {
    throw new SerializationError(`save: ${where} is nested more than ${maxDepth} levels deep in the document, which loading refuses (option maxDepth)`);
  }
  seen.add(value);
  try {
    if (value instanceof Tensor) return { [TAG]: 'tensor', value: encodeTensor(value) };
    if (value instanceof Float32Array || value instanceof Float64Array) {
      return { [TAG]: 'typed', value: encodeTensor(new Tensor(value, [value.length])) };
    }
    if (Array.isArray(value)) return value.map((v, i) => encodeValue(v, `${where}[${i}]`, depth + 1, maxDepth, seen));
    if (ArrayBuffer.isView(value)) throw new SerializationError(`save: ${where} is a ${value.constructor.name}; only Float32Array and Float64Array are supported`);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) setOwn(out, k, encodeValue(v, `${where}.${k}`, depth + 1, maxDepth, seen));
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/** Decodes a value checked by checkTagged (saved-schema.ts). */
export function decodeValue(value: unknown, where: string): unknown {
  if (Array.isArray(value)) return value.map((v, i) => decodeValue(v, `${where}[${i}]`));
  if (!isObject(value)) return value;
  switch (value[TAG]) {
    case 'number':
      return value.value === '-0' ? -0 : Number(value.value);
    case 'tensor':
      return decodeTensor(value.value as SavedTensor, `load: ${where}`);
    case 'typed':
      return decodeTensor(value.value as SavedTensor, `load: ${where}`).data;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) setOwn(out, k, decodeValue(value[k], `${where}.${k}`));
  return out;
}

/** Throws SerializationError unless `value` is plain JSON no deeper than `maxDepth` (what gate options must be, to be saved). */
export function checkPlainJson(value: unknown, where: string, maxDepth: number): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new SerializationError(`${where}: ${value} is not representable in JSON`);
    return;
  }
  const plain = Array.isArray(value) || (isObject(value) && Object.getPrototypeOf(value) === Object.prototype);
  if (!plain) throw new SerializationError(`${where}: ${describeValue(value)} is not plain JSON (numbers, strings, booleans, arrays, objects)`);
  if (maxDepth <= 0) throw new SerializationError(`${where}: nested too deep for a saved document (option maxDepth)`);
  if (Array.isArray(value)) value.forEach((v, i) => checkPlainJson(v, `${where}[${i}]`, maxDepth - 1));
  else for (const [k, v] of Object.entries(value)) checkPlainJson(v, `${where}.${k}`, maxDepth - 1);
}
