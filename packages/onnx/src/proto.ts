import { DType, Tensor } from '@chainrule/core';
import { onnx } from 'onnx-proto';

/**
 * The ONNX protobuf messages, generated from the official onnx.proto (ONNX 1.10.2, IR version 8)
 * by protobufjs and published as `onnx-proto`: this package builds plain message objects and lets
 * the library do the wire encoding.
 */
export { onnx };

/** IR version 8 (ONNX 1.10): what the bundled onnx.proto describes and what opsets 15–17 require. */
export const IR_VERSION = 8;

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const DOUBLE = onnx.TensorProto.DataType.DOUBLE;
const INT64 = onnx.TensorProto.DataType.INT64;

/** The ONNX element type of a chainrule dtype. */
export function elemTypeOf(dtype: DType): number {
  return dtype === 'float32' ? FLOAT : DOUBLE;
}

/** An int64 field as a number (protobufjs decodes int64 as a Long object when long.js is present). */
export function toNumber(v: number | { toNumber(): number } | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

/** A TensorProto of `dtype` holding `t`'s values (converted when the dtypes differ), as little-endian raw_data. */
export function tensorProto(name: string, t: Tensor, dtype: DType): onnx.ITensorProto {
  const width = dtype === 'float32' ? 4 : 8;
  const bytes = new Uint8Array(t.size * width);
  const view = new DataView(bytes.buffer);
  const d = t.data;
  if (dtype === 'float32') for (let i = 0; i < d.length; i++) view.setFloat32(i * 4, d[i], true);
  else for (let i = 0; i < d.length; i++) view.setFloat64(i * 8, d[i], true);
  return { name, dims: t.shape.slice(), dataType: elemTypeOf(dtype), rawData: bytes };
}

/** A 1-D int64 TensorProto (shapes, axes), as little-endian raw_data. */
export function int64Proto(name: string, values: readonly number[]): onnx.ITensorProto {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setBigInt64(i * 8, BigInt(values[i]), true);
  return { name, dims: [values.length], dataType: INT64, rawData: bytes };
}

/** What a decoded TensorProto holds: its shape, element type and values as numbers. */
export interface DecodedTensor {
  shape: number[];
  elemType: number;
  values: number[] | Float32Array | Float64Array;
}

/** Reads a TensorProto's values from raw_data or the typed repeated fields (float, double, int32, int64). */
export function decodeTensor(t: onnx.ITensorProto): DecodedTensor {
  const shape = (t.dims ?? []).map(toNumber);
  const elemType = t.dataType ?? 0;
  const size = shape.reduce((a, b) => a * b, 1);
  const raw = t.rawData && t.rawData.length > 0 ? new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength) : undefined;
  if (elemType === FLOAT) {
    const out = new Float32Array(size);
    for (let i = 0; i < size; i++) out[i] = raw ? raw.getFloat32(i * 4, true) : (t.floatData?.[i] ?? 0);
    return { shape, elemType, values: out };
  }
  if (elemType === DOUBLE) {
    const out = new Float64Array(size);
    for (let i = 0; i < size; i++) out[i] = raw ? raw.getFloat64(i * 8, true) : (t.doubleData?.[i] ?? 0);
    return { shape, elemType, values: out };
  }
  if (elemType === INT64) {
    const out: number[] = [];
    for (let i = 0; i < size; i++) out.push(raw ? Number(raw.getBigInt64(i * 8, true)) : toNumber(t.int64Data?.[i]));
    return { shape, elemType, values: out };
  }
  if (elemType === onnx.TensorProto.DataType.INT32) {
    const out: number[] = [];
    for (let i = 0; i < size; i++) out.push(raw ? raw.getInt32(i * 4, true) : (t.int32Data?.[i] ?? 0));
    return { shape, elemType, values: out };
  }
  return { shape, elemType, values: [] };
}
