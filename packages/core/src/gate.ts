import { Tensor } from './tensor';

/**
 * The gate contract of the backprop lectures.
 *
 * forward computes the output from the inputs and keeps what backward will need (its inputs, or
 * its output, as SigmoidGate does). backward takes dL/d(output) and returns dL/d(input) for every
 * input, in order, each of its input's shape and dtype; it multiplies the upstream gradient by the
 * local derivative and never builds a Jacobian, and it never changes dout.
 *
 * Built-in gates reuse their output and gradient tensors from call to call (so training allocates
 * nothing in steady state): a returned tensor is valid until the gate's next forward/backward.
 * `clone()` what you want to keep.
 */
export interface Gate {
  forward(...inputs: Tensor[]): Tensor;
  backward(dout: Tensor): Tensor[];
}

/** A gate class the container can construct: no required constructor arguments. */
export type GateClass<G extends Gate = Gate> = new () => G;

/** How a graph names a gate: its class, or the name it was bound under. */
export type GateId = GateClass | string;

/**
 * A gate with settings (ScaleGate's a, LeakyReLUGate's slope). The graph resolves the gate from the
 * container, then calls configure with the node's options, which are plain JSON so a saved graph
 * can restore them.
 */
export interface ConfigurableGate<O extends object = Record<string, unknown>> extends Gate {
  configure(options: O): void;
}

export function isConfigurable(gate: Gate): gate is ConfigurableGate {
  return typeof (gate as Partial<ConfigurableGate>).configure === 'function';
}

/** The class name of a gate instance, for error messages. */
export function gateName(gate: Gate): string {
  return (gate as object).constructor?.name ?? 'Gate';
}
