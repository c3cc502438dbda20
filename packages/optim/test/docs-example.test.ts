// Runs the training example of docs/optim.md exactly as written there.
import 'reflect-metadata';
import { readFileSync } from 'fs';
import { join } from 'path';
import * as ts from 'typescript';

const MARKER = '<!-- trainer-example:';

function exampleSource(): string {
  const doc = readFileSync(join(__dirname, '../../../docs/optim.md'), 'utf8');
  const at = doc.indexOf(MARKER);
  expect(at).toBeGreaterThanOrEqual(0);
  const start = doc.indexOf('```ts\n', at) + '```ts\n'.length;
  const end = doc.indexOf('\n```', start);
  return doc.slice(start, end);
}

test('the docs/optim.md training example is about 15 lines of training code', () => {
  // After the imports and the data: from `const graph = ...` to the end.
  const source = exampleSource();
  const code = source.slice(source.indexOf('const graph')).split('\n').filter((l) => l.trim() !== '');
  expect(code.length).toBeLessThanOrEqual(15);
});

test('the docs/optim.md training example runs as written and reaches 100% training accuracy', () => {
  const js = ts.transpileModule(exampleSource(), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const logs: string[] = [];
  const fakeConsole = { log: (...args: unknown[]) => logs.push(args.join(' ')) };
  new Function('require', 'exports', 'console', js)(require, {}, fakeConsole);
  expect(logs[0]).toMatch(/^epoch 0: loss \d\.\d{3}, accuracy \d\.\d{3}, \d+ samples\/s$/);
  expect(logs[logs.length - 1]).toBe('training accuracy 1');
  expect(logs.length).toBeLessThan(60);
});

test("the README's prediction line runs after the docs/optim.md example: scores without labels, from a flat Float64Array", () => {
  const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
  const line = readme.split('\n').find((l) => l.startsWith('const predicted = graph.forward('));
  expect(line).toBeDefined();
  const source = `${exampleSource()}\n${line}\nconsole.log(JSON.stringify(predicted.shape));`;
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const logs: string[] = [];
  new Function('require', 'exports', 'console', js)(require, {}, { log: (...args: unknown[]) => logs.push(args.join(' ')) });
  expect(logs[logs.length - 1]).toBe('[200,2]');
});
