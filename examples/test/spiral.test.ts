import { spiralData } from '../src/data';
import { runSpiral } from '../src/spiral';
import { collector, readSvg, tempOut } from './helpers';

describe('spiral example', () => {
  test('the data: three seeded arms of equal size inside the unit disc', () => {
    const a = spiralData({ perClass: 50, seed: 3 });
    const b = spiralData({ perClass: 50, seed: 3 });
    expect(a.n).toBe(150);
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    const counts = [0, 0, 0];
    for (let i = 0; i < a.n; i++) counts[a.y[i]]++;
    expect(counts).toEqual([50, 50, 50]);
    for (let i = 0; i < a.n; i++) expect(Math.hypot(a.x[2 * i], a.x[2 * i + 1])).toBeLessThanOrEqual(1 + 1e-12);
  });

  test('the two-layer network reaches 95% training accuracy, the linear classifier stays below 60%', async () => {
    const out = tempOut('spiral');
    const c = collector();
    const result = await runSpiral({ outDir: out, log: c.log, steps: 400, resolution: 40 });
    expect(result.points).toBe(300);
    expect(result.twoLayer.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(result.linear.accuracy).toBeLessThan(0.6);
    expect(result.linear.accuracy).toBeGreaterThan(0.34); // better than chance: it does learn something
    const linear = readSvg(result.linear.plot);
    expect(linear.texts.some((t) => t.startsWith('Linear softmax classifier'))).toBe(true);
    const twoLayer = readSvg(result.twoLayer.plot);
    expect(twoLayer.texts.some((t) => t.startsWith('Two-layer net'))).toBe(true);
    for (const label of ['class 0', 'class 1', 'class 2', 'class', 'x₁', 'x₂']) expect(twoLayer.texts).toContain(label);
    expect(twoLayer.svg).toContain('<path'); // the points and regions are drawn
    expect(c.text()).toMatch(/Two-layer net, 100 ReLU units +training accuracy/);
    // the explanation quotes this run's accuracies
    expect(c.text()).toContain(`no straight cut follows three interleaved arms: ${(100 * result.linear.accuracy).toFixed(1)}% right, above the 33.3% of guessing`);
    expect(c.text()).toContain(`pieces of lines that follow the arms: ${(100 * result.twoLayer.accuracy).toFixed(1)}%.`);
  }, 20000);
});
