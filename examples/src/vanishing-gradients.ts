import 'reflect-metadata';
import { join } from 'path';
import { Random, Tensor } from '@chainrule/core';
import { formatHealthReport, healthReport as vizHealthReport } from '@chainrule/viz';
import { ExampleOptions, loggerFor, outDirFor, pad } from './common';
import { Activation, buildClassifier, Classifier, Init, norm, std } from './network';
import { Row, savePlot, Spec, withDefaults } from './plot';
import { explainNorms } from './vanishing-explanation';

/**
 * Why initialisation matters in a deep network: ten layers of `width` units, one forward and one
 * backward pass on a batch of random inputs with random labels, and the norm of dL/dW for every
 * layer. With N(0, 0.01²) weights the sigmoid (and tanh) network's gradient shrinks by orders of
 * magnitude on its way down to the first layer; Xavier (1/fan_in) and He (2/fan_in, for ReLU) keep
 * it at the same order in every layer.
 */

export interface VanishingOptions extends ExampleOptions {
  /** Weight layers (default 10). */
  depth?: number;
  width?: number;
  batch?: number;
  /** Print @chainrule/viz's health report of the naive sigmoid network (default true). */
  healthReport?: boolean;
}

export interface Configuration {
  activation: Activation;
  init: Init;
  label: string;
}

export interface ConfigurationResult extends Configuration {
  /** ‖dL/dW‖ for layers 1 .. depth (input side first). */
  gradNorms: number[];
  /** Standard deviation of each hidden layer's activations. */
  activationStd: number[];
  /** ‖dL/dW₁‖ / ‖dL/dW_depth‖. */
  firstOverLast: number;
  /**
   * Whether the first layer's gradient norm is within 100× of the last's and no layer's is below
   * 1e-6 (with N(0, 0.01²) tanh and ReLU keep the ratio but every gradient collapses with the activations).
   */
  healthy: boolean;
  /** Why not healthy, in words ('' when healthy). */
  diagnosis: string;
}

export interface VanishingResult {
  depth: number;
  width: number;
  results: ConfigurationResult[];
  /** What the norms mean, as printed. */
  explanation: string[];
  healthReport?: string;
  plots: string[];
}

const INIT_LABEL: Record<Init, string> = { naive: 'N(0, 0.01²)', xavier: 'Xavier', he: 'He' };

export const CONFIGURATIONS: readonly Configuration[] = (
  [
    ['sigmoid', 'naive'],
    ['sigmoid', 'xavier'],
    ['tanh', 'naive'],
    ['tanh', 'xavier'],
    ['relu', 'naive'],
    ['relu', 'he'],
  ] as [Activation, Init][]
).map(([activation, init]) => ({ activation, init, label: `${activation}, ${INIT_LABEL[init]}` }));

/** One forward and backward pass; returns the network, the per-layer gradient norms and activation spreads. */
export function measure(config: Configuration, depth: number, width: number, batch: number, seed: number): { net: Classifier; result: ConfigurationResult } {
  const net = buildClassifier({
    inputs: width,
    hidden: Array.from({ length: depth - 1 }, () => width),
    classes: 10,
    activation: config.activation,
    init: config.init,
    dtype: 'float64',
    seed,
  });
  const rng = new Random(seed + 1);
  const x = rng.randn([batch, width]);
  const labels = Tensor.zeros([batch]);
  for (let i = 0; i < batch; i++) labels.data[i] = rng.int(10);
  net.graph.forward({ x, labels });
  net.graph.backward();
  const gradNorms = net.layers.map((l) => norm(l.W.grad as Tensor));
  const activationStd = net.layers.filter((l) => l.out).map((l) => std(l.out?.value as Tensor));
  const firstOverLast = gradNorms[0] / gradNorms[gradNorms.length - 1];
  const smallest = Math.min(...gradNorms);
  const diagnosis =
    firstOverLast < 0.01
      ? 'vanishing towards the input'
      : firstOverLast > 100
        ? 'exploding towards the input'
        : smallest < 1e-6
          ? 'tiny everywhere: the activations collapse to 0'
          : '';
  return { net, result: { ...config, gradNorms, activationStd, firstOverLast, healthy: diagnosis === '', diagnosis } };
}

