import { existsSync } from 'fs';
import { join } from 'path';
import { loadMnist, MNIST_PIXELS } from '../src/data';
import { HELP, parseMainArgs, UsageError } from '../src/main';
import { commonMistakes, runMnist } from '../src/mnist';
import { collector, readSvg, tempOut } from './helpers';

describe('MNIST data', () => {
  test('loads real digits into float32, seeded, with disjoint train and test sets', () => {
    const a = loadMnist({ limit: 300, seed: 5 });
    const b = loadMnist({ limit: 300, seed: 5 });
    expect(a.available).toBe(10000);
    expect(a.train.n + a.test.n).toBe(300);
    expect(a.test.n).toBe(60);
    expect(a.train.x).toBeInstanceOf(Float32Array);
    expect(a.train.x.length).toBe(240 * MNIST_PIXELS);
    expect(Array.from(a.test.y)).toEqual(Array.from(b.test.y));
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of a.train.x) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(lo).toBe(0);
    expect(hi).toBeLessThanOrEqual(1);
    expect(hi).toBeGreaterThan(0.9);
    expect(new Set(Array.from(a.train.y)).size).toBe(10);
    // no digit is in both sets
    const key = (x: Float32Array, i: number) => x.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS).join(',');
    const train = new Set(Array.from({ length: a.train.n }, (_, i) => key(a.train.x as Float32Array, i)));
    for (let i = 0; i < a.test.n; i++) expect(train.has(key(a.test.x as Float32Array, i))).toBe(false);
  });
});

describe('the main job', () => {
  test('a small run (a few hundred digits, 1 epoch) learns well above chance and writes its plots', async () => {
    const out = tempOut('mnist');
    const c = collector();
    const result = await runMnist({ outDir: out, log: c.log, limit: 600, epochs: 1, batchSize: 16, hidden: [64] });
    expect(result.trainSize).toBe(480);
    expect(result.testSize).toBe(120);
    expect(result.epochs).toHaveLength(1);
    expect(result.testAccuracy).toBeGreaterThan(0.5); // chance is 0.1
    expect(result.samplesPerSecond).toBeGreaterThan(0);
    expect(result.plots).toEqual([join(out, 'loss.svg'), join(out, 'accuracy.svg')]);
    for (const p of result.plots) expect(existsSync(p)).toBe(true);
    expect(result.onnxFile).toBe(join(out, 'model.onnx'));
    expect(existsSync(result.onnxFile)).toBe(true);
    const loss = readSvg(result.plots[0]).texts;
    for (const label of ['MNIST: loss per epoch', 'training', 'test (held out)', 'epoch', 'loss']) expect(loss).toContain(label);
    const accuracy = readSvg(result.plots[1]).texts;
    expect(accuracy).toContain('MNIST: accuracy per epoch');
    const text = c.text();
    expect(text).toMatch(/epoch 1\/1 +loss [\d.]+ +accuracy/);
    expect(text).toMatch(/final test accuracy: [\d.]+% on 120 held-out digits/);
    expect(text).toMatch(/throughput: \d+ samples\/s/);
    // the confusion matrix of the held-out digits agrees with the test accuracy, and the mistakes it names are its largest cells
    expect(result.confusion.total).toBe(120);
    expect(result.confusion.accuracy).toBeCloseTo(result.testAccuracy, 12);
    expect(text).toContain(`most common mistakes on them (from the confusion matrix): ${commonMistakes(result.confusion, 3)}`);
    const worst = Math.max(...result.confusion.toArray().flatMap((row, t) => row.filter((_, p) => p !== t)));
    expect(text).toMatch(new RegExp(`read as \\d \\(${worst}×\\)`));
    expect(text).toContain(`wrote ${join(out, 'loss.svg')}`);
  }, 20000);

  test('flags change the defaults', () => {
    expect(parseMainArgs([])).toEqual({
      epochs: undefined,
      batchSize: undefined,
      hidden: undefined,
      optimizer: undefined,
      lr: undefined,
      limit: undefined,
      seed: undefined,
      outDir: undefined,
      progress: true,
    });
    expect(
      parseMainArgs(['--epochs', '3', '--batch-size', '32', '--hidden', '128,64', '--optimizer', 'momentum', '--lr', '0.01', '--seed', '7', '--out', 'x/y', '--no-progress']),
    ).toEqual({ epochs: 3, batchSize: 32, hidden: [128, 64], optimizer: 'momentum', lr: 0.01, limit: undefined, seed: 7, outDir: 'x/y', progress: false });
    expect(parseMainArgs(['--hidden', ''])?.hidden).toEqual([]);
    expect(parseMainArgs(['--help'])).toBeUndefined();
    expect(parseMainArgs(['-h'])).toBeUndefined();
    expect(() => parseMainArgs(['--optimizer', 'lbfgs'])).toThrow(UsageError);
    expect(() => parseMainArgs(['--epochs', '0'])).toThrow(/--epochs must be an integer >= 1, got '0'/);
    expect(() => parseMainArgs(['--hidden', '128,x'])).toThrow(/--hidden/);
    expect(() => parseMainArgs(['--lr', '-1'])).toThrow(/--lr/);
    expect(() => parseMainArgs(['--bogus'])).toThrow(UsageError);
    for (const flag of ['--epochs', '--batch-size', '--hidden', '--optimizer', '--lr', '--seed', '--out', '--help']) expect(HELP).toContain(flag);
  });
});
