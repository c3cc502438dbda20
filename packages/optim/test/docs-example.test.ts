// Runs the training example of docs/optim.md exactly as written there.
import 'reflect-metadata';
import { readFileSync } from 'fs';
import { join } from 'path';
import * as ts from 'typescript';

const MARKER = '<!-- trainer-example:';

function exampleSource(marker = MARKER): string {
  const doc = readFileSync(join(__dirname, '../../../docs/optim.md'), 'utf8');
  const at = doc.indexOf(marker);
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
  const logs = runExample(exampleSource());
  expect(logs[0]).toMatch(/^epoch 0: loss \d\.\d{3}, accuracy \d\.\d{3}, \d+ samples\/s$/);
  expect(logs[logs.length - 1]).toBe('training accuracy 1');
  expect(logs.length).toBeLessThan(60);
});

/** Runs a docs block with a console that collects what it prints. */
function runExample(source: string): string[] {
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const logs: string[] = [];
  const fakeConsole = { log: (...args: unknown[]) => logs.push(args.join(' ')) };
  new Function('require', 'exports', 'console', js)(require, {}, fakeConsole);
  return logs;
}

test('the docs/optim.md data example splits, standardises, trains, predicts without labels and evaluates, as written', () => {
  const logs = runExample(exampleSource('<!-- data-example:'));
  const m = /^test loss (\d\.\d{3}), accuracy (\d\.\d{3})$/.exec(logs[0]);
  expect(m).not.toBeNull();
  expect(Number(m?.[2])).toBeGreaterThan(0.9);
  const confusion = JSON.parse(logs[1].slice(logs[1].indexOf('['))) as number[][];
  expect(confusion.flat().reduce((a, b) => a + b, 0)).toBe(60); // 20% of 300 held out
  expect((confusion[0][0] + confusion[1][1]) / 60).toBeCloseTo(Number(m?.[2]), 3);
  expect(logs[2]).toMatch(/^predicted classes of the first test points: [01]( [01]){7}$/);
});

test("the README's prediction line runs after the docs/optim.md example: scores without labels, from a flat Float64Array", () => {
  const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
  const line = readme.split('\n').find((l) => l.startsWith('const predicted = graph.forward('));
  const helper = readme.split('\n').find((l) => l.startsWith('const { classes } = predict('));
  expect(line).toBeDefined();
  expect(helper).toBeDefined();
  const source = `${exampleSource()}\n${line}\nconsole.log(JSON.stringify(predicted.shape));\nconst { predict } = require('@chainrule/optim');\n${helper}\nconsole.log(classes.length);`;
  const logs = runExample(source);
  expect(logs[logs.length - 2]).toBe('[200,2]');
  expect(logs[logs.length - 1]).toBe('200');
});
