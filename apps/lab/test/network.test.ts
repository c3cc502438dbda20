import 'reflect-metadata';
import { circles, fromClicks, spiral, xor } from '../src/network/datasets';
import { DEFAULT_NETWORK, NetworkSession } from '../src/network/session';

describe('network mode', () => {
  test('the default MLP trains the spiral past 95% training accuracy', () => {
    const s = new NetworkSession(DEFAULT_NETWORK, spiral());
    const first = s.train(1);
    let acc = 0;
    while (s.steps < 3000 && acc < 0.95) {
      s.train(100);
      acc = s.accuracy();
    }
    expect(acc).toBeGreaterThanOrEqual(0.95);
    expect(s.lastLoss).toBeLessThan(first);
  });

  test('a linear softmax classifier cannot separate the spiral', () => {
    const s = new NetworkSession({ ...DEFAULT_NETWORK, hidden: [] }, spiral());
    s.train(500);
    expect(s.accuracy()).toBeLessThan(0.7);
  });

  test.each([
    ['circles', circles()],
    ['xor', xor()],
  ])('%s is learned by a small tanh net with momentum SGD', (_name, data) => {
    const s = new NetworkSession({ ...DEFAULT_NETWORK, hidden: [8], activation: 'tanh', optimizer: 'momentum', lr: 0.1 }, data);
    s.train(1500);
    expect(s.accuracy()).toBeGreaterThan(0.9);
  });

  test('clicked points, boundary grid, layer inspector and health report', () => {
    const s = new NetworkSession({ ...DEFAULT_NETWORK, hidden: [4], lr: 0.05 }, fromClicks([[-0.5, 0, 0], [0.5, 0, 1], [0, 0.5, 2]]));
    s.train(400);
    expect(s.accuracy()).toBe(1);
    const grid = s.grid(10);
    expect(grid).toHaveLength(100);
    expect(grid[5 * 10 + 0]).toBe(0); // left middle: class 0
    expect(grid[5 * 10 + 9]).toBe(1); // right middle: class 1
    const layer = s.layer('fc1');
    expect(layer.shape).toEqual([2, 4]);
    expect(layer.weight).toHaveLength(8);
    expect(layer.weightGrad).toHaveLength(8);
    expect(layer.bias).toHaveLength(4);
    const report = s.health();
    expect(report).toContain('fc1');
  });
});
