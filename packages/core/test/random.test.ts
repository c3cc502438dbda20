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

  test.each([[1], [2]])('state save, JSON round trip and restore continue the same sequence (%i normals drawn)', (drawn) => {
    const r = new Random(3);
    for (let i = 0; i < drawn; i++) r.normal();
    const state = JSON.parse(JSON.stringify(r.getState()));
    const next = [r.normal(), r.next(), r.int(10)];
    const s = new Random(0);
    s.setState(state);
    expect([s.normal(), s.next(), s.int(10)]).toEqual(next);
    expect(() => s.setState([1, 2, 3])).toThrow(/expected 6 finite numbers/);
  });

  test('permutation holds every index once', () => {
    const p = Array.from(new Random(5).permutation(100)).sort((x, y) => x - y);
    expect(p).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
