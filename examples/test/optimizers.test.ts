import { join } from 'path';
import { OPTIMIZERS, REACHED, runOptimizers, surface, surfaceGraph } from '../src/optimizers';
import { collector, readSvg, tempOut } from './helpers';

describe('optimizers example', () => {
  test('the surface graph computes f and its gradient through gates', () => {
    const { graph, x, y } = surfaceGraph([3, -2]);
    expect(graph.forward().item()).toBeCloseTo(surface(3, -2), 12);
    graph.backward();
    expect(x.grad?.item()).toBeCloseTo(3 / 10, 12);
    expect(y.grad?.item()).toBeCloseTo(-4, 12);
  });

  test('Adam and momentum reach the minimum within the plotted steps; the pictures hold every series', async () => {
    const out = tempOut('optimizers');
    const c = collector();
    const result = await runOptimizers({ outDir: out, log: c.log });
    expect(result.trajectories.map((t) => t.optimizer)).toEqual(OPTIMIZERS.map((o) => o.name));
    const byName = Object.fromEntries(result.trajectories.map((t) => [t.optimizer, t]));
    for (const name of ['Adam', 'Momentum']) {
      const t = byName[name];
      expect(t.reachedAt).toBeGreaterThan(0);
      expect(t.reachedAt).toBeLessThanOrEqual(result.steps);
      expect(t.finalLoss).toBeLessThan(REACHED);
      expect(Math.hypot(...t.final)).toBeLessThan(0.1);
    }
    for (const t of result.trajectories) {
      expect(t.points).toHaveLength(result.steps + 1);
      expect(t.points[0]).toEqual([-7, 2]);
      expect(t.finalLoss).toBeLessThan(t.losses[0]);
    }
    expect(result.plots).toEqual([join(out, 'trajectories.svg'), join(out, 'loss-per-step.svg')]);
    const traj = readSvg(result.plots[0]).texts;
    expect(traj).toContain('Optimizers on the ravine f(x, y) = x²/20 + y²');
    for (const label of ['SGD', 'Momentum', 'Nesterov', 'Adagrad', 'RMSProp', 'Adam', 'optimizer', 'x', 'y']) expect(traj).toContain(label);
    const loss = readSvg(result.plots[1]).texts;
    expect(loss).toContain('Loss per step');
    expect(loss).toContain('f(x, y) (log scale)');
    for (const label of ['SGD', 'Adam']) expect(loss).toContain(label);
    expect(c.text()).toContain('Adam');
  });
});
