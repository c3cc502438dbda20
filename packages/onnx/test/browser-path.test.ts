import { builtinModules } from 'module';
import { readFileSync } from 'fs';
import { dirname, join, resolve } from 'path';

/** Every module specifier a TypeScript file imports (static imports, re-exports and side-effect imports). */
function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return Array.from(source.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'|^import\s+'([^']+)'/gm), (m) => m[1] ?? m[2]);
}

test("@chainrule/onnx's main entry reaches no Node built-in (fs stays behind @chainrule/onnx/node)", () => {
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  const seen = new Set<string>();
  const reached: string[] = [];
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), `${spec}.ts`));
      else if (builtins.has(spec)) reached.push(`${file}: ${spec}`);
    }
  };
  const src = join(__dirname, '..', 'src');
  visit(join(src, 'index.ts'));
  expect(seen.size).toBeGreaterThan(8);
  expect(reached).toEqual([]);
  // The Node entry does use fs (the check above would catch it if index imported it).
  expect(importsOf(join(src, 'node.ts'))).toContain('fs');
});
