import { assertOptions, describeArgument, ComputationalGraph, DType, GateClass, GraphNode, Tensor } from '@chainrule/core';
import {
  AddConstantGate, AddGate, ConcatGate, createGatesContainer, DivideGate, ExpGate, FlattenGate, LeakyReLUGate, LogSoftmaxGate,
  MatMulGate, MaxGate, MeanGate, MultiplyGate, NegateGate, PowGate, ReciprocalGate, ReLUGate, ReshapeGate, ScaleGate,
  SigmoidGate, SoftmaxGate, SoftplusGate, SubtractGate, SumGate, TanhGate, TransposeGate,
} from '@chainrule/gates';
import { Container } from 'inversify';
import { OnnxImportError } from './errors';
import { decodeTensor, DecodedTensor, onnx, toNumber } from './proto';

export interface ImportOptions {
  /** The container the graph resolves its gates from (default: createGatesContainer()). */
  container?: Container;
}

export interface ImportedModel {
  graph: ComputationalGraph;
  /** The model's inputs, in order, as input nodes (declared shape: symbolic dimensions are `null`). */
  inputs: GraphNode[];
  /** The node whose value is the model's (first) output; attach a loss to it to fine-tune. */
  output: GraphNode;
}

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const DOUBLE = onnx.TensorProto.DataType.DOUBLE;

const UNARY: Record<string, GateClass> = {
  Relu: ReLUGate, Sigmoid: SigmoidGate, Tanh: TanhGate, Exp: ExpGate, Softplus: SoftplusGate, Reciprocal: ReciprocalGate, Neg: NegateGate,
};
const BINARY: Record<string, GateClass> = { Add: AddGate, Sub: SubtractGate, Mul: MultiplyGate, Div: DivideGate, MatMul: MatMulGate, Max: MaxGate };

/**
 * An ONNX model (bytes of a ModelProto) as a chainrule graph, for the operator set exportOnnx
 * writes (docs/onnx.md), so a model trained elsewhere can be fine-tuned here. Float initializers
 * become parameters (trainable, named as in the model), except scalars that set a gate's option
 * (Mul → ScaleGate's a, Add → AddConstantGate's c, Pow → PowGate's p) and int64 shapes and axes.
 * Each ONNX node becomes one gate node named after its output. OnnxImportError names the ONNX node
 * and operator of anything outside that set.
 */
