import { DType, GraphNode, Tensor } from '@chainrule/core';
import { AttributeValue, OnnxMappingContext } from './mapping';
import { int64Proto, onnx, tensorProto } from './proto';

/** Collects the nodes and initializers of one ONNX graph, and hands out value names that never clash. */
export class ModelBuilder {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: onnx.ITensorProto[] = [];
  private readonly used = new Set<string>();

  constructor(
    readonly dtype: DType,
    readonly opset: number,
  ) {}

  /** `hint` if unused, else `hint_1`, `hint_2`, …; the name is taken from then on. */
  fresh(hint: string): string {
    let name = hint;
    for (let i = 1; this.used.has(name); i++) name = `${hint}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Takes a name that must be exactly this (a model input or output); false when it is already taken. */
  claim(name: string): boolean {
    if (this.used.has(name)) return false;
    this.used.add(name);
    return true;
  }

  emit(opType: string, inputs: readonly string[], outputs: readonly string[], attributes: Readonly<Record<string, AttributeValue>> = {}, name?: string): void {
    this.nodes.push({
      opType,
      input: inputs.slice(),
      output: outputs.slice(),
      name: name ?? this.fresh(`${opType}_${this.nodes.length}`),
      attribute: Object.entries(attributes).map(([key, value]) => attributeProto(key, value)),
    });
  }

  /** An initializer holding `value` in the model's dtype, under a fresh name from `hint`. */
  initializer(hint: string, value: Tensor): string {
    const name = this.fresh(hint);
    this.initializers.push(tensorProto(name, value, this.dtype));
    return name;
  }

  int64(hint: string, values: readonly number[]): string {
    const name = this.fresh(hint);
    this.initializers.push(int64Proto(name, values));
    return name;
  }

  /** The context a mapping writes one gate node through; its ONNX nodes are named after the chainrule node. */
  context(node: GraphNode, inputs: readonly string[], output: string): OnnxMappingContext {
    const prefix = output;
    return {
      node,
      inputs,
      output,
      dtype: this.dtype,
      opset: this.opset,
      emit: (opType, ins, outs, attributes) => this.emit(opType, ins, outs, attributes, this.fresh(`${prefix}/${opType}`)),
      constant: (value, hint = 'const') => this.initializer(`${prefix}/${hint}`, typeof value === 'number' ? Tensor.from(value) : value),
      int64: (values, hint = 'shape') => this.int64(`${prefix}/${hint}`, values),
      fresh: (hint) => this.fresh(`${prefix}/${hint}`),
    };
  }
}

const A = onnx.AttributeProto.AttributeType;

function attributeProto(name: string, value: AttributeValue): onnx.IAttributeProto {
  if ('float' in value) return { name, type: A.FLOAT, f: value.float };
  if ('int' in value) return { name, type: A.INT, i: value.int };
  if ('floats' in value) return { name, type: A.FLOATS, floats: value.floats.slice() };
  if ('ints' in value) return { name, type: A.INTS, ints: value.ints.slice() };
  return { name, type: A.STRING, s: new TextEncoder().encode(value.string) };
}
