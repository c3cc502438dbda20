export { Value, value, constant, zeroGrad } from './value';
export type { Operand, ValueOptions } from './value';
export { add, sub, mul, div, max, neg, exp, log, tanh, sigmoid, relu, pow, matmul, sum, mean, softmax, logSoftmax, reshape, transpose, crossEntropy, apply } from './ops';
export type { ReduceOptions, SoftmaxOptions } from './ops';
export type { BackwardOptions } from './backward';
export { EagerContext, eagerContext, setEagerContext, noGrad } from './context';
export { FreedTapeError, NoGradientError } from './errors';
export { toGraph } from './to-graph';
export type { ToGraphOptions, TracedGraph } from './to-graph';