export function importOnnx(bytes: Uint8Array, options: ImportOptions = {}): ImportedModel {
  if (!(bytes instanceof Uint8Array)) throw new OnnxImportError(`importOnnx: expected the model's bytes as a Uint8Array, got ${describeArgument(bytes)}`);
  assertOptions(options, 'importOnnx');
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new OnnxImportError(`importOnnx: the bytes are not an ONNX model (protobuf decoding failed: ${(e as Error).message})`);
  }
  const opset = model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx');
  if (!opset || toNumber(opset.version) < 13) {
    throw new OnnxImportError(`importOnnx: the model imports opset ${opset ? toNumber(opset.version) : 'none'} of the default domain; opset 13 or later is supported`);
  }
  const g = model.graph;
  if (!g?.node || !g.input || !g.output) throw new OnnxImportError('importOnnx: the model has no graph');
  const graph = new ComputationalGraph(options.container ?? createGatesContainer());
  const inits = new Map<string, DecodedTensor>((g.initializer ?? []).map((t) => [t.name ?? '', decodeTensor(t)]));
  const values = new Map<string, GraphNode>();
  const inputs: GraphNode[] = [];
  for (const vi of g.input) {
    const name = vi.name ?? '';
    if (inits.has(name)) continue; // (IR < 4 listed initializers among the inputs)
    const t = vi.type?.tensorType;
    const dims = t?.shape?.dim;
    const node = graph.input(name, {
      dtype: dtypeOf(t?.elemType ?? FLOAT, `input '${name}'`),
      ...(dims ? { shape: dims.map((d) => (d.dimValue !== undefined && d.dimValue !== null && !d.dimParam ? toNumber(d.dimValue) : null)) } : {}),
    });
    values.set(name, node);
    inputs.push(node);
  }

  /** The node holding value `name`: an earlier node's output, an input, or a float initializer made a parameter on first use. */
  const valueOf = (name: string, at: string): GraphNode => {
    const found = values.get(name);
    if (found) return found;
    const t = inits.get(name);
    if (!t) throw new OnnxImportError(`importOnnx: ${at} reads '${name}', which no input, initializer or earlier node provides`);
    const p = graph.parameter(name, tensorOf(t, name, at));
    values.set(name, p);
    return p;
  };
  /** A scalar (or one-element) float initializer's value, or undefined when `name` is not one. */
  const scalar = (name: string | undefined): number | undefined => {
    const t = name === undefined ? undefined : inits.get(name);
    if (!t || (t.elemType !== FLOAT && t.elemType !== DOUBLE) || t.values.length !== 1 || t.shape.length > 1) return undefined;
    return t.elemType === FLOAT ? shortestFloat32(t.values[0]) : t.values[0];
  };
  const ints = (name: string | undefined, at: string): number[] => {
    const t = name === undefined ? undefined : inits.get(name);
    if (!t || (t.elemType !== onnx.TensorProto.DataType.INT64 && t.elemType !== onnx.TensorProto.DataType.INT32)) {
      throw new OnnxImportError(`importOnnx: ${at} needs '${name}' to be an int64 initializer (a constant shape or axes)`);
    }
    return Array.from(t.values);
  };

  for (const n of g.node) {
    const op = n.opType ?? '';
    const ins = n.input ?? [];
    const out = n.output?.[0] ?? '';
    const at = `ONNX node '${n.name || out}' (${op})`;
    const attr = attributes(n);
    const add = (gate: GateClass, ins: string[], opts?: Record<string, unknown>) =>
      values.set(out, graph.gate(gate, ins.map((i) => valueOf(i, at)), { name: out, ...(opts ? { options: opts } : {}) }));
    const [a, b] = ins;
    if (n.domain && n.domain !== 'ai.onnx') throw new OnnxImportError(`importOnnx: ${at} is in domain '${n.domain}'; only the default domain is supported`, { node: out, gate: op });
    if (op === 'Identity') values.set(out, valueOf(a, at));
    else if (UNARY[op]) add(UNARY[op], [a]);
    else if (op === 'Mul' && scalar(b) !== undefined && !values.has(b)) add(ScaleGate, [a], { a: scalar(b) });
    else if (op === 'Add' && scalar(b) !== undefined && !values.has(b)) add(AddConstantGate, [a], { c: scalar(b) });
    else if (op === 'Pow' && scalar(b) !== undefined) add(PowGate, [a], { p: scalar(b) });
    else if (BINARY[op] && ins.length === 2) add(BINARY[op], [a, b]);
    else if (op === 'Gemm') importGemm(graph, n, attr, at, valueOf, inits, values);
    else if (op === 'LeakyRelu') add(LeakyReLUGate, [a], { slope: attr.num('alpha') ?? 0.01 });
    else if (op === 'Softmax') add(SoftmaxGate, [a], { axis: attr.num('axis') ?? -1 });
    else if (op === 'LogSoftmax') add(LogSoftmaxGate, [a], { axis: attr.num('axis') ?? -1 });
    else if (op === 'Concat') add(ConcatGate, ins.slice(), { axis: attr.num('axis') ?? 0 });
    else if (op === 'Transpose') add(TransposeGate, [a], attr.list('perm') ? { axes: attr.list('perm') } : undefined);
    else if (op === 'Flatten' && (attr.num('axis') ?? 1) === 1) add(FlattenGate, [a]);
    else if (op === 'Reshape') {
      const shape = ints(b, at);
      const copied = shape.findIndex((d) => d !== 0);
      if (!attr.num('allowzero') && shape[shape.length - 1] === -1 && copied === shape.length - 1) add(FlattenGate, [a], { startAxis: shape.length - 1 });
      else if (!attr.num('allowzero') && shape.includes(0)) throw new OnnxImportError(`importOnnx: ${at} copies input dimensions (0 in shape [${shape.join(', ')}]) other than as a flatten; not supported`, { node: out, gate: op });
      else add(ReshapeGate, [a], { shape });
    } else if (op === 'ReduceSum' || op === 'ReduceMean') {
      const axes = ins.length > 1 && ins[1] ? ints(ins[1], at) : attr.list('axes'); // an input from opset 13 (Sum) / 18 (Mean), an attribute before
      if (axes && axes.length > 1) throw new OnnxImportError(`importOnnx: ${at} reduces over axes [${axes.join(', ')}]; one axis or all are supported`, { node: out, gate: op });
      if (!axes && attr.num('noop_with_empty_axes')) throw new OnnxImportError(`importOnnx: ${at} with noop_with_empty_axes = 1 is not supported`, { node: out, gate: op });
      add(op === 'ReduceSum' ? SumGate : MeanGate, [a], { keepDims: (attr.num('keepdims') ?? 1) === 1, ...(axes ? { axis: axes[0] } : {}) });
    } else {
      throw new OnnxImportError(`importOnnx: ${at} has no chainrule gate (supported: the operators exportOnnx writes, listed in docs/onnx.md)`, { node: out, gate: op });
    }
  }
  const outName = g.output[0]?.name;
  if (!outName) throw new OnnxImportError('importOnnx: the model has no output');
  const output = valueOf(outName, 'the model output');
  graph.setOutput(output);
  return { graph, inputs, output };
}

