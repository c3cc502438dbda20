import { createContainer, GateClass, gateModule } from '@chainrule/core';
import { Container, ContainerModule } from 'inversify';
import * as builtins from './builtin-gates';

export * from './builtin-gates';
export { BCE_EPS } from './binary-cross-entropy-gate';
export type { ConcatOptions } from './concat-gate';
export type { FlattenOptions } from './flatten-gate';
export type { LinearOptions } from './linear';
export type { AffineActivation, AffineOptions } from './affine-gate';
export type { ReshapeOptions } from './reshape-gate';
export type { SoftmaxOptions } from './softmax-gate';
export type { ReduceOptions } from './sum-gate';
export type { TransposeOptions } from './transpose-gate';
export { LabelError, checkClassLabels } from './labels';
export { mlp } from './mlp';
export type { MLPOptions } from './mlp';
export type { AvgPool2DOptions } from './avg-pool2d-gate';
export type { BatchNormLayerOptions } from './batch-norm';
export type { BatchNormOptions } from './batch-norm-gate';
export type { Conv2DLayerOptions } from './conv2d';
export type { Conv2DOptions } from './conv2d-gate';
export type { DropoutOptions } from './dropout-gate';
export type { MaxPool2DOptions } from './max-pool2d-gate';
export { Pool2DGate } from './pool2d-gate';
export type { Pool2DOptions } from './pool2d-gate';
export type { Window, WindowOptions } from './window';
export { cnn } from './cnn';
export type { CNNOptions, ConvBlock } from './cnn';

/** Every built-in gate under the name a graph or a saved file refers to it by (its class name). */
export const builtinGates: Readonly<Record<string, GateClass>> = Object.freeze({ ...builtins });

/** Registers every built-in gate (transient: one instance per graph node) under its name. */
export const gatesModule = gateModule(builtinGates);

/** A container with every built-in gate registered, plus any further modules (your own gates). */
export function createGatesContainer(...modules: ContainerModule[]): Container {
  return createContainer(gatesModule, ...modules);
}
