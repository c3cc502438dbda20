import { existsSync } from 'fs';
import { join } from 'path';
import { Random, Tensor } from '@chainrule/core';
import { runCnn } from '../src/cnn';
import { distortImages } from '../src/augment';
import { loadMnist } from '../src/data';
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

  test('distortion moves, tilts and resizes each digit, keeps its ink, and is the identity at zero limits', () => {
    const { train } = loadMnist({ limit: 20, seed: 3 });
    const dst = new Float32Array(train.x.length);
    const sum = (v: ArrayLike<number>) => Array.from(v).reduce((s, x) => s + x, 0);
    distortImages(train.x, dst, train.n, 28, { shift: 2, rotate: 12, scale: 0.1 }, new Random(1));
    let moved = 0;
    for (let r = 0; r < train.n; r++) {
      const a = train.x.subarray(r * 784, (r + 1) * 784);
      const b = dst.subarray(r * 784, (r + 1) * 784);
      // ink scales with the area (zoom² within [0.81, 1.21]), up to what crossed the border: digits are centred, so little does
      expect(sum(b)).toBeGreaterThan(0.7 * sum(a));
      expect(sum(b)).toBeLessThan(1.3 * sum(a));
      expect(Math.min(...Array.from(b))).toBeGreaterThanOrEqual(0);
      expect(Math.max(...Array.from(b))).toBeLessThanOrEqual(Math.max(...Array.from(a)) + 1e-6);
      if (Array.from(b).some((v, i) => v !== a[i])) moved++;
    }
    expect(moved).toBe(train.n);
    const again = new Float32Array(train.x.length);
    distortImages(train.x, again, train.n, 28, { shift: 2, rotate: 12, scale: 0.1 }, new Random(1));
    expect(Array.from(again)).toEqual(Array.from(dst)); // seeded
    distortImages(train.x, dst, train.n, 28, { shift: 0, rotate: 0, scale: 0 }, new Random(1));
    expect(Array.from(dst)).toEqual(Array.from(train.x));
  });

  test('a whole-pixel shift without rotation or zoom moves every pixel exactly', () => {
    const src = new Float32Array(16).map((_, i) => i + 1); // one 4×4 image
    const dst = new Float32Array(16);
    // shift limits of 1 with a Random whose draws are pinned to the upper end give dx = dy = 1
    const pinned = { uniform: (_lo: number, hi: number) => hi } as unknown as Random;
    distortImages(src, dst, 1, 4, { shift: 1, rotate: 0, scale: 0 }, pinned);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) expect(dst[y * 4 + x]).toBe(x === 0 || y === 0 ? 0 : src[(y - 1) * 4 + x - 1]);
  });
});
