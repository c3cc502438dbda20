import { Gate, GateClass } from '@chainrule/core';
import { builtinGates } from '@chainrule/gates';
import { OnnxMappingContext, registerOnnxMapping } from './mapping';

/**
 * Mappings of the convolutional gates (Conv2DGate, MaxPool2DGate, AvgPool2DGate, GlobalAvgPoolGate,
 * BatchNormGate, DropoutGate). They are looked up by name in @chainrule/gates' builtinGates rather
 * than imported, because they were written on another branch at the same time: each mapping is
 * registered as soon as its gate exists, and this file compiles either way. Once they are all on
 * main, direct imports can replace the lookup.
 *
 * The window geometry is read from the node's options (plain JSON: each of kernel, stride, padding,
 * dilation one number or [height, width]), with the gates' defaults: stride 1 for a convolution,
 * the kernel for pooling, padding 0, dilation 1. ONNX's pads list [top, left, bottom, right].
 */
function pair(value: unknown, fallback: readonly [number, number]): [number, number] {
  if (typeof value === 'number') return [value, value];
  if (Array.isArray(value) && value.length === 2) return [value[0] as number, value[1] as number];
  return [fallback[0], fallback[1]];
}

function windowAttributes(ctx: OnnxMappingContext, pooling: boolean) {
  const o = (ctx.node.options ?? {}) as Record<string, unknown>;
  const kernel = pair(o.kernel, [1, 1]);
  const [ph, pw] = pair(o.padding, [0, 0]);
  const attributes = {
    strides: { ints: pair(o.stride, pooling ? kernel : [1, 1]) },
    pads: { ints: [ph, pw, ph, pw] },
    ...(pooling ? { kernel_shape: { ints: kernel } } : { dilations: { ints: pair(o.dilation, [1, 1]) } }),
  };
  return attributes;
}

function register(name: string, mapping: (gate: Gate & Record<string, unknown>, ctx: OnnxMappingContext) => void): void {
  const cls = (builtinGates as Readonly<Record<string, GateClass | undefined>>)[name];
  if (cls) registerOnnxMapping(cls, mapping as (gate: Gate, ctx: OnnxMappingContext) => void);
}

// Conv(x, W[, b]): W is [F, C, KH, KW] in both, the kernel size comes from W.
register('Conv2DGate', (_g, ctx) => ctx.emit('Conv', ctx.inputs, [ctx.output], windowAttributes(ctx, false)));
register('MaxPool2DGate', (_g, ctx) => ctx.emit('MaxPool', ctx.inputs, [ctx.output], windowAttributes(ctx, true)));
// The gate divides by kh·kw everywhere, padding counting as zeros (PyTorch's count_include_pad=True).
register('AvgPool2DGate', (_g, ctx) =>
  ctx.emit('AveragePool', ctx.inputs, [ctx.output], { ...windowAttributes(ctx, true), count_include_pad: { int: 1 } }),
);
// [N, C, H, W] → [N, C]: GlobalAveragePool would keep H and W as 1s.
register('GlobalAvgPoolGate', (_g, ctx) => ctx.emit('ReduceMean', ctx.inputs, [ctx.output], { axes: { ints: [2, 3] }, keepdims: { int: 0 } }));
// Inference form: the running mean and variance (inputs 3 and 4) normalise, whatever the graph's mode.
register('BatchNormGate', (g, ctx) => ctx.emit('BatchNormalization', ctx.inputs, [ctx.output], { epsilon: { float: g.eps as number } }));
// Evaluation is the identity (inverted dropout needs no rescaling there).
register('DropoutGate', (_g, ctx) => ctx.emit('Identity', [ctx.inputs[0]], [ctx.output]));
