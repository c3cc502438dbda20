import { ChainruleError } from './errors';
import { formatShape, sizeOf } from './shape';
import { allocate, DType, Tensor, TypedArray, assertTensor } from './tensor';

/** The file could not be written or read: not JSON, truncated, corrupted, another version, or it does not fit the graph. */
export class SerializationError extends ChainruleError {}

/**
 * A tensor in a saved file: base64 of its little-endian IEEE-754 bytes (an exact round trip of
 * every float32 and float64 value, NaN payloads and -0 included) with a CRC-32 of those bytes, so a
 * truncated or corrupted file is refused instead of loaded wrong.
 */
export interface SavedTensor {
  dtype: DType;
  shape: number[];
  /** base64 of the values as little-endian float32/float64 bytes. */
  data: string;
  /** CRC-32 of those bytes (unsigned). */
  crc32: number;
}

/** Encodes a tensor exactly (used for parameters, constants and Tensors inside optimizer state). */
export function encodeTensor(t: Tensor): SavedTensor {
  assertTensor(t, 'encodeTensor');
  const bytes = toLittleEndianBytes(t.data);
  return { dtype: t.dtype, shape: t.shape.slice(), data: toBase64(bytes), crc32: crc32(bytes) };
}

/** Decodes a tensor saved by encodeTensor, checking its size and checksum. */
export function decodeTensor(saved: SavedTensor, where = 'tensor'): Tensor {
  const bytes = checkTensorData(saved, where);
  const data = allocate(saved.dtype, sizeOf(saved.shape));
  fromLittleEndianBytes(bytes, data);
  return new Tensor(data, saved.shape);
}

/** Checks a saved tensor's fields, its byte count and its CRC-32; returns its bytes. */
export function checkTensorData(saved: SavedTensor, where: string): Uint8Array {
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
  return bytes;
}

/** Throws SerializationError unless `t` has a saved tensor's fields, with as much data as its shape needs. */
export function checkSavedTensor(t: unknown, where: string): asserts t is SavedTensor {
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

/**
 * A record keyed by names from a graph or a file: no prototype, so a parameter named `constructor`
 * or `toString` is not found on Object.prototype and one named `__proto__` is an own key (kept by
 * JSON.stringify) instead of replacing the prototype.
 */
export function nameMap<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** Sets an own key, `__proto__` included (assignment to `o.__proto__` would replace the prototype instead). */
export function setOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** How a load error shows a value it did not expect. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') return `a ${typeof v}`;
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}

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

/** Standard base64 through the platform's btoa (Node ≥ 16 and every browser; no Node Buffer in core). */
function toBase64(bytes: Uint8Array): string {
  let binary = '';
  // btoa takes a string of byte-valued characters; build it in chunks (fromCharCode's argument limit).
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Standard base64 through atob, after a check that names the first character that is not base64. */
function fromBase64(text: string, where: string): Uint8Array {
  if (text.length % 4 !== 0) throw new SerializationError(`${where}: base64 data of length ${text.length} is not a multiple of 4 (truncated or corrupted)`);
  if (!BASE64.test(text)) {
    const at = text.search(/[^A-Za-z0-9+/=]|=(?=[^=])/);
    throw new SerializationError(`${where}: character ${JSON.stringify(text[at])} at ${at} is not base64 (corrupted)`);
  }
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
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
