import { ChainruleError, InvalidArgumentError } from './errors';
import { ComputationalGraph } from './graph';
import { describeArgument } from './shape';

/**
 * The argument checks the packages' entry points share (viz, optim, onnx, eager take a graph or a
 * tensor from the user), so a wrong type is an InvalidArgumentError naming what came, not a TypeError
 * from deep inside. Tensors are checked by `assertTensor` (tensor.ts).
 */
export function assertGraph(
  value: unknown,
  where: string,
  ErrorClass: new (message: string) => ChainruleError = InvalidArgumentError, // save/load throw SerializationError
): asserts value is ComputationalGraph {
  if (!(value instanceof ComputationalGraph)) throw new ErrorClass(`${where}: expected a ComputationalGraph, got ${describeArgument(value)}`);
}

/** Throws InvalidArgumentError unless `value` is undefined or an object (an options bag). */
export function assertOptions(value: unknown, where: string): void {
  if (value !== undefined && (value === null || typeof value !== 'object')) throw new InvalidArgumentError(`${where}: options must be an object, got ${describeArgument(value)}`);
}
