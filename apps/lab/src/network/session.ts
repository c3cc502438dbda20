import { ComputationalGraph, GraphNode, Random, Tensor } from '@chainrule/core';
import { createGatesContainer, Linear, mlp, SoftmaxCrossEntropyGate } from '@chainrule/gates';
import { Adagrad, Adam, RMSProp, SGD } from '@chainrule/optim';
import { formatHealthReport, healthReport } from '@chainrule/viz';
import { Points } from './datasets';

export type Activation = 'relu' | 'tanh' | 'sigmoid';
export type OptimizerName = 'sgd' | 'momentum' | 'adam' | 'rmsprop' | 'adagrad';
export const ACTIVATIONS: readonly Activation[] = ['relu', 'tanh', 'sigmoid'];
export const OPTIMIZERS: readonly OptimizerName[] = ['adam', 'sgd', 'momentum', 'rmsprop', 'adagrad'];

/** What the user chooses in network mode. */
export interface NetworkSettings {
  /** Hidden layer widths, e.g. [16, 16]; [] is a linear softmax classifier. */
  hidden: number[];
  activation: Activation;
  optimizer: OptimizerName;
  lr: number;
  batchSize: number;
  seed: number;
}

export const DEFAULT_NETWORK: NetworkSettings = { hidden: [32, 32], activation: 'relu', optimizer: 'adam', lr: 0.01, batchSize: 64, seed: 1 };

const ACTIVATION_GATE: Record<Activation, string> = { relu: 'ReLUGate', tanh: 'TanhGate', sigmoid: 'SigmoidGate' };

/** One layer's parameters and their gradients from the last step, for the inspector. */
export interface LayerView {
  name: string;
  shape: number[];
  weight: number[];
  weightGrad: number[] | undefined;
  bias: number[];
  biasGrad: number[] | undefined;
}

/**
 * An MLP classifier on 2-D points trained one mini-batch at a time (the page's pause / step /
 * run): an `mlp()` of Linear layers with the chosen activation, a SoftmaxCrossEntropyGate loss, and
 * an optimizer from @chainrule/optim. The optim Trainer runs whole epochs; the page needs single
 * steps it can interleave with drawing, so the loop (sample a batch, forward, backward, step) is here.
 */
export class NetworkSession {
  readonly graph: ComputationalGraph;
  readonly layers: string[];
  private readonly scores: GraphNode;
  private readonly optimizer: { step(): void };
  private readonly rng: Random;
  private readonly batchX: Tensor;
  private readonly batchY: Tensor;
  private evalY: Tensor | undefined;
  steps = 0;
  lastLoss = NaN;

  constructor(
    readonly settings: NetworkSettings,
    readonly data: Points,
  ) {
    const g = (this.graph = new ComputationalGraph(createGatesContainer()));
    const x = g.input('x', { shape: [null, 2] });
    const y = g.input('y', { requiresGrad: false });
    const sizes = [2, ...settings.hidden, Math.max(2, data.classes)];
    this.scores = mlp(g, x, sizes, ACTIVATION_GATE[settings.activation], { seed: settings.seed, init: settings.activation === 'relu' ? 'he' : 'xavier' });
    g.gate(SoftmaxCrossEntropyGate, [this.scores, y], { name: 'loss' });
    this.layers = sizes.slice(1).map((_, i) => `fc${i + 1}`);
    const params = g.parameters();
    const lr = settings.lr;
    this.optimizer =
      settings.optimizer === 'adam'
        ? new Adam(params, { lr })
        : settings.optimizer === 'rmsprop'
          ? new RMSProp(params, { lr })
          : settings.optimizer === 'adagrad'
            ? new Adagrad(params, { lr })
            : new SGD(params, { lr, momentum: settings.optimizer === 'momentum' ? 0.9 : 0 });
    this.rng = new Random(settings.seed);
    const b = Math.max(1, Math.min(settings.batchSize, data.n));
    this.batchX = Tensor.zeros([b, 2]);
    this.batchY = Tensor.zeros([b]);
  }

  /** Trains on `count` mini-batches drawn at random (with replacement across batches); returns the last batch's loss. */
  train(count = 1): number {
    if (this.data.n === 0) return NaN;
    const bx = this.batchX.data;
    const by = this.batchY.data;
    const feeds = [this.batchX, this.batchY];
    for (let s = 0; s < count; s++) {
      for (let i = 0; i < by.length; i++) {
        const j = Math.floor(this.rng.next() * this.data.n);
        bx[2 * i] = this.data.x[2 * j];
        bx[2 * i + 1] = this.data.x[2 * j + 1];
        by[i] = this.data.y[j];
      }
      this.lastLoss = this.graph.forwardInputs(feeds).data[0];
      this.graph.backward();
      this.optimizer.step();
      this.steps++;
    }
    return this.lastLoss;
  }

  /** Predicted class of every row of `points` ([n, 2] row-major). */
  predict(points: Float64Array): Uint8Array {
    const n = points.length / 2;
    if (n === 0) return new Uint8Array(0);
    const x = Tensor.from(points, { shape: [n, 2] });
    this.evalY = this.evalY && this.evalY.size === n ? this.evalY : Tensor.zeros([n]);
    this.graph.forwardInputs([x, this.evalY]);
    const s = this.scores.value as Tensor;
    const c = s.shape[1];
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let k = 1; k < c; k++) if (s.data[i * c + k] > s.data[i * c + best]) best = k;
      out[i] = best;
    }
    return out;
  }

  /** Share of the training points classified right. */
  accuracy(): number {
    if (this.data.n === 0) return NaN;
    const predicted = this.predict(this.data.x);
    let right = 0;
    for (let i = 0; i < this.data.n; i++) if (predicted[i] === this.data.y[i]) right++;
    return right / this.data.n;
  }

  /** Predicted classes on a res × res grid over [-lim, lim]², row 0 at the top (x₂ = lim). */
  grid(res: number, lim = 1.1): Uint8Array {
    const pts = new Float64Array(res * res * 2);
    for (let r = 0; r < res; r++) {
      for (let c = 0; c < res; c++) {
        pts[(r * res + c) * 2] = -lim + ((c + 0.5) * 2 * lim) / res;
        pts[(r * res + c) * 2 + 1] = lim - ((r + 0.5) * 2 * lim) / res;
      }
    }
    return this.predict(pts);
  }

  /** viz's gradient-health report of one fresh training batch (forward and backward, no update). */
  health(): string {
    if (this.data.n === 0) return 'no data';
    this.graph.forwardInputs([this.batchX, this.batchY]);
    this.graph.backward();
    return formatHealthReport(healthReport(this.graph), { digits: 3 });
  }

  /** A layer's W [in, out] and b with the gradients of the last backward. */
  layer(name: string): LayerView {
    // A Linear layer expands into the graph as the group `name` (nodes `name/W`, `name/b`).
    const gate = this.graph.group(name).gate as Linear;
    const w = gate.weight;
    const b = gate.bias;
    const list = (t: Tensor | undefined) => (t === undefined ? undefined : Array.from(t.data));
    return {
      name,
      shape: [...(w.value as Tensor).shape],
      weight: list(w.value) as number[],
      weightGrad: list(w.grad),
      bias: list(b?.value) ?? [],
      biasGrad: list(b?.grad),
    };
  }
}