export async function runVanishingGradients(options: VanishingOptions = {}): Promise<VanishingResult> {
  const log = loggerFor(options);
  const outDir = outDirFor('vanishing-gradients', options);
  const depth = options.depth ?? 10;
  const width = options.width ?? 100;
  const batch = options.batch ?? 200;
  const seed = options.seed ?? 0;
  log(`A ${depth}-layer network (${width} units per layer), one backward pass on ${batch} random inputs; ‖dL/dW‖ per layer:`);
  log('');
  log(`${pad('activation, init', 22)} ${pad('layer 1', 10)} ${pad(`layer ${Math.ceil(depth / 2)}`, 10)} ${pad(`layer ${depth}`, 10)} ${pad('first/last', 10)}`);
  const results: ConfigurationResult[] = [];
  let naiveSigmoid: Classifier | undefined;
  for (const config of CONFIGURATIONS) {
    const { net, result } = measure(config, depth, width, batch, seed);
    if (config.activation === 'sigmoid' && config.init === 'naive') naiveSigmoid = net;
    results.push(result);
    const g = result.gradNorms;
    log(
      `${pad(config.label, 22)} ${pad(g[0].toExponential(2), 10)} ${pad(g[Math.ceil(depth / 2) - 1].toExponential(2), 10)} ${pad(g[depth - 1].toExponential(2), 10)} ${pad(result.firstOverLast.toExponential(2), 10)} ${result.healthy ? 'ok' : `<- ${result.diagnosis}`}`,
    );
  }
  log('');
  log('ok: the first layer\'s gradient is within 100× of the last\'s (every layer learns at a comparable rate) and none is below 1e-6');
  const explanation = explainNorms(results, depth, width);
  log('');
  for (const line of explanation) log(line);

  let healthReport: string | undefined;
  if (naiveSigmoid && options.healthReport !== false) {
    healthReport = formatHealthReport(vizHealthReport(naiveSigmoid.graph));
    log('');
    log('@chainrule/viz healthReport of the naive sigmoid network (after the same forward and backward):');
    log(healthReport);
  }

  const plots = [await savePlot(join(outDir, 'gradient-norms.svg'), gradientSpec(results, depth, width))];
  log('');
  for (const p of plots) log(`wrote ${p}`);
  return { depth, width, results, explanation, healthReport, plots };
}

export function gradientSpec(results: ConfigurationResult[], depth: number, width: number): Spec {
  const rows: Row[] = [];
  for (const r of results) {
    r.gradNorms.forEach((g, i) => rows.push({ layer: i + 1, norm: Math.max(g, 1e-300), activation: r.activation, init: r.init === 'naive' ? 'N(0, 0.01²)' : 'Xavier / He' }));
  }
  return withDefaults({
    title: {
      text: 'Gradient norm per layer',
      subtitle: `${depth} layers × ${width} units, one backward pass; solid: N(0, 0.01²) init, dashed: Xavier (sigmoid, tanh) / He (ReLU)`,
    },
    width: 460,
    height: 300,
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 2 },
    encoding: {
      x: { field: 'layer', type: 'quantitative', title: 'layer (1 = input side)', axis: { tickMinStep: 1 } },
      y: { field: 'norm', type: 'quantitative', title: '‖dL/dW‖ (log scale)', scale: { type: 'log' }, axis: { format: '.0e' } },
      color: { field: 'activation', type: 'nominal', title: 'activation', sort: ['sigmoid', 'tanh', 'relu'], scale: { domain: ['sigmoid', 'tanh', 'relu'] } },
      strokeDash: { field: 'init', type: 'nominal', title: 'initialisation', sort: ['N(0, 0.01²)', 'Xavier / He'] },
    },
  });
}
