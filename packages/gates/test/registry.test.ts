import { Gate, GateRegistry } from '@chainrule/core';
import * as gates from '@chainrule/gates';
import { builtinGates, createGatesContainer } from '@chainrule/gates';
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';

describe('builtinGates', () => {
  const src = join(__dirname, '..', 'src');
  const files = readdirSync(src).filter((f) => f.endsWith('.ts') && f !== 'index.ts');
  const declared = files.flatMap((f) => [...readFileSync(join(src, f), 'utf8').matchAll(/export class (\w+) (?:extends|implements)/g)].map((m) => m[1]));
  const gateClasses = declared.filter((name) => name !== 'LabelError');

  it('registers and exports every gate class defined in packages/gates/src', () => {
    expect(gateClasses.length).toBeGreaterThanOrEqual(31);
    for (const name of gateClasses) {
      expect(builtinGates[name]).toBeDefined();
      expect((gates as Record<string, unknown>)[name]).toBe(builtinGates[name]);
    }
  });

  it('every registered gate is found by name in the registry and resolves as a fresh instance per node', () => {
    const container = createGatesContainer();
    const registry = GateRegistry.of(container);
    expect(registry.names().sort()).toEqual(Object.keys(builtinGates).sort());
    for (const name of Object.keys(builtinGates)) {
      expect(registry.classOf(name)).toBe(builtinGates[name]);
      expect(registry.nameOf(builtinGates[name])).toBe(name);
      if (name === 'Linear') continue; // needs its sizes: covered in layers.test.ts
      const a = container.get<Gate>(builtinGates[name]);
      const b = container.get<Gate>(builtinGates[name]);
      expect(a).toBeInstanceOf(builtinGates[name]);
      expect(a).not.toBe(b);
    }
  });
});
