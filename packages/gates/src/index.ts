import { createContainer, GateClass, gateModule } from '@chainrule/core';
import { Container, ContainerModule } from 'inversify';
import { AddConstantGate } from './add-constant-gate';
import { AddGate } from './add-gate';
import { DivideGate } from './divide-gate';
import { ExpGate } from './exp-gate';
import { LogGate } from './log-gate';
import { MaxGate } from './max-gate';
import { MultiplyGate } from './multiply-gate';
import { NegateGate } from './negate-gate';
import { PowGate } from './pow-gate';
import { ReciprocalGate } from './reciprocal-gate';
import { ReLUGate } from './relu-gate';
import { ScaleGate } from './scale-gate';
import { SigmoidGate } from './sigmoid-gate';
import { SubtractGate } from './subtract-gate';
import { TanhGate } from './tanh-gate';
import { BinaryCrossEntropyGate } from './binary-cross-entropy-gate';
import { BinaryCrossEntropyWithLogitsGate } from './binary-cross-entropy-with-logits-gate';
import { ConcatGate } from './concat-gate';
import { FlattenGate } from './flatten-gate';
import { LeakyReLUGate } from './leaky-relu-gate';
import { Linear } from './linear';
import { LogSoftmaxGate } from './log-softmax-gate';
import { MatMulGate } from './matmul-gate';
import { MeanGate } from './mean-gate';
import { MSELossGate } from './mse-loss-gate';
import { ReshapeGate } from './reshape-gate';
import { SoftmaxCrossEntropyGate } from './softmax-cross-entropy-gate';
import { SoftmaxGate } from './softmax-gate';
import { SoftplusGate } from './softplus-gate';
import { SumGate } from './sum-gate';
import { SVMLossGate } from './svm-loss-gate';
import { TransposeGate } from './transpose-gate';

export { BCE_EPS } from './binary-cross-entropy-gate';
export type { ConcatOptions } from './concat-gate';
export type { FlattenOptions } from './flatten-gate';
export type { LinearOptions } from './linear';
export type { ReshapeOptions } from './reshape-gate';
export type { SoftmaxOptions } from './softmax-gate';
export type { ReduceOptions } from './sum-gate';
export type { TransposeOptions } from './transpose-gate';
export type { OptionKind } from './read-options';
export { LabelError, checkClassLabels } from './labels';
export { mlp } from './mlp';
export type { MLPOptions } from './mlp';
export { readOptions } from './read-options';

export {
  AddConstantGate,
  AddGate,
  DivideGate,
  ExpGate,
  LogGate,
  MaxGate,
  MultiplyGate,
  NegateGate,
  PowGate,
  ReciprocalGate,
  ReLUGate,
  ScaleGate,
  SigmoidGate,
  SubtractGate,
  TanhGate,
  BinaryCrossEntropyGate,
  BinaryCrossEntropyWithLogitsGate,
  ConcatGate,
  FlattenGate,
  LeakyReLUGate,
  Linear,
  LogSoftmaxGate,
  MatMulGate,
  MeanGate,
  MSELossGate,
  ReshapeGate,
  SoftmaxCrossEntropyGate,
  SoftmaxGate,
  SoftplusGate,
  SumGate,
  SVMLossGate,
  TransposeGate,
};

/** Every built-in gate under the name a graph or a saved file refers to it by. */
export const builtinGates: Readonly<Record<string, GateClass>> = {
  AddConstantGate,
  AddGate,
  DivideGate,
  ExpGate,
  LogGate,
  MaxGate,
  MultiplyGate,
  NegateGate,
  PowGate,
  ReciprocalGate,
  ReLUGate,
  ScaleGate,
  SigmoidGate,
  SubtractGate,
  TanhGate,
  BinaryCrossEntropyGate,
  BinaryCrossEntropyWithLogitsGate,
  ConcatGate,
  FlattenGate,
  LeakyReLUGate,
  Linear,
  LogSoftmaxGate,
  MatMulGate,
  MeanGate,
  MSELossGate,
  ReshapeGate,
  SoftmaxCrossEntropyGate,
  SoftmaxGate,
  SoftplusGate,
  SumGate,
  SVMLossGate,
  TransposeGate,
};

/** Binds every built-in gate (transient: one instance per graph node) under its class and its name. */
export const gatesModule = gateModule(builtinGates);

/** A container with every built-in gate bound, plus any further modules (your own gates). */
export function createGatesContainer(...modules: ContainerModule[]): Container {
  return createContainer(gatesModule, ...modules);
}
