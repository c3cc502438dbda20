import { Tensor } from './tensor';
import { decodeTensor, describeValue, encodeTensor, isObject, SavedTensor, SerializationError, setOwn } from './tensor-codec';

// Values a saved file carries besides the graph: optimizer state, history and metadata, opaque to
// core. JSON with exact numbers (NaN, ±Infinity and -0 tagged), Tensors and float typed arrays.

const TAG = '$chainrule';

export function encodeValue(value: unknown, where: string, seen: Set<object> = new Set()): unknown {
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
      if (v !== undefined) setOwn(out, k, encodeValue(v, `${where}.${k}`, seen));
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

export function decodeValue(value: unknown, where: string): unknown {
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
  for (const [k, v] of Object.entries(value)) setOwn(out, k, decodeValue(v, `${where}.${k}`));
  return out;
}

/** Throws SerializationError unless `value` is plain JSON (what gate options must be, to be saved). */
export function checkPlainJson(value: unknown, where: string): void {
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
