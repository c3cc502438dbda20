import { Container } from 'inversify';
import { GateRegistry } from './container';
import { ChainruleError, InvalidArgumentError, UnknownGateError } from './errors';
import { Gate, GATE_OPTIONS, GateClass, GateId } from './gate';

/**
 * How a graph turns `graph.gate(id, ..., { options })` into a gate instance, once per node.
 *
 * A name is looked up in the container's gate registry (so a saved file can only create registered
 * gates); a class is used as given. The instance is made by a private child container of the
 * user's container: it sees the user's bindings (a class rebound there, MATMUL_KERNEL, RANDOM_SOURCE)
 * and adds two of its own, never written into the user's container: GATE_OPTIONS, which hands the
 * node's options to the gate's constructor, and autobind, so a class nobody registered still
 * resolves with its services injected.
 */
export class GateResolver {
  private child: Container | undefined;
  /** The options of the gate being constructed, read by the GATE_OPTIONS binding. */
  private pending: Record<string, unknown> | undefined;
  /** Whether the constructor asked for its options. */
  private taken = false;

  constructor(readonly container: Container) {}

  /** The gate class an id stands for and the name it is registered under (its class name if not registered). */
  identify(id: GateId, where: () => string): { gateClass: GateClass; gateType: string } {
    const registry = GateRegistry.of(this.container);
    if (typeof id === 'string') return { gateClass: registry.require(id, where()), gateType: id };
    if (typeof id !== 'function') throw new UnknownGateError(`${where()}: expected a gate class or a registered gate name, got ${typeof id}`);
    return { gateClass: id, gateType: registry.nameOf(id) ?? id.name };
  }

  /** Constructs the gate with its options injected; throws if it takes no options but was given some. */
  create(gateClass: GateClass, options: Record<string, unknown> | undefined, where: () => string): Gate {
    if (!this.child) {
      this.child = new Container({ parent: this.container, autobind: true });
      this.child.bind(GATE_OPTIONS).toDynamicValue(() => {
        this.taken = true;
        return this.pending;
      });
    }
    if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
      throw new InvalidArgumentError(`${where()}: options must be an object, got ${JSON.stringify(options)}`);
    }
    this.pending = options;
    this.taken = false;
    let gate: Gate;
    try {
      gate = this.child.get<Gate>(gateClass);
    } catch (e) {
      if (e instanceof ChainruleError) throw e; // the gate's own complaint (a bad option)
      throw new UnknownGateError(
        `${where()}: cannot construct gate ${gateClass.name}: ${(e as Error).message.split('\n')[0]} ` +
          '(a gate is an @injectable() class whose constructor asks only for services and GATE_OPTIONS)',
      );
    } finally {
      this.pending = undefined;
    }
    if (options !== undefined && !this.taken) {
      throw new InvalidArgumentError(`${where()}: this gate takes no options, got ${JSON.stringify(options)}`);
    }
    if (typeof gate?.forward !== 'function' || typeof gate?.backward !== 'function') {
      throw new UnknownGateError(`${where()}: ${gateClass.name} resolved to something that is not a Gate (no forward/backward)`);
    }
    return gate;
  }
}
