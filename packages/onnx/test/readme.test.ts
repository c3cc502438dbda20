import 'reflect-metadata';
import { ComputationalGraph, Random, Tensor } from '@chainrule/core';
import { createGatesContainer, mlp, ReLUGate } from '@chainrule/gates';
import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { writeOnnx } from '../src/node';

const ROOT = resolve(__dirname, '../../..');

/** The README's onnxruntime-node snippet (the js block after the `onnx-snippet:js` marker), as written. */
function readmeSnippet(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const m = /<!-- onnx-snippet:js -->\n```js\n([\s\S]*?)```/.exec(readme);
  if (!m) throw new Error('README.md has no onnx-snippet:js block');
  return m[1];
}

test("the README's onnxruntime-node snippet runs as written on an exported MNIST-shaped model and predicts chainrule's digit", () => {
  // A small 784 → 32 → 10 network with random weights stands in for the trained one (same input and output).
  const g = new ComputationalGraph(createGatesContainer());
  const x = g.input('x', { shape: [null, 784], dtype: 'float32', requiresGrad: false });
  const scores = mlp(g, x, [784, 32, 10], ReLUGate, { dtype: 'float32', seed: 8 });
  const rng = new Random(3);
  for (const p of g.parameters()) p.value!.copyFrom(rng.randn(p.value!.shape, { dtype: 'float32' }));
  const dir = mkdtempSync(join(tmpdir(), 'chainrule-readme-'));
  writeOnnx(join(dir, 'out', 'mnist', 'model.onnx'), g, { inputs: ['x'], output: scores });

  const expected = g.forward({ x: Tensor.zeros([1, 784], 'float32') });
  const s = Array.from(expected.data);
  const digit = s.indexOf(Math.max(...s));

  // A separate node process, in a folder holding out/mnist/model.onnx, resolving onnxruntime-node from this repository.
  const stdout = execFileSync(process.execPath, ['-e', readmeSnippet()], {
    cwd: dir,
    env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') },
    encoding: 'utf8',
  });
  expect(stdout.trim()).toBe(`predicted digit: ${digit}`);
});
