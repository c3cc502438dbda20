import { assertGraph, assertOptions, ChainruleError, ComputationalGraph, DType, gateName, GraphNode, ShapeSpec } from '@chainrule/core';
import { ModelBuilder } from './builder';
import './builtin-mappings';
import './cnn-mappings';
import { OnnxExportError } from './errors';
import { mappingFor } from './mapping';
import { elemTypeOf, IR_VERSION, onnx, tensorProto } from './proto';

export interface ExportOptions {
  /** The graph inputs the model takes, by name (default: every input node the output depends on). */
  inputs?: readonly string[];
  /** The node whose value the model returns, by name or node (default: the graph's output). Pick the scores, not the loss. */
  output?: string | GraphNode;
  /** Element type of the model's inputs, parameters and output (default 'float32'; parameters are converted). */
  dtype?: DType;
  /** Opset of the default ONNX domain, 13 to 17 (default 17, the newest the bundled IR version 8 allows). */
  opset?: number;
  /** Name of the symbolic dimension written for each `null` in an input's declared shape (default 'N'). */
  batchDim?: string;
  /** Shapes for inputs that declared none (`null` for the batch dimension); an input with neither gets a type without a shape. */
  inputShapes?: Readonly<Record<string, ShapeSpec>>;
  /** The ONNX graph's name (default 'chainrule'). */
  graphName?: string;
}

export const DEFAULT_OPSET = 17;
const MIN_OPSET = 13;

/**
 * The inference part of `graph`, from the named inputs to the chosen output node, as an ONNX
 * ModelProto message: parameters and constants become initializers, gates their ONNX operators
 * (see docs/onnx.md). A composite gate has expanded into the graph (a Linear layer `fc1` is the
 * nodes `fc1/xW`, `fc1/xW+b` and parameters `fc1/W`, `fc1/b`): its nodes are written one by one and
 * its output value is named after the composite (`fc1`). Throws OnnxExportError, naming the node
 * and the gate, for a gate with no mapping or an input the output needs that is not among `inputs`.
 */
export function exportOnnxModel(graph: ComputationalGraph, options: ExportOptions = {}): onnx.IModelProto {
  assertGraph(graph, 'exportOnnx');
  assertOptions(options, 'exportOnnx');
  const dtype = options.dtype ?? 'float32';
  const opset = options.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > DEFAULT_OPSET) {
    throw new OnnxExportError(`exportOnnx: option 'opset' must be an integer from ${MIN_OPSET} to ${DEFAULT_OPSET}, got ${opset}`);
  }
  if (dtype !== 'float32' && dtype !== 'float64') throw new OnnxExportError(`exportOnnx: option 'dtype' must be 'float32' or 'float64', got ${String(dtype)}`);
  const target = resolveOutput(graph, options.output);
  const needed = ancestors(graph, target);
  const neededInputs = needed.filter((n) => n.kind === 'input');
  const inputNames = options.inputs ?? neededInputs.map((n) => n.name);
  const b = new ModelBuilder(dtype, opset);
  const bound = new Map<GraphNode, string>();
  const graphInputs: onnx.IValueInfoProto[] = [];
  for (const name of inputNames) {
    const node = findNode(graph, name);
    if (!node || node.kind !== 'input') {
      throw new OnnxExportError(`exportOnnx: '${name}' in option 'inputs' is not an input node of the graph (its inputs: ${graph.inputs.map((n) => `'${n.name}'`).join(', ') || 'none'})`);
    }
    if (!b.claim(name)) throw new OnnxExportError(`exportOnnx: input '${name}' is listed twice in option 'inputs'`);
    bound.set(node, name);
    graphInputs.push(valueInfo(name, dtype, options.inputShapes?.[name] ?? node.inputSpec?.shape, options.batchDim ?? 'N'));
  }
  const missing = neededInputs.filter((n) => !bound.has(n));
  if (missing.length > 0) {
    throw new OnnxExportError(
      `exportOnnx: output ${target.describe()} depends on input${missing.length > 1 ? 's' : ''} ${missing.map((n) => `'${n.name}'`).join(', ')}, not in option 'inputs' [${inputNames.join(', ')}] (is the output the loss? export the scores)`,
      { node: target.name, gate: target.gateType },
    );
  }
  const names = valueNames(graph);
  const preferred = names.get(target) ?? target.name;
  const outputName = bound.get(target) === preferred ? b.fresh(`${preferred}_out`) : preferred;
  if (!bound.has(target) && !b.claim(outputName)) throw new OnnxExportError(`exportOnnx: output name '${outputName}' is also an input name`);
  emitGraph(graph, target, bound, names, outputName, b);
  return {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: opset }],
    producerName: 'chainrule',
    producerVersion: '0.1.0',
    graph: {
      name: options.graphName ?? 'chainrule',
      node: b.nodes,
      initializer: b.initializers,
      input: graphInputs,
      output: [valueInfo(outputName, dtype, undefined, '')],
    },
  };
}

