// Runs the example of docs/serialization.md exactly as written there.
import 'reflect-metadata';
import { readFileSync } from 'fs';
import { join } from 'path';
import * as ts from 'typescript';

const MARKER = '<!-- serialization-example:';

function exampleSource(): string {
  const doc = readFileSync(join(__dirname, '../../../docs/serialization.md'), 'utf8');
  const at = doc.indexOf(MARKER);
  expect(at).toBeGreaterThanOrEqual(0);
  const start = doc.indexOf('```ts\n', at) + '```ts\n'.length;
  const end = doc.indexOf('\n```', start);
  return doc.slice(start, end);
}

test('the docs/serialization.md example runs as written', () => {
  const js = ts.transpileModule(exampleSource(), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, experimentalDecorators: true },
  }).outputText;
  const logs: string[] = [];
  const fakeConsole = { log: (...args: unknown[]) => logs.push(args.join(' ')) };
  new Function('require', 'exports', 'console', js)(require, {}, fakeConsole);
  expect(logs).toEqual(['same loss: true', 'steps so far: 20', 'same loss again: true']);
});
