import { GraphNode } from '@chainrule/core';
import { Adagrad, Adam, RMSProp, SGD } from '@chainrule/optim';
import { Stepper } from './network';
import { OptimizerSpec, REACHED, Trajectory, trajectory } from './optimizers';

/**
 * A fair race on the ravine f = x²/20 + y²: every rule at its own best learning rate for this
 * surface, not at one textbook setting each. The Hessian is diag(1/10, 2): curvatures λmin = 0.1
 * along the ravine and λmax = 2 across it, condition number κ = 20.
 */
export const CURVATURE = { min: 0.1, max: 2 } as const;

/** Learning rates tried per rule: 25 points, log-spaced from 0.01 to 10 (eight per decade). */
export const LR_GRID: readonly number[] = Array.from({ length: 25 }, (_, i) => Math.pow(10, -2 + i / 8));

/** The step after which f stays below REACHED to the last step, or -1. */
export function settledAt(t: Trajectory): number {
  let at = -1;
  for (let i = t.losses.length - 1; i >= 0 && t.losses[i] < REACHED; i--) at = i;
  return at;
}

/** The rules of the comparison as functions of the learning rate (momentum rules keep μ 0.9). */
const RULES: Record<string, (lr: number) => (p: GraphNode[]) => Stepper> = {
  SGD: (lr) => (p) => new SGD(p, { lr }),
  Momentum: (lr) => (p) => new SGD(p, { lr, momentum: 0.9 }),
  Nesterov: (lr) => (p) => new SGD(p, { lr, momentum: 0.9, nesterov: true }),
  Adagrad: (lr) => (p) => new Adagrad(p, { lr }),
  RMSProp: (lr) => (p) => new RMSProp(p, { lr }),
  Adam: (lr) => (p) => new Adam(p, { lr }),
};

export interface Tuned {
  optimizer: string;
  lr: number;
  /** The first step from which f stays below REACHED (-1: no rate on the grid gets there). */
  settledAt: number;
  finalLoss: number;
}

/** The learning rate a table setting like 'lr 0.1, μ 0.9' names (NaN when none). */
export function settingLr(settings: string): number {
  return Number(/lr ([\d.]+)/.exec(settings)?.[1]);
}

/**
 * Each rule's learning rate that settles below REACHED in the fewest steps (ties: the lower final f),
 * from LR_GRID and the rule's own rate in the table (`tableLr`), so tuning never does worse than the table.
 */
export function tuneLearningRates(names: readonly string[], steps: number, tableLr: Readonly<Record<string, number>> = {}): Tuned[] {
  return names.map((optimizer) => {
    let best: Tuned | undefined;
    const own = tableLr[optimizer];
    for (const lr of Number.isFinite(own) ? [...LR_GRID, own] : LR_GRID) {
      const t = trajectory({ name: optimizer, settings: '', make: RULES[optimizer](lr) }, steps);
      const at = settledAt(t);
      const key = (x: Tuned) => (x.settledAt >= 0 ? x.settledAt : Infinity);
      const candidate = { optimizer, lr, settledAt: at, finalLoss: t.finalLoss };
      if (!best || key(candidate) < key(best) || (key(candidate) === key(best) && candidate.finalLoss < best.finalLoss)) best = candidate;
    }
    return best as Tuned;
  });
}

/**
 * Plain gradient descent's best fixed step on a quadratic, 2 / (λmax + λmin), and the factor
 * (κ − 1)/(κ + 1) by which it shrinks the distance to the minimum each step; and the heavy ball's
 * (momentum's) best pair, lr = 4/(√λmax + √λmin)², μ = ((√κ − 1)/(√κ + 1))², shrinking it by
 * (√κ − 1)/(√κ + 1) per step (Polyak 1964).
 */
export function quadraticTheory(): { kappa: number; sgdLr: number; sgdRate: number; momentumLr: number; momentum: number; momentumRate: number } {
  const { min, max } = CURVATURE;
  const kappa = max / min;
  const r = Math.sqrt(kappa);
  return {
    kappa,
    sgdLr: 2 / (max + min),
    sgdRate: (kappa - 1) / (kappa + 1),
    momentumLr: 4 / (Math.sqrt(max) + Math.sqrt(min)) ** 2,
    momentum: ((r - 1) / (r + 1)) ** 2,
    momentumRate: (r - 1) / (r + 1),
  };
}

/** The heavy ball at its theoretical best settings, as an OptimizerSpec. */
export function tunedMomentumSpec(): OptimizerSpec {
  const t = quadraticTheory();
  return { name: 'Momentum*', settings: `lr ${t.momentumLr.toFixed(2)}, μ ${t.momentum.toFixed(2)}`, make: (p) => new SGD(p, { lr: t.momentumLr, momentum: t.momentum }) };
}

