import { Random } from '../src';

describe('Random', () => {
  test('same seed, same sequence; different seed, different sequence', () => {
    const a = new Random(7);
    const b = new Random(7);
    const c = new Random(8);
    const sa = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(sa);
    for (const v of sa) expect(v >= 0 && v < 1).toBe(true);
  });

  test('normal has mean 0 and variance 1 (10,000 draws)', () => {
    const r = new Random(1);
    const xs = Array.from({ length: 10000 }, () => r.normal());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  test('state save and restore continues the same sequence', () => {
    const r = new Random(3);
    r.normal();
    const state = r.getState();
    const next = [r.normal(), r.next(), r.int(10)];
    const s = new Random(0);
    s.setState(state);
    expect([s.normal(), s.next(), s.int(10)]).toEqual(next);
  });

  test('permutation holds every index once', () => {
    const p = Array.from(new Random(5).permutation(100)).sort((x, y) => x - y);
    expect(p).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
