import { Container, ContainerModule } from 'inversify';
import { UnknownGateError } from './errors';
import { Gate, GateClass, GateId } from './gate';

/** The names a container knows gates by, for `graph.gate('AddGate', ...)` and for loading saved graphs. */
export const GATE_NAMES = Symbol.for('chainrule.gateNames');

/**
 * Binds a gate class transient (gates hold per-node caches, so every node needs its own instance),
 * both under the class itself and under `name` (default: the class name).
 */
export function bindGate(container: Container, gate: GateClass, name: string = gate.name): void {
  try {
    container.bind(gate).toSelf().inTransientScope();
  } catch (e) {
    throw new UnknownGateError(
      `cannot bind gate ${gate.name} as '${name}': ${(e as Error).message.split('\n')[0]} ` +
        '(a gate is an @injectable() class whose constructor needs no arguments; settings go through configure())',
    );
  }
  container.bind<Gate>(name).toService(gate);
  container.bind<string>(GATE_NAMES).toConstantValue(name);
}

/** A container module that binds the given gates; the gates package builds its module with this. */
export function gateModule(gates: Record<string, GateClass>): ContainerModule {
  return new ContainerModule((options) => {
    for (const [name, gate] of Object.entries(gates)) {
      options.bind(gate).toSelf().inTransientScope();
      options.bind<Gate>(name).toService(gate);
      options.bind<string>(GATE_NAMES).toConstantValue(name);
    }
  });
}

/** A new container with the given modules loaded (for example `gatesModule` from @chainrule/gates). */
export function createContainer(...modules: ContainerModule[]): Container {
  const container = new Container();
  if (modules.length > 0) container.loadSync(...modules);
  return container;
}

/** Every gate name bound in the container. */
export function boundGateNames(container: Container): string[] {
  return container.isBound(GATE_NAMES) ? container.getAll<string>(GATE_NAMES) : [];
}

/** Resolves a gate once, turning inversify's "no bindings" into an error that names the node and the gate. */
export function resolveGate(container: Container, id: GateId, node: string): Gate {
  const label = typeof id === 'string' ? `'${id}'` : id.name;
  if (!container.isBound(id)) {
    const known = boundGateNames(container);
    throw new UnknownGateError(
      `node '${node}': gate ${label} is not bound in the container` +
        (known.length ? ` (bound: ${known.join(', ')})` : ' (the container has no gates: load gatesModule or bindGate your own)'),
    );
  }
  const gate = container.get<Gate>(id);
  if (typeof gate?.forward !== 'function' || typeof gate?.backward !== 'function') {
    throw new UnknownGateError(`node '${node}': ${label} resolved to something that is not a Gate (no forward/backward)`);
  }
  return gate;
}
