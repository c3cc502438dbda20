import { Container, ContainerModule } from 'inversify';
import { UnknownGateError } from './errors';
import { GateClass } from './gate';
import { describeArgument } from './shape';
import { didYouMean } from './suggest';

/**
 * The gate registry: one entry (registered name, class) per gate, bound as constant values under
 * this key. Saving writes a node's registered name, loading maps a saved name back to its class,
 * and error messages list the names; nothing is ever instantiated to learn a name.
 */
export const GATE_REGISTRY = Symbol.for('chainrule.gateRegistry');

/** One registered gate. */
export interface GateEntry {
  readonly name: string;
  readonly gate: GateClass;
}

/**
 * Registers a gate class under `name` (default: the class name) and binds it transient (gates
 * hold per-node caches, so every node needs its own instance).
 */
export function bindGate(container: Container, gate: GateClass, name: string = gate?.name): void {
  if (!(container instanceof Container)) throw new UnknownGateError(`bindGate: expected an inversify Container, got ${describeArgument(container)}`);
  if (typeof gate !== 'function' || typeof gate.prototype?.forward !== 'function' || typeof gate.prototype?.backward !== 'function') {
    throw new UnknownGateError(`cannot register ${typeof gate === 'function' ? gate.name : describeArgument(gate)} as gate '${String(name)}': it is not a class with forward and backward`);
  }
  if (typeof name !== 'string' || name === '') throw new UnknownGateError(`cannot register gate ${gate.name}: its name must be a non-empty string, got ${describeArgument(name)}`);
  // Binding the same class under the same name again is a no-op (a module loaded twice, a setup run
  // twice); another class under a taken name is refused here, not at the first graph.gate.
  const registry = GateRegistry.of(container);
  const taken = registry.classOf(name);
  if (taken === gate) return;
  if (taken !== undefined) {
    throw new UnknownGateError(`cannot register ${gate.name} as gate '${name}': the name is already registered for ${taken.name} (choose another name)`);
  }
  // A class already bound (under another name, or by a module) keeps its one binding: a second would make resolving it ambiguous.
  if (!container.isCurrentBound(gate)) {
    try {
      container.bind(gate).toSelf().inTransientScope();
    } catch (e) {
      throw new UnknownGateError(
        `cannot bind gate ${gate.name} as '${name}': ${(e as Error).message.split('\n')[0]} ` +
          '(a gate is an @injectable() class whose constructor asks only for services and GATE_OPTIONS)',
      );
    }
  }
  container.bind<GateEntry>(GATE_REGISTRY).toConstantValue({ name, gate });
}

/** A container module that registers the given gates; the gates package builds its module with this. */
export function gateModule(gates: Readonly<Record<string, GateClass>>): ContainerModule {
  return new ContainerModule((options) => {
    for (const [name, gate] of Object.entries(gates)) {
      options.bind(gate).toSelf().inTransientScope();
      options.bind<GateEntry>(GATE_REGISTRY).toConstantValue({ name, gate });
    }
  });
}

/** A new container with the given modules loaded (for example `gatesModule` from @chainrule/gates). */
export function createContainer(...modules: ContainerModule[]): Container {
  const container = new Container();
  if (modules.length > 0) container.loadSync(...modules);
  return container;
}

/** A container's gate registry, read once (a graph reads it when it first adds a gate node). */
export class GateRegistry {
  private readonly byName = new Map<string, GateClass>();
  private readonly byClass = new Map<GateClass, string>();

  constructor(entries: readonly GateEntry[]) {
    for (const { name, gate } of entries) {
      const other = this.byName.get(name);
      if (other !== undefined && other !== gate) {
        throw new UnknownGateError(`gate name '${name}' is registered twice, for ${other.name} and ${gate.name}`);
      }
      this.byName.set(name, gate);
      if (!this.byClass.has(gate)) this.byClass.set(gate, name);
    }
  }

  /** The registry of `container` (empty when it registers no gates). */
  static of(container: Container): GateRegistry {
    return new GateRegistry(container.isBound(GATE_REGISTRY) ? container.getAll<GateEntry>(GATE_REGISTRY) : []);
  }

  /** Every registered name. */
  names(): string[] {
    return [...this.byName.keys()];
  }

  /** The class registered under `name`, or undefined. */
  classOf(name: string): GateClass | undefined {
    return this.byName.get(name);
  }

  /** The name `gate` is registered under (its first), or undefined. */
  nameOf(gate: GateClass): string | undefined {
    return this.byClass.get(gate);
  }

  /** The class for a name, or an UnknownGateError that lists what is registered. */
  require(name: string, where: string): GateClass {
    const gate = this.byName.get(name);
    if (gate === undefined) {
      const known = this.names();
      throw new UnknownGateError(
        `${where}: gate '${name}' is not registered in the container${didYouMean(name, known)}` +
          (known.length ? ` (registered: ${known.join(', ')})` : ' (the container has no gates: load gatesModule or bindGate your own)'),
      );
    }
    return gate;
  }
}