export interface RavineExplanation {
  theory: ReturnType<typeof quadraticTheory>;
  /** Each rule at its best grid learning rate. */
  tuned: Tuned[];
  /** Momentum at Polyak's settings. */
  heavyBall: Trajectory;
  heavyBallSettledAt: number;
  /** The rule that settles first with the textbook settings, and with tuned ones (heavy ball included). */
  textbookWinner: string;
  tunedWinner: string;
  lines: string[];
}

/** Why the table comes out as it does, in the lectures' terms, with the numbers computed here. */
export function explainRavine(trajectories: Trajectory[], steps: number): RavineExplanation {
  const theory = quadraticTheory();
  const first = <T extends { settledAt: number }>(xs: T[]): T => xs.filter((x) => x.settledAt >= 0).sort((a, b) => a.settledAt - b.settledAt)[0] ?? xs[0];
  const textbook = trajectories.map((t) => ({ name: t.optimizer, settings: t.settings, settledAt: settledAt(t) }));
  const textbookWinner = first(textbook);
  const sgd = textbook.find((t) => t.name === 'SGD');
  const tuned = tuneLearningRates(
    trajectories.map((t) => t.optimizer),
    steps,
    Object.fromEntries(trajectories.map((t) => [t.optimizer, settingLr(t.settings)])),
  );
  const spec = tunedMomentumSpec();
  const heavyBall = trajectory(spec, steps);
  const heavyBallSettledAt = settledAt(heavyBall);
  const tunedWinner = first([...tuned.map((t) => ({ name: t.optimizer, settledAt: t.settledAt })), { name: spec.name, settledAt: heavyBallSettledAt }]);
  const adam = trajectories.find((t) => t.optimizer === 'Adam');
  const adamLr = adam ? settingLr(adam.settings) : NaN;
  const settled = (s: number) => (s >= 0 ? `from step ${s}` : 'never');
  const lines = [
    `Why the table comes out this way: the ravine curves ${CURVATURE.min} along x and ${CURVATURE.max} across y (condition number κ = ${theory.kappa}).`,
    `  With the settings above, ${textbookWinner.name} (${textbookWinner.settings}) stays below f = ${REACHED} first, ${settled(textbookWinner.settledAt)}${sgd ? `; SGD ${settled(sgd.settledAt)}` : ''}.`,
    `  SGD's lr 0.95 is not a textbook default but plain gradient descent's best fixed step on this quadratic, 2/(λmax + λmin) = ${theory.sgdLr.toFixed(3)}: ` +
      `it shrinks the distance to the minimum by (κ − 1)/(κ + 1) = ${theory.sgdRate.toFixed(3)} every step. The other rules run at common textbook rates, so that race is not fair.`,
    `  A fair race, each rule at its best of ${LR_GRID.length} learning rates from 0.01 to 10 and its own rate above, for this surface (μ 0.9 kept): ` +
      tuned.map((t) => `${t.optimizer} lr ${t.lr.toPrecision(3)} ${settled(t.settledAt)}`).join(', ') + '.',
    `  Momentum at its best settings for a quadratic (Polyak's heavy ball: lr = 4/(√λmax + √λmin)² = ${theory.momentumLr.toFixed(2)}, μ = ((√κ − 1)/(√κ + 1))² = ${theory.momentum.toFixed(2)}) ` +
      `stays below f = ${REACHED} ${settled(heavyBallSettledAt)}: it shrinks the distance by (√κ − 1)/(√κ + 1) = ${theory.momentumRate.toFixed(3)} per step against SGD's ${theory.sgdRate.toFixed(3)}, ` +
      'because the velocity builds up along the shallow x direction while the steps across the steep y direction cancel out.',
    '  Adagrad, RMSProp and Adam divide each coordinate\'s step by the size of its own recent gradients, which undoes the 20:1 difference in curvature: ' +
      'they step about as far along x as across y.' +
      (adam ? ` Adam's step is about lr whatever the gradient's size, so at lr ${adamLr} the ${Math.abs(adam.points[0][0])} units along x take at least ${Math.ceil(Math.abs(adam.points[0][0]) / adamLr)} steps, and its momentum then overshoots.` : ''),
    `  Fastest when every rule is tuned: ${tunedWinner.name}, ${settled(tunedWinner.settledAt)}.` +
      (['Adagrad', 'RMSProp', 'Adam'].includes(tunedWinner.name)
        ? ' This ravine\'s axes are the coordinates, and per-coordinate scaling is exactly the right correction for such a surface: rotate the ravine and that advantage goes.'
        : ''),
  ];
  return { theory, tuned, heavyBall, heavyBallSettledAt, textbookWinner: textbookWinner.name, tunedWinner: tunedWinner.name, lines };
}
