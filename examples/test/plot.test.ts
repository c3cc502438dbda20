import { classRuns, contourLines, lineChart, linspace, movingAverage, renderSvg } from '../src/plot';
import { svgTexts } from './helpers';

describe('plot helpers', () => {
  test('lineChart renders an SVG with its title, axis titles and legend labels', async () => {
    const rows = [1, 2, 3].flatMap((x) => [
      { x, y: x * x, s: 'square' },
      { x, y: 2 * x, s: 'double' },
    ]);
    const svg = await renderSvg(lineChart({ title: 'A title', rows, x: 'x', y: 'y', series: 's', xTitle: 'the x', yTitle: 'the y', seriesTitle: 'kind' }));
    expect(svg.startsWith('<svg')).toBe(true);
    const texts = svgTexts(svg);
    for (const t of ['A title', 'the x', 'the y', 'kind', 'square', 'double']) expect(texts).toContain(t);
  });

  test('movingAverage averages a trailing window', () => {
    expect(movingAverage([2, 4, 6, 8], 2)).toEqual([2, 3, 5, 7]);
  });

  test('classRuns merges equal neighbours into one rectangle per run', () => {
    const xs = [0, 1, 2];
    const ys = [0, 1];
    const runs = classRuns(xs, ys, [0, 0, 1, 2, 2, 2], (k) => `c${k}`);
    expect(runs).toEqual([
      { x: -0.5, x2: 1.5, y: -0.5, y2: 0.5, region: 'c0' },
      { x: 1.5, x2: 2.5, y: -0.5, y2: 0.5, region: 'c1' },
      { x: -0.5, x2: 2.5, y: 0.5, y2: 1.5, region: 'c2' },
    ]);
  });

  test('contourLines traces a circle as one closed polyline on its level set', () => {
    const g = linspace(-2, 2, 41);
    const rows = contourLines((x, y) => x * x + y * y, g, g, [1]);
    const lines = new Set(rows.map((r) => r.line));
    expect(lines.size).toBe(1);
    for (const r of rows) expect(Math.hypot(r.x as number, r.y as number)).toBeCloseTo(1, 1);
    const first = rows[0];
    const last = rows[rows.length - 1];
    expect([last.x, last.y]).toEqual([first.x, first.y]);
  });
});
