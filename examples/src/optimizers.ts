import 'reflect-metadata';
import { join } from 'path';
import { ComputationalGraph, GraphNode, Tensor } from '@chainrule/core';
import { AddGate, createGatesContainer, PowGate, ScaleGate } from '@chainrule/gates';
import { Adagrad, Adam, RMSProp, SGD } from '@chainrule/optim';
import { ExampleOptions, loggerFor, outDirFor, pad } from './common';
import { Stepper } from './network';
import { explainRavine, RavineExplanation } from './ravine-tuning';
import { contourLines, linspace, round, Row, savePlot, Spec, withDefaults } from './plot';

/**
 * Six update rules from one start on a ravine, f(x, y) = x²/20 + y²: steep across (y), shallow
 * along (x). The surface is a graph of gates (x² · 1/20 + y²) with x and y as parameters, so every
 * step is forward, backward and optimizer.step(), exactly as in training a network.
 */

export const START: readonly [number, number] = [-7, 2];
/** Where an optimizer counts as having reached the minimum (0, 0): f below this. */
export const REACHED = 1e-3;

/** The surface as a plain function, for the contour lines. */
export function surface(x: number, y: number): number {
  return (x * x) / 20 + y * y;
}

export interface OptimizerSpec {
  name: string;
  settings: string;
  make(params: GraphNode[]): Stepper;
}

/** The rules compared, with learning rates suited to this surface (those of the classic textbook comparison). */
export const OPTIMIZERS: readonly OptimizerSpec[] = [
  { name: 'SGD', settings: 'lr 0.95', make: (p) => new SGD(p, { lr: 0.95 }) },
  { name: 'Momentum', settings: 'lr 0.1, μ 0.9', make: (p) => new SGD(p, { lr: 0.1, momentum: 0.9 }) },
  { name: 'Nesterov', settings: 'lr 0.1, μ 0.9', make: (p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true }) },
  { name: 'Adagrad', settings: 'lr 1.5', make: (p) => new Adagrad(p, { lr: 1.5 }) },
  { name: 'RMSProp', settings: 'lr 0.1', make: (p) => new RMSProp(p, { lr: 0.1 }) },
  { name: 'Adam', settings: 'lr 0.3', make: (p) => new Adam(p, { lr: 0.3 }) },
];

/** The ravine as a graph of gates: f = ScaleGate(1/20)(PowGate(x)) + PowGate(y). */
export function surfaceGraph(start: readonly [number, number] = START): { graph: ComputationalGraph; x: GraphNode; y: GraphNode } {
  const graph = new ComputationalGraph(createGatesContainer());
  const x = graph.parameter('x', Tensor.from(start[0]));
  const y = graph.parameter('y', Tensor.from(start[1]));
  const x2 = graph.gate(PowGate, [x], { name: 'x²', options: { p: 2 } });
  const x2s = graph.gate(ScaleGate, [x2], { name: 'x²/20', options: { a: 1 / 20 } });
  const y2 = graph.gate(PowGate, [y], { name: 'y²', options: { p: 2 } });
  graph.gate(AddGate, [x2s, y2], { name: 'f' });
  return { graph, x, y };
}

export interface Trajectory {
  optimizer: string;
  settings: string;
  /** Points visited, from the start: steps + 1 of them. */
  points: [number, number][];
  /** f at each point. */
  losses: number[];
  /** The first step after which f < REACHED, or -1 if it never got there. */
  reachedAt: number;
  final: [number, number];
  finalLoss: number;
}

export interface OptimizersResult {
  steps: number;
  trajectories: Trajectory[];
  /** Why the race comes out as it does, and the race at tuned learning rates. */
  explanation: RavineExplanation;
  plots: string[];
}

export interface OptimizersOptions extends ExampleOptions {
  steps?: number;
}

/** Runs one optimizer for `steps` steps from START through the gate graph. */
export function trajectory(spec: OptimizerSpec, steps: number): Trajectory {
  const { graph, x, y } = surfaceGraph();
  const optimizer = spec.make(graph.parameters());
  const points: [number, number][] = [];
  const losses: number[] = [];
  let reachedAt = -1;
  for (let t = 0; ; t++) {
    const loss = graph.forward().item();
    points.push([(x.value as Tensor).item(), (y.value as Tensor).item()]);
    losses.push(loss);
    if (reachedAt < 0 && loss < REACHED) reachedAt = t;
    if (t === steps) break;
    graph.backward();
    optimizer.step();
  }
  return {
    optimizer: spec.name,
    settings: spec.settings,
    points,
    losses,
    reachedAt,
    final: points[points.length - 1],
    finalLoss: losses[losses.length - 1],
  };
}

