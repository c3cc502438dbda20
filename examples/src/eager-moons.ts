/**
 * micrograd's demo, eagerly: a 2-16-16-1 MLP (ReLU hidden layers, linear output) written as scalar
 * code over Values, trained on two interleaved half moons with micrograd's max-margin loss
 * mean(relu(1 − y·score)) + 1e-4·Σp², by SGD with micrograd's schedule lr = 1 − 0.9·k/steps. The
 * network is rebuilt by running the code every step, as in micrograd; every derivative comes from
 * the gates the graph runs.
 */
import 'reflect-metadata';
import { Random } from '@chainrule/core';
import { constant, value, Value, zeroGrad } from '@chainrule/eager';
import { accuracy, SGD } from '@chainrule/optim';
import { ExampleOptions, loggerFor, percent } from './common';

export interface MoonsOptions extends ExampleOptions {
  points?: number;
  steps?: number;
  /** Print every this many steps (default 10). */
  every?: number;
}

export interface MoonsResult {
  losses: number[];
  accuracies: number[];
  /** Scalar nodes one step records. */
  nodesPerStep: number;
  parameters: number;
}

/** sklearn's make_moons: two interleaved half circles with Gaussian noise; labels ±1. */
export function makeMoons(points: number, noise: number, rng: Random): { x: number[][]; y: number[] } {
  const x: number[][] = [];
  const y: number[] = [];
  const outer = Math.ceil(points / 2);
  for (let i = 0; i < points; i++) {
    const upper = i < outer;
    const n = upper ? outer : points - outer;
    const t = (Math.PI * (upper ? i : i - outer)) / Math.max(1, n - 1);
    const px = upper ? Math.cos(t) : 1 - Math.cos(t);
    const py = upper ? Math.sin(t) : 0.5 - Math.sin(t);
    x.push([px + noise * rng.normal(), py + noise * rng.normal()]);
    y.push(upper ? -1 : 1);
  }
  return { x, y };
}

/** micrograd's MLP: weights uniform in [−1, 1], biases 0; a layer is a list of neurons, a neuron its weights then its bias. */
class ScalarMLP {
  readonly layers: Value[][][];

  constructor(sizes: readonly number[], rng: Random) {
    this.layers = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const layer: Value[][] = [];
      for (let o = 0; o < sizes[l + 1]; o++) {
        const neuron: Value[] = [];
        for (let i = 0; i < sizes[l]; i++) neuron.push(value(rng.uniform(-1, 1)));
        neuron.push(value(0));
        layer.push(neuron);
      }
      this.layers.push(layer);
    }
  }

  parameters(): Value[] {
    return this.layers.flat(2);
  }

  forward(x: readonly Value[]): Value {
    let act: readonly Value[] = x;
    this.layers.forEach((layer, l) => {
      const last = l === this.layers.length - 1;
      act = layer.map((neuron) => {
        let s = neuron[act.length]; // the bias
        for (let i = 0; i < act.length; i++) s = s.add(neuron[i].mul(act[i]));
        return last ? s : s.relu();
      });
    });
    return act[0];
  }
}

export function runEagerMoons(options: MoonsOptions = {}): MoonsResult {
  const log = loggerFor(options);
  const points = options.points ?? 100;
  const steps = options.steps ?? 100;
  const every = options.every ?? 10;
  const rng = new Random(options.seed ?? 1337);
  const data = makeMoons(points, 0.1, rng);
  const xs = data.x.map((row) => row.map((v) => constant(v)));
  const model = new ScalarMLP([2, 16, 16, 1], rng);
  const params = model.parameters();
  const opt = new SGD(params, { lr: 1 });
  const result: MoonsResult = { losses: [], accuracies: [], nodesPerStep: 0, parameters: params.length };
  log(`micrograd's moons demo, eagerly: ${points} points, a 2-16-16-1 MLP (${params.length} parameters), ${steps} SGD steps`);
  const predicted = new Int8Array(points); // the class each point is given, ±1 as the labels
  for (let k = 0; k < steps; k++) {
    zeroGrad(params);
    let dataLoss: Value | undefined;
    for (let i = 0; i < points; i++) {
      const score = model.forward(xs[i]);
      predicted[i] = score.item() > 0 ? 1 : -1;
      const margin = score.mul(-data.y[i]).add(1).relu();
      dataLoss = dataLoss === undefined ? margin : dataLoss.add(margin);
    }
    let reg = params[0].mul(params[0]);
    for (let j = 1; j < params.length; j++) reg = reg.add(params[j].mul(params[j]));
    const loss = (dataLoss as Value).div(points).add(reg.mul(1e-4));
    if (k === 0) result.nodesPerStep = loss.tape!.length;
    loss.backward();
    opt.lr = 1 - (0.9 * k) / steps;
    opt.step();
    result.losses.push(loss.item());
    const right = accuracy(predicted, data.y);
    result.accuracies.push(right);
    if (k % every === 0 || k === steps - 1) log(`step ${String(k).padStart(3)}  loss ${loss.item().toFixed(4)}  accuracy ${percent(right)}`);
  }
  log(`${result.nodesPerStep.toLocaleString('en-US')} tape entries recorded per step (scalar nodes, leaves and constants), rebuilt every step`);
  return result;
}

if (require.main === module) runEagerMoons();
