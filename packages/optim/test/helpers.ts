import { DType, Tensor } from '@chainrule/core';
import { Adagrad, Adam, AdamW, Optimizer, Parameter, RMSProp, SGD } from '@chainrule/optim';

export type Make = (params: Parameter[]) => Optimizer;

/** One configuration of every rule (and variant), used by the state and float tests. */
export const RULES: Record<string, Make> = {
  SGD: (p) => new SGD(p, { lr: 0.1 }),
  'SGD momentum': (p) => new SGD(p, { lr: 0.05, momentum: 0.9, weightDecay: 0.01 }),
  'SGD Nesterov': (p) => new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true }),
  Adagrad: (p) => new Adagrad(p, { lr: 0.1, weightDecay: 0.01 }),
  RMSProp: (p) => new RMSProp(p, { lr: 0.01, decay: 0.9 }),
  Adam: (p) => new Adam(p, { lr: 0.05, weightDecay: 0.01 }),
  AdamW: (p) => new AdamW(p, { lr: 0.05, weightDecay: 0.1 }),
};

/** A parameter object (not a graph node) with a zero gradient of its shape. */
export function param(values: number[] | number[][], dtype: DType = 'float64'): { value: Tensor; grad: Tensor; name: string } {
  const value = Tensor.from(values, { dtype });
  return { value, grad: Tensor.zeros(value.shape, dtype), name: 'p' };
}

/** The exact bits of every value, for bitwise comparisons. */
export function bits(params: readonly Parameter[]): string[] {
  return params.map((p) => {
    const d = (p.value as Tensor).data;
    const copy = d instanceof Float32Array ? new Uint32Array(Float32Array.from(d).buffer) : new Uint32Array(Float64Array.from(d).buffer);
    return Array.from(copy, (x) => x.toString(16)).join(',');
  });
}