/** exportOnnxModel's model as ModelProto bytes, ready for ONNX Runtime (`InferenceSession.create(bytes)`) or a .onnx file. */
export function exportOnnx(graph: ComputationalGraph, options: ExportOptions = {}): Uint8Array {
  return onnx.ModelProto.encode(exportOnnxModel(graph, options)).finish();
}

function resolveOutput(graph: ComputationalGraph, output: string | GraphNode | undefined): GraphNode {
  if (output === undefined) return graph.output;
  if (typeof output !== 'string') {
    if (output.graph !== graph) throw new OnnxExportError(`exportOnnx: option 'output' ${output.describe()} belongs to another graph`);
    return output;
  }
  const node = findNode(graph, output);
  if (!node) throw new OnnxExportError(`exportOnnx: option 'output' names '${output}', which is not a node of the graph`);
  return node;
}

function inputsOf(graph: ComputationalGraph, node: GraphNode): GraphNode[] {
  return node.inputRefs.map((r) => (typeof r === 'string' ? graph.node(r) : r));
}

/** Every node `target` depends on, itself included, inputs before the nodes that read them. */
function ancestors(graph: ComputationalGraph, target: GraphNode): GraphNode[] {
  const order: GraphNode[] = [];
  const done = new Set<GraphNode>();
  // Iterative depth-first post-order, so a deep chain cannot overflow the stack.
  const stack: [GraphNode, number][] = [[target, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const ins = inputsOf(graph, top[0]);
    if (top[1] < ins.length) {
      const next = ins[top[1]++];
      if (!done.has(next)) stack.push([next, 0]);
    } else {
      stack.pop();
      if (!done.has(top[0])) {
        done.add(top[0]);
        order.push(top[0]);
      }
    }
  }
  return order;
}

/** A node by name (a composite's name finds its output node), or undefined. */
function findNode(graph: ComputationalGraph, name: string): GraphNode | undefined {
  try {
    return graph.node(name);
  } catch (e) {
    if (e instanceof ChainruleError) return undefined;
    throw e;
  }
}

/** The value name of each composite's output node: the outermost composite's name (`fc1`, not `fc1/xW+b`). */
function valueNames(graph: ComputationalGraph): Map<GraphNode, string> {
  const names = new Map<GraphNode, string>();
  for (const group of graph.groups) {
    const known = names.get(group.output);
    if (known === undefined || group.name.length < known.length) names.set(group.output, group.name);
  }
  return names;
}

/** Writes the nodes `target` needs into `b`, with `bound` naming the values already available; `target`'s value is named `outputName`. */
function emitGraph(graph: ComputationalGraph, target: GraphNode, bound: Map<GraphNode, string>, names: Map<GraphNode, string>, outputName: string, b: ModelBuilder): void {
  for (const node of ancestors(graph, target)) {
    if (bound.has(node)) continue;
    const name = node === target ? outputName : b.fresh(names.get(node) ?? node.name);
    if (node.kind === 'parameter' || node.kind === 'constant') {
      if (!node.value) throw new OnnxExportError(`exportOnnx: ${node.describe()} has no value`, { node: node.name });
      b.initializers.push(tensorProto(name, node.value, b.dtype));
      bound.set(node, name);
      continue;
    }
    const inputs = inputsOf(graph, node).map((n) => bound.get(n) as string);
    const gate = node.gate!;
    const mapping = mappingFor(gate);
    if (!mapping) {
      throw new OnnxExportError(
        `exportOnnx: ${node.describe()} has no ONNX mapping for gate ${node.gateType ?? gateName(gate)} (register one with registerOnnxMapping(${gateName(gate)}, (gate, ctx) => ...), or export a node before it)`,
        { node: node.name, gate: node.gateType ?? gateName(gate) },
      );
    }
    mapping(gate, b.context(node, inputs, name));
    bound.set(node, name);
  }
  if (bound.get(target) !== outputName) b.emit('Identity', [bound.get(target) as string], [outputName]);
}

function valueInfo(name: string, dtype: DType, shape: ShapeSpec | undefined, batchDim: string): onnx.IValueInfoProto {
  const tensorType: onnx.TypeProto.ITensor = { elemType: elemTypeOf(dtype) };
  if (shape) tensorType.shape = { dim: shape.map((d) => (d === null ? { dimParam: batchDim } : { dimValue: d })) };
  return { name, type: { tensorType } };
}
