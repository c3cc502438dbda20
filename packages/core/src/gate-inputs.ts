import { ArityError, InvalidArgumentError } from './errors';
import type { Gate } from './gate';
import { gateFact } from './gate-description';
import type { GraphNode } from './graph-node';

// The checks `graph.gate(...)` runs on a gate's inputs when the node is added, so a wrong count or
// a misspelt name is reported where it was written, not at the first forward.

/** Throws ArityError unless the gate's declared arity (`description.arity`) accepts this many inputs; returns the inputs. */
export function checkGateInputs(gate: Gate, inputs: GraphNode[], where: () => string): GraphNode[] {
  const arity = gateFact(gate, 'arity');
  if (arity === undefined) return inputs;
  const n = inputs.length;
  const [min, max] = typeof arity === 'number' ? [arity, arity] : [arity.min, arity.max ?? Infinity];
  if (n < min || n > max) {
    const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    const names = n === 0 ? 'none' : inputs.map((i) => `'${i.name}'`).join(', ');
    throw new ArityError(`${where()}: expected ${expected} input${min === 1 && max <= 1 ? '' : 's'}, got ${n} (${names})`);
  }
  return inputs;
}

/** The error for an input name the graph does not have, listing the names it does. */
export function unknownInput(name: string, where: string, known: readonly string[]): InvalidArgumentError {
  const listed = known.length === 0 ? 'it has no nodes yet' : `nodes: ${known.slice(0, 20).map((k) => `'${k}'`).join(', ')}${known.length > 20 ? `, and ${known.length - 20} more` : ''}`;
  return new InvalidArgumentError(`${where}: input '${name}' is not a node of this graph (${listed}); a gate's inputs must be added before it`);
}
