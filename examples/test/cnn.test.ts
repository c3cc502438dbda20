import { existsSync } from 'fs';
import { join } from 'path';
import { Random, Tensor } from '@chainrule/core';
import { runCnn } from '../src/cnn';
import { loadMnist, shiftImages } from '../src/data';
import { parseMainArgs } from '../src/main';
import { collector, readSvg, tempOut } from './helpers';

describe('the cnn example', () => {
  test('a small run (600 digits, 1 epoch) learns well above chance and writes its curves, filters and feature maps', async () => {
    const out = tempOut('cnn');
    const c = collector();
    const result = await runCnn({ outDir: out, log: c.log, limit: 600, epochs: 1, batchSize: 16 });
    expect(result.model).toBe('cnn');
    expect(result.testSize).toBe(120);
    expect(result.testAccuracy).toBeGreaterThan(0.5); // chance is 0.1
    expect(result.trainCpuSeconds).toBeGreaterThan(0);
    expect(result.pictures).toEqual([join(out, 'filters.svg'), join(out, 'feature-maps.svg')]);
    for (const p of [...result.plots, ...result.pictures]) expect(existsSync(p)).toBe(true);
    const filters = readSvg(result.pictures[0]);
    expect(filters.texts).toContain('Learned first-layer filters');
    for (let i = 1; i <= 12; i++) expect(filters.texts).toContain(`filter ${i}`);
    const maps = readSvg(result.pictures[1]);
    expect(maps.texts.some((t) => t.startsWith('Feature maps of one held-out digit'))).toBe(true);
    expect(maps.texts).toContain('conv2 24');
    expect(c.text()).toMatch(/network: 1×28×28 → conv 5×5×\d+ \+ BN/);
    expect(c.text()).toMatch(/CNN: [\d.]+% held-out accuracy after [\d.]+ s of training/);
    expect(result.net.graph.training).toBe(false);
  }, 120000);

  test('npm start -- --model cnn selects it; a bad model is a usage error', () => {
    expect(parseMainArgs(['--model', 'cnn'])?.model).toBe('cnn');
    expect(parseMainArgs([])?.model).toBeUndefined();
    expect(() => parseMainArgs(['--model', 'rnn'])).toThrow(/--model must be mlp or cnn, got 'rnn'/);
  });

  test('shift augmentation moves each digit by whole pixels, filling with background', () => {
    const { train } = loadMnist({ limit: 20, seed: 3 });
    const dst = new Float32Array(train.x.length);
    shiftImages(train.x, dst, train.n, 28, 2, new Random(1));
    let moved = 0;
    for (let r = 0; r < train.n; r++) {
      const a = new Tensor(train.x.slice(r * 784, (r + 1) * 784), [784]);
      const b = dst.subarray(r * 784, (r + 1) * 784);
      // the same ink, up to what crossed the border (digits are centred, so little does)
      const sum = (v: ArrayLike<number>) => Array.from(v).reduce((s, x) => s + x, 0);
      expect(sum(b)).toBeLessThanOrEqual(sum(a.data) + 1e-3);
      expect(sum(b)).toBeGreaterThan(0.8 * sum(a.data));
      if (Array.from(b).some((v, i) => v !== a.data[i])) moved++;
    }
    expect(moved).toBeGreaterThan(train.n / 2);
    shiftImages(train.x, dst, train.n, 28, 0, new Random(1));
    expect(Array.from(dst)).toEqual(Array.from(train.x));
  });
});
