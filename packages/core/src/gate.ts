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

/**
 * Optional fast path: forward with the inputs in an array the caller owns and reuses. The graph
 * calls it instead of `forward(...inputs)` (whose rest parameter allocates an array on every call)
 * only when the gate's `forward` is the one its class marked with `markListForward`, so a subclass
 * that overrides `forward` is still called through `forward`. Must behave exactly as forward.
 */
export interface ListForwardGate extends Gate {
  forwardList(inputs: readonly Tensor[]): Tensor;
}

const LIST_FORWARD = Symbol.for('chainrule.listForward');

/** Declares that `cls.prototype.forward(...inputs)` is `this.forwardList(inputs)`. */
export function markListForward(cls: { prototype: ListForwardGate }): void {
  (cls.prototype.forward as unknown as Record<symbol, boolean>)[LIST_FORWARD] = true;
}

/** Whether the graph may call `gate.forwardList(args)` in place of `gate.forward(...args)`. */
export function usesListForward(gate: Gate): gate is ListForwardGate {
  return (
    typeof (gate as Partial<ListForwardGate>).forwardList === 'function' &&
    (gate.forward as unknown as Record<symbol, unknown>)[LIST_FORWARD] === true
  );
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
