import { createContainer, GateClass, gateModule } from '@chainrule/core';
import { Container, ContainerModule } from 'inversify';
import { AddConstantGate } from './add-constant-gate';
import { AddGate } from './add-gate';
import { DivideGate } from './divide-gate';
import { ExpGate } from './exp-gate';
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

export {
  AddConstantGate,
  AddGate,
  DivideGate,
  ExpGate,
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
};

/** Every built-in gate under the name a graph or a saved file refers to it by. */
export const builtinGates: Readonly<Record<string, GateClass>> = {
  AddConstantGate,
  AddGate,
  DivideGate,
  ExpGate,
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
};

/** Binds every built-in gate (transient: one instance per graph node) under its class and its name. */
export const gatesModule = gateModule(builtinGates);

/** A container with every built-in gate bound, plus any further modules (your own gates). */
export function createGatesContainer(...modules: ContainerModule[]): Container {
  return createContainer(gatesModule, ...modules);
}
