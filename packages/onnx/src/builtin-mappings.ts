import {
  AddConstantGate,
  AddGate,
  AffineGate,
  ConcatGate,
  DivideGate,
  ExpGate,
  FlattenGate,
  LeakyReLUGate,
  LogSoftmaxGate,
  MatMulGate,
  MaxGate,
  MeanGate,
  MultiplyGate,
  NegateGate,
  PowGate,
  ReciprocalGate,
  ReLUGate,
  ReshapeGate,
  ScaleGate,
  SigmoidGate,
  SoftmaxGate,
  SoftplusGate,
  SubtractGate,
  SumGate,
  TanhGate,
  TransposeGate,
} from '@chainrule/gates';
import { Gate, GateClass } from '@chainrule/core';
import { OnnxExportError } from './errors';
import { OnnxMappingContext, registerOnnxMapping } from './mapping';

/**
 * The ONNX operator of every built-in inference gate (docs/onnx.md has the table). Each entry
 * writes exactly the function the gate computes forward; the semantics that differ between the
 * two (Flatten, Reshape's 0, reductions over every axis) are spelled out next to their entry.
 */

/** Gates that are one ONNX operator applied to their inputs as they are (broadcasting is numpy's in both). */
const direct: [GateClass, string][] = [
  [AddGate, 'Add'],
  [SubtractGate, 'Sub'],
  [MultiplyGate, 'Mul'],
  [DivideGate, 'Div'],
  [MatMulGate, 'MatMul'], // numpy matmul in both, for every rank pair MatMulGate accepts
  [MaxGate, 'Max'],
  [ReLUGate, 'Relu'],
  [SigmoidGate, 'Sigmoid'],
  [TanhGate, 'Tanh'],
  [ExpGate, 'Exp'],
  [ReciprocalGate, 'Reciprocal'],
  [NegateGate, 'Neg'],
];
for (const [cls, op] of direct) registerOnnxMapping(cls, (_gate: Gate, ctx) => ctx.emit(op, ctx.inputs, [ctx.output]));

registerOnnxMapping(LeakyReLUGate, (g, ctx) => {
  if (ctx.dtype === 'float32') return ctx.emit('LeakyRelu', ctx.inputs, [ctx.output], { alpha: { float: g.slope } });
  // ONNX float attributes are float32, so LeakyRelu's alpha would round the slope (0.2 → 0.2000000030);
  // in float64 the slope is a float64 initializer instead: x > 0 ? x : slope·x.
  const x = ctx.inputs[0];
  const positive = ctx.fresh('positive');
  const scaled = ctx.fresh('scaled');
  ctx.emit('Greater', [x, ctx.constant(0, 'zero')], [positive]);
  ctx.emit('Mul', [x, ctx.constant(g.slope, 'slope')], [scaled]);
  ctx.emit('Where', [positive, x, scaled], [ctx.output]);
});

registerOnnxMapping(SoftplusGate, (_g, ctx) => {
  if (ctx.dtype === 'float32') return ctx.emit('Softplus', ctx.inputs, [ctx.output]);
  // ONNX Runtime's CPU provider has no float64 Softplus: write the gate's own stable form,
  // max(x, 0) + log(1 + e^(−|x|)), from operators it has in float64.
  const x = ctx.inputs[0];
  const [abs, neg, exp, onePlus, log, relu] = ['abs', 'neg', 'exp', 'one_plus', 'log', 'relu'].map((h) => ctx.fresh(h));
  ctx.emit('Abs', [x], [abs]);
  ctx.emit('Neg', [abs], [neg]);
  ctx.emit('Exp', [neg], [exp]);
  ctx.emit('Add', [exp, ctx.constant(1, 'one')], [onePlus]);
  ctx.emit('Log', [onePlus], [log]);
  ctx.emit('Relu', [x], [relu]);
  ctx.emit('Add', [relu, log], [ctx.output]);
});
// A fused layer (Linear with an activation) is the three operators it fuses: MatMul, Add of the
// bias when it has one, then Relu/Tanh/Sigmoid — numpy semantics for every rank of x, as the gate.
const AFFINE_ACTIVATION = { none: undefined, relu: 'Relu', tanh: 'Tanh', sigmoid: 'Sigmoid' } as const;
registerOnnxMapping(AffineGate, (g, ctx) => {
  const [x, w, b] = ctx.inputs;
  const act = AFFINE_ACTIVATION[g.activation];
  const product = b === undefined && act === undefined ? ctx.output : ctx.fresh('xW');
  ctx.emit('MatMul', [x, w], [product]);
  let z = product;
  if (b !== undefined) {
    z = act === undefined ? ctx.output : ctx.fresh('xW_plus_b');
    ctx.emit('Add', [product, b], [z]);
  }
  if (act !== undefined) ctx.emit(act, [z], [ctx.output]);
});

