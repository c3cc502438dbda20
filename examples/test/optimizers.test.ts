import { join } from 'path';
import { OPTIMIZERS, REACHED, runOptimizers, surface, surfaceGraph, trajectory } from '../src/optimizers';
import { explainRavine, LR_GRID, quadraticTheory, settingLr, settledAt, tunedMomentumSpec } from '../src/ravine-tuning';
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
    // the explanation is printed, line for line
    for (const line of result.explanation.lines) expect(c.lines).toContain(line);
  });

  test('the explanation says why SGD does well, races every rule at its tuned rate, and quotes the numbers it computed', () => {
    const steps = 100;
    const trajectories = OPTIMIZERS.map((spec) => trajectory(spec, steps));
    const e = explainRavine(trajectories, steps);
    const text = e.lines.join('\n');
    // SGD's textbook lr is the optimal fixed step of gradient descent on diag(0.1, 2): 2 / 2.1
    expect(e.theory.sgdLr).toBeCloseTo(2 / 2.1, 12);
    expect(text).toContain(`2/(λmax + λmin) = ${(2 / 2.1).toFixed(3)}`);
    expect(text).toContain(`(κ − 1)/(κ + 1) = ${(19 / 21).toFixed(3)}`);
    expect(text).toContain('condition number κ = 20');
    // the textbook winner is the rule that settles first in the table, and the sentence names it with its step
    const settled = trajectories.map((t) => ({ name: t.optimizer, at: settledAt(t) })).filter((t) => t.at >= 0).sort((a, b) => a.at - b.at);
    expect(e.textbookWinner).toBe(settled[0].name);
    expect(text).toContain(`${settled[0].name} (`);
    expect(text).toContain(`stays below f = ${REACHED} first, from step ${settled[0].at}`);
    // every tuned rate is on the grid and its quoted step is what a rerun at that rate gives
    for (const t of e.tuned) {
      const spec = OPTIMIZERS.find((o) => o.name === t.optimizer) as (typeof OPTIMIZERS)[number];
      expect([...LR_GRID, settingLr(spec.settings)]).toContain(t.lr);
      // never worse than the table's own setting
      const own = settledAt(trajectories.find((x) => x.optimizer === t.optimizer) as (typeof trajectories)[number]);
      if (own >= 0) expect(t.settledAt).toBeLessThanOrEqual(own);
      expect(text).toContain(`${t.optimizer} lr ${t.lr.toPrecision(3)} ${t.settledAt >= 0 ? `from step ${t.settledAt}` : 'never'}`);
    }
    // Polyak's heavy ball beats SGD's best fixed step, as the rates (√κ−1)/(√κ+1) < (κ−1)/(κ+1) say
    const theory = quadraticTheory();
    expect(theory.momentumRate).toBeLessThan(theory.sgdRate);
    const heavy = trajectory(tunedMomentumSpec(), steps);
    expect(settledAt(heavy)).toBe(e.heavyBallSettledAt);
    expect(e.heavyBallSettledAt).toBeGreaterThan(0);
    expect(e.heavyBallSettledAt).toBeLessThan(settledAt(trajectories[0]));
    expect(text).toContain(`stays below f = ${REACHED} from step ${e.heavyBallSettledAt}`);
    expect(text).toContain(`lr = 4/(√λmax + √λmin)² = ${theory.momentumLr.toFixed(2)}, μ = ((√κ − 1)/(√κ + 1))² = ${theory.momentum.toFixed(2)}`);
    expect(text).toMatch(/Adam's step is about lr whatever the gradient's size, so at lr 0.3 the 7 units along x take at least 24 steps/);
    expect(text).toContain(`Fastest when every rule is tuned: ${e.tunedWinner}`);
  });
});
