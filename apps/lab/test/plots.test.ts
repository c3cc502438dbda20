import { boundarySvg, layerSvg, lossSvg } from '../src/ui/plots';

describe('network mode pictures', () => {
  test('the boundary merges equal cells of a row into one rectangle and draws every point', () => {
    const grid = Uint8Array.from([0, 0, 1, 1, 1, 2, 2, 2, 2]);
    const svg = boundarySvg(grid, 3, Float64Array.from([0, 0, 1.1, 1.1]), Float64Array.from([0, 2]), 300);
    expect(svg.match(/<rect x=/g)).toHaveLength(5); // rows [0 0 1], [1 1 2], [2 2 2]: 2 + 2 + 1 runs
    expect(svg).toContain('<circle cx="150.0" cy="150.0"');
    expect(svg).toContain('<circle cx="300.0" cy="0.0"');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  });

  test('the loss curve switches to a log scale when the loss spans more than 20×', () => {
    expect(lossSvg([1, 2, 3], [1, 0.5, 0.1])).not.toContain('log scale');
    const log = lossSvg([1, 2, 3], [1, 0.1, 0.001]);
    expect(log).toContain('(log scale)');
    expect(log).toMatch(/<polyline[^>]*points="(\S+ ){2}\S+"/);
    expect(lossSvg([], [])).toContain('train to see the loss');
  });

  test('a layer view holds W, dW, b and db, one cell per number', () => {
    const svg = layerSvg('fc1', [2, 3], [1, -1, 0, 2, 0.5, -2], [0, 0, 0, 0, 0, 1], [1, 2, 3], undefined);
    expect(svg.match(/<rect /g)).toHaveLength(6 + 6 + 3);
    expect(svg).toContain('fc1.W [2×3]');
    expect(svg).toContain('<title>fc1.W [2×3][1, 2] = -2</title>');
  });
});
