import { BinaryGate, Gate, GateClass, GateId, GateResolver, hasPrepare, UnaryGate } from '@chainrule/core';
import { createGatesContainer } from '@chainrule/gates';
import { Container } from 'inversify';
import { ScalarKernel } from './scalar-kernel';
import { Tape } from './tape';

/**
 * Where eager operations are recorded: the tape, the container gates are resolved from (the same
 * registry and the same GateResolver a ComputationalGraph uses; a class it has not registered is still
 * constructed, so a custom gate needs no registration), the scalar kernels, and the grad and training modes.
 */
export class EagerContext {
  /** False inside noGrad(): operations compute values and record nothing. */
  gradEnabled = true;
  /** Training (default) or evaluation mode, handed to gates that have a prepare hook. */
  training = true;
  /** @internal one kernel per (gate class, options) pair, indexed by the tape's `op`. */
  readonly kernels: ScalarKernel[] = [];
  readonly tape = new Tape(this.kernels);
  private readonly plainKernels = new Map<GateClass, number>();
  /** Makes gates as a graph does: options through the constructor, unregistered classes autobound. */
  private readonly resolver: GateResolver;
  private readonly configuredKernels = new Map<string, number>();

  constructor(readonly container: Container = createGatesContainer()) {
    this.resolver = new GateResolver(container);
  }

  /** A fresh gate from the container, made with its options and prepared (each tensor-path application owns one). */
  gate(id: GateId, options: Record<string, unknown> | undefined, needsInputGrad: readonly boolean[], where: string): Gate {
    const at = (): string => where;
    const gate = this.resolver.create(this.resolver.identify(id, at).gateClass, options, at);
    if (hasPrepare(gate)) gate.prepare({ needsInputGrad, training: this.training });
    return gate;
  }

  /**
   * The index of the scalar kernel for a gate class and options, or -1 when the gate is not a plain
   * elementwise gate (see ScalarKernel.accepts) or has a prepare hook, whose per-application state
   * the shared kernel cannot hold.
   */
  kernel(id: GateId, options?: Record<string, unknown>): number {
    if (typeof id === 'string') return -1;
    if (options === undefined) {
      const known = this.plainKernels.get(id);
      if (known !== undefined) return known;
      const index = this.makeKernel(id, undefined);
      this.plainKernels.set(id, index);
      return index;
    }
    const key = `${id.name}\u0000${JSON.stringify(options)}`;
    const known = this.configuredKernels.get(key);
    if (known !== undefined) return known;
    const index = this.makeKernel(id, options);
    this.configuredKernels.set(key, index);
    return index;
  }

  private makeKernel(id: GateClass, options: Record<string, unknown> | undefined): number {
    if (!(id.prototype instanceof UnaryGate || id.prototype instanceof BinaryGate)) return -1;
    const gate = this.gate(id, options, [], id.name);
    if (!ScalarKernel.accepts(gate) || hasPrepare(gate)) return -1;
    this.kernels.push(new ScalarKernel(id, options, gate));
    return this.kernels.length - 1;
  }
}

let current = new EagerContext();

/** The context eager operations record on. */
export function eagerContext(): EagerContext {
  return current;
}

/** Makes `context` the one eager operations record on (for a container of your own); returns the previous one. */
export function setEagerContext(context: EagerContext): EagerContext {
  const previous = current;
  current = context;
  return previous;
}

/**
 * Frees the current record without a backward: for code that computes with gradients on but never
 * calls backward (the tape only shrinks at backward, as nothing tells it which results are still
 * held). Results recorded so far keep their values but can no longer enter operations or backward.
 * Prefer noGrad() for evaluation, which records nothing in the first place.
 */
export function clearTape(): void {
  current.tape.free();
}

/** Runs `fn` without recording (PyTorch's torch.no_grad()): results are plain data with no gradient. */
export function noGrad<T>(fn: () => T): T {
  const ctx = current;
  const before = ctx.gradEnabled;
  ctx.gradEnabled = false;
  try {
    return fn();
  } finally {
    ctx.gradEnabled = before;
  }
}