export async function runOptimizers(options: OptimizersOptions = {}): Promise<OptimizersResult> {
  const log = loggerFor(options);
  const outDir = outDirFor('optimizers', options);
  const steps = options.steps ?? 100;
  log(`Six optimizers on the ravine f(x, y) = x²/20 + y² from (${START.join(', ')}), ${steps} steps each`);
  log('(every step: graph.forward(), graph.backward(), optimizer.step() on the parameters x and y)');
  const trajectories = OPTIMIZERS.map((spec) => trajectory(spec, steps));
  log('');
  log(`${pad('optimizer', 10)} ${pad('settings', 15)} ${pad('final (x, y)', 22)} ${pad('final f', 10)} reached f < ${REACHED} at step`);
  for (const t of trajectories) {
    log(
      `${pad(t.optimizer, 10)} ${pad(t.settings, 15)} ${pad(`(${t.final[0].toFixed(4)}, ${t.final[1].toFixed(4)})`, 22)} ${pad(t.finalLoss.toExponential(2), 10)} ${t.reachedAt >= 0 ? t.reachedAt : 'not reached'}`,
    );
  }
  const explanation = explainRavine(trajectories, steps);
  log('');
  for (const line of explanation.lines) log(line);
  const plots = [
    await savePlot(join(outDir, 'trajectories.svg'), trajectoriesSpec(trajectories)),
    await savePlot(join(outDir, 'loss-per-step.svg'), lossSpec(trajectories)),
  ];
  log('');
  for (const p of plots) log(`wrote ${p}`);
  return { steps, trajectories, explanation, plots };
}

const ORDER = OPTIMIZERS.map((o) => o.name);

/** Trajectories over the contour lines of the surface. */
export function trajectoriesSpec(trajectories: Trajectory[]): Spec {
  const xs = linspace(-8, 8, 81);
  const ys = linspace(-3, 3, 61);
  const levels = [0.01, 0.05, 0.2, 0.5, 1, 2, 3, 4.5, 6];
  const contours = contourLines(surface, xs, ys, levels);
  const pathRows: Row[] = [];
  for (const t of trajectories) {
    t.points.forEach(([x, y], i) => {
      // Points stay in the frame (a wild first step of a rule would otherwise stretch the axes).
      pathRows.push({ optimizer: t.optimizer, step: i, x: round(clamp(x, -8, 8)), y: round(clamp(y, -3, 3)) });
    });
  }
  const xScale = { domain: [-8, 8], nice: false };
  const yScale = { domain: [-3, 3], nice: false };
  return withDefaults({
    title: { text: 'Optimizers on the ravine f(x, y) = x²/20 + y²', subtitle: `from (${START.join(', ')}); grey lines are contours of f; minimum at (0, 0)` },
    width: 560,
    height: 240,
    layer: [
      {
        data: { values: contours },
        mark: { type: 'line', strokeWidth: 0.8, color: '#bbb' },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: xScale, title: 'x' },
          y: { field: 'y', type: 'quantitative', scale: yScale, title: 'y' },
          detail: { field: 'line', type: 'nominal' },
          order: { field: 'i', type: 'quantitative' },
        },
      },
      {
        data: { values: pathRows },
        mark: { type: 'line', strokeWidth: 1.8, clip: true },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: xScale },
          y: { field: 'y', type: 'quantitative', scale: yScale },
          color: { field: 'optimizer', type: 'nominal', title: 'optimizer', sort: ORDER, scale: { domain: ORDER } },
          order: { field: 'step', type: 'quantitative' },
        },
      },
      {
        data: { values: [{ x: 0, y: 0, label: 'minimum' }, { x: START[0], y: START[1], label: 'start' }] },
        mark: { type: 'point', shape: 'cross', size: 120, color: 'black', strokeWidth: 2 },
        encoding: { x: { field: 'x', type: 'quantitative', scale: xScale }, y: { field: 'y', type: 'quantitative', scale: yScale } },
      },
    ],
  });
}

/** f per step, log scale. */
export function lossSpec(trajectories: Trajectory[]): Spec {
  const rows: Row[] = [];
  for (const t of trajectories) t.losses.forEach((loss, step) => rows.push({ optimizer: t.optimizer, step, loss: Math.max(loss, 1e-12) }));
  return withDefaults({
    title: { text: 'Loss per step', subtitle: `f(x, y) = x²/20 + y²; dashed line: f = ${REACHED} (reached)` },
    width: 480,
    height: 260,
    layer: [
      {
        data: { values: rows },
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          x: { field: 'step', type: 'quantitative', title: 'step' },
          y: { field: 'loss', type: 'quantitative', title: 'f(x, y) (log scale)', scale: { type: 'log' }, axis: { format: '.0e' } },
          color: { field: 'optimizer', type: 'nominal', title: 'optimizer', sort: ORDER, scale: { domain: ORDER } },
        },
      },
      {
        data: { values: [{ loss: REACHED }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: '#666' },
        encoding: { y: { field: 'loss', type: 'quantitative' } },
      },
    ],
  });
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