registerOnnxMapping(ScaleGate, (g, ctx) => ctx.emit('Mul', [ctx.inputs[0], ctx.constant(g.a, 'a')], [ctx.output]));
registerOnnxMapping(AddConstantGate, (g, ctx) => ctx.emit('Add', [ctx.inputs[0], ctx.constant(g.c, 'c')], [ctx.output]));
registerOnnxMapping(PowGate, (g, ctx) => ctx.emit('Pow', [ctx.inputs[0], ctx.constant(g.p, 'p')], [ctx.output]));

// Opset 13 Softmax/LogSoftmax normalise along one axis, as the gates do (opsets before 13 flattened).
registerOnnxMapping(SoftmaxGate, (g, ctx) => ctx.emit('Softmax', ctx.inputs, [ctx.output], { axis: { int: g.axis } }));
registerOnnxMapping(LogSoftmaxGate, (g, ctx) => ctx.emit('LogSoftmax', ctx.inputs, [ctx.output], { axis: { int: g.axis } }));

registerOnnxMapping(ConcatGate, (g, ctx) => ctx.emit('Concat', ctx.inputs, [ctx.output], { axis: { int: g.axis } }));

registerOnnxMapping(TransposeGate, (g, ctx) => {
  // No axes: both reverse every axis. Given axes list every axis once, so their count is the rank.
  if (g.axes === undefined) ctx.emit('Transpose', ctx.inputs, [ctx.output]);
  else ctx.emit('Transpose', ctx.inputs, [ctx.output], { perm: { ints: g.axes.map((a) => (a < 0 ? a + g.axes!.length : a)) } });
});

registerOnnxMapping(ReshapeGate, (g, ctx) => {
  if (g.shape === undefined) throw new OnnxExportError(`exportOnnx: ${ctx.node.describe()} has no target shape`, { node: ctx.node.name, gate: ctx.node.gateType });
  // ONNX Reshape reads 0 as "copy this dimension" unless allowzero = 1 (opset 14); the gate means size 0.
  const zero = g.shape.includes(0);
  if (zero && ctx.opset < 14) throw new OnnxExportError(`exportOnnx: ${ctx.node.describe()} reshapes to a size-0 axis ${JSON.stringify(g.shape)}, which needs opset ≥ 14`, { node: ctx.node.name, gate: ctx.node.gateType });
  ctx.emit('Reshape', [ctx.inputs[0], ctx.int64(g.shape)], [ctx.output], zero ? { allowzero: { int: 1 } } : {});
});

registerOnnxMapping(FlattenGate, (g, ctx) => {
  // ONNX Flatten always makes a matrix [Π before, Π after]; the gate keeps the axes before startAxis
  // ([N, C, H, W] from 2 → [N, C, H·W]). Reshape to [0, …, 0, −1] (0 = copy that axis) is exactly the gate.
  ctx.emit('Reshape', [ctx.inputs[0], ctx.int64([...new Array<number>(g.startAxis).fill(0), -1])], [ctx.output]);
});

function reduce(op: 'ReduceSum' | 'ReduceMean', g: SumGate, ctx: OnnxMappingContext): void {
  const keepdims = { keepdims: { int: g.keepDims ? 1 : 0 } };
  // No axis: both reduce every axis (ONNX: axes omitted, noop_with_empty_axes = 0).
  if (g.axis === undefined) ctx.emit(op, [ctx.inputs[0]], [ctx.output], keepdims);
  // ReduceSum takes axes as an input from opset 13, ReduceMean only from opset 18 (an attribute before).
  else if (op === 'ReduceSum') ctx.emit(op, [ctx.inputs[0], ctx.int64([g.axis], 'axes')], [ctx.output], keepdims);
  else ctx.emit(op, [ctx.inputs[0]], [ctx.output], { ...keepdims, axes: { ints: [g.axis] } });
}
registerOnnxMapping(SumGate, (g, ctx) => reduce('ReduceSum', g, ctx));
registerOnnxMapping(MeanGate, (g, ctx) => reduce('ReduceMean', g, ctx));