/** Gemm(A, B, C) = alpha·A'·B' + beta·C: imported as MatMul (+ Add) when alpha = beta = 1 and A is not transposed; a transposed B initializer is transposed once here. */
function importGemm(
  graph: ComputationalGraph, n: onnx.INodeProto, attr: Attributes, at: string,
  valueOf: (name: string, at: string) => GraphNode, inits: Map<string, DecodedTensor>, values: Map<string, GraphNode>,
): void {
  const out = n.output![0];
  const [a, b, c] = n.input!;
  if ((attr.num('alpha') ?? 1) !== 1 || (attr.num('beta') ?? 1) !== 1 || attr.num('transA')) {
    throw new OnnxImportError(`importOnnx: ${at} with alpha, beta ≠ 1 or transA is not supported`, { node: out, gate: 'Gemm' });
  }
  let w: GraphNode;
  if (attr.num('transB')) {
    const t = inits.get(b);
    if (!t || values.has(b) || t.shape.length !== 2) throw new OnnxImportError(`importOnnx: ${at} has transB = 1 with B not a matrix initializer`, { node: out, gate: 'Gemm' });
    const [rows, cols] = t.shape;
    const bt = tensorOf({ ...t, shape: [cols, rows], values: t.values.slice() }, b, at);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) bt.data[j * rows + i] = t.values[i * cols + j];
    w = graph.parameter(b, bt);
    values.set(b, w);
  } else w = valueOf(b, at);
  const product = graph.gate(MatMulGate, [valueOf(a, at), w], { name: c ? `${out}/matmul` : out });
  values.set(out, c ? graph.gate(AddGate, [product, valueOf(c, at)], { name: out }) : product);
}

function dtypeOf(elemType: number, at: string): DType {
  if (elemType === FLOAT) return 'float32';
  if (elemType === DOUBLE) return 'float64';
  throw new OnnxImportError(`importOnnx: ${at} has element type ${onnx.TensorProto.DataType[elemType] ?? elemType}; float and double are supported`);
}

function tensorOf(t: DecodedTensor, name: string, at: string): Tensor {
  const dtype = dtypeOf(t.elemType, `initializer '${name}' (read by ${at})`);
  return Tensor.from(dtype === 'float32' ? Float32Array.from(t.values) : Float64Array.from(t.values), { shape: t.shape });
}

interface Attributes {
  num(name: string): number | undefined;
  list(name: string): number[] | undefined;
}

/** A node's int, float and ints attributes by name (the supported operators use no others). */
function attributes(n: onnx.INodeProto): Attributes {
  const nums = new Map<string, number>();
  const lists = new Map<string, number[]>();
  const A = onnx.AttributeProto.AttributeType;
  for (const a of n.attribute ?? []) {
    if (a.type === A.INT) nums.set(a.name ?? '', toNumber(a.i));
    else if (a.type === A.FLOAT) nums.set(a.name ?? '', shortestFloat32(a.f ?? 0));
    else if (a.type === A.INTS) lists.set(a.name ?? '', (a.ints ?? []).map(toNumber));
  }
  return { num: (name) => nums.get(name), list: (name) => lists.get(name) };
}

/**
 * The shortest decimal that rounds to the same float32 as `v`: float attributes are stored as
 * float32, so an exported slope of 0.2 reads back as 0.20000000298…; this gives 0.2 again.
 */
export function shortestFloat32(v: number): number {
  const f = Math.fround(v);
  for (let digits = 1; digits < 10; digits++) {
    const d = Number(f.toPrecision(digits));
    if (Math.fround(d) === f) return d;
  }
  return f;
}
