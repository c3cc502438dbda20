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

/** A gate class: the container constructs it, injecting what its constructor asks for. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type GateClass<G extends Gate = Gate> = new (...args: any[]) => G;

/** How a graph names a gate: its class, or the name it is registered under. */
export type GateId = GateClass | string;

/**
 * The container key under which a gate's constructor receives its node's options (ScaleGate's a,
 * Linear's sizes): `constructor(@inject(GATE_OPTIONS) @optional() options: MyOptions = {})`. A gate
 * made with `new` takes them as that constructor argument; in a graph, `graph.gate(G, inputs,
 * { options })` injects them. They are plain JSON, so a saved graph restores them.
 */
export const GATE_OPTIONS = Symbol.for('chainrule.gateOptions');

/** The class name of a gate instance, for error messages. */
export function gateName(gate: Gate): string {
  return (gate as object).constructor?.name ?? 'Gate';
}

/**
 * What the graph tells a gate about how it will be run: PyTorch's `ctx.needs_input_grad` and
 * `module.training` in one place. Passed to the gate's optional `prepare` hook.
 */
export interface GateContext {
  /** Per input, whether backward's gradient for it is used; a gate may skip the others (still returning a tensor of the right shape and dtype). */
  readonly needsInputGrad: readonly boolean[];
  /** Training (true, the default) or evaluation (false): dropout and batch norm behave differently. */
  readonly training: boolean;
}

/**
 * The Gate contract's one optional hook. The graph calls `prepare(ctx)` on every gate that has it
 * once its order is settled (before the first forward after a change) and again when the graph
 * switches between training and evaluation. A gate used on its own is never prepared: it then
 * computes every input gradient and runs in training mode.
 */
export interface PreparedGate extends Gate {
  prepare(ctx: GateContext): void;
}

export function hasPrepare(gate: Gate): gate is PreparedGate {
  return typeof (gate as Partial<PreparedGate>).prepare === 'function';
}
