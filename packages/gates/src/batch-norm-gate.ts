import {
  ArityError,
  expectDout,
  formatShape,
  Gate,
  GATE_OPTIONS,
  GateContext,
  GateDescription,
  InvalidArgumentError,
  readOptions,
  ShapeError,
  Tensor,
  sameShapeRule,
} from '@chainrule/core';
import { inject, injectable, optional } from 'inversify';

export interface BatchNormOptions {
  /** Weight of the newest batch in the running averages (default 0.1, as PyTorch). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

/**
 * Batch normalisation over every axis but the channel axis 1: x [N, C] or [N, C, H, W], with
 * γ, β, running mean μ_r and running variance σ²_r, each [C], as the five inputs.
 *
 * Training (the default, and the graph's `train()` mode through the prepare hook): with μ, σ² the
 * channel's mean and biased variance over the M = N·H·W values of the batch,
 *   x̂ = (x − μ) / √(σ² + ε),  y = γ x̂ + β,
 * and forward updates the running statistics IN PLACE (they are state, not values the output
 * depends on): μ_r ← (1 − m) μ_r + m μ, σ²_r ← (1 − m) σ²_r + m σ² · M / (M − 1) (unbiased, as PyTorch).
 * Backward: dβ = Σ dout, dγ = Σ dout x̂, dx = γ / (M √(σ² + ε)) · (M dout − Σ dout − x̂ Σ dout x̂);
 * the running statistics get zero gradients (the output does not depend on them).
 *
 * Evaluation (`graph.eval()`): x̂ = (x − μ_r) / √(σ²_r + ε) with nothing updated; backward then also
 * gives the exact gradients of μ_r and σ²_r (dμ_r = −Σ dout γ / √(σ²_r + ε),
 * dσ²_r = −½ Σ dout γ (x − μ_r) (σ²_r + ε)^(−3/2)), so gradcheck holds in both modes.
 */
@injectable()
export class BatchNormGate implements Gate {
  static readonly description: GateDescription = {
    arity: 5,
    shape: sameShapeRule,
    trace: {
      pattern: 'batch norm normalises, scales and shifts per channel',
      expression: (c) => {
        const [x, gamma, beta] = c.inputs;
        return `${gamma} · (${x} − μ) / √(σ² + ε) + ${beta}`;
      },
      local: (j) =>
        [
          { formula: 'γ/√(σ² + ε), less the batch mean’s and variance’s share in training: γ/(M√(σ² + ε)) · (M − 1 − x̂²) on the diagonal' },
          { formula: 'x̂ = (x − μ)/√(σ² + ε)' },
          { formula: '1' },
          { formula: '0 in training (state the output does not read); −γ/√(σ²_r + ε) in evaluation' },
          { formula: '0 in training (state the output does not read); −½ γ (x − μ_r)(σ²_r + ε)^(−3/2) in evaluation' },
        ][j],
    },
  };
  readonly momentum: number;
  readonly eps: number;
  private training = true;
  private x: Tensor | undefined;
  private gamma: Tensor | undefined;
  private output: Tensor | undefined;
  /** x̂, kept for backward. */
  private xhat: Tensor | undefined;
  /** Per channel 1 / √(var + ε) of the statistics forward used. */
  private invStd = new Float64Array(0);
  private readonly grads: Tensor[] = [];
  private readonly gradBuffers: (Tensor | undefined)[] = [];
  private trainedForward = true;
  /** The five inputs of the last forward (backward returns a gradient of each one's shape and dtype). */
  private inputs: readonly Tensor[] = [];

  constructor(@inject(GATE_OPTIONS) @optional() options: BatchNormOptions = {}) {
    const o = readOptions<BatchNormOptions>('BatchNormGate', options, { momentum: 'number', eps: 'number' });
    if (o.momentum !== undefined && !(o.momentum >= 0 && o.momentum <= 1)) {
      throw new InvalidArgumentError(`BatchNormGate: option 'momentum' must be in [0, 1], got ${o.momentum}`);
    }
    if (o.eps !== undefined && !(o.eps > 0)) throw new InvalidArgumentError(`BatchNormGate: option 'eps' must be > 0, got ${o.eps}`);
    this.momentum = o.momentum ?? 0.1;
    this.eps = o.eps ?? 1e-5;
  }

  prepare(ctx: GateContext): void {
    this.training = ctx.training;
  }

  forward(...inputs: Tensor[]): Tensor {
    if (inputs.length !== 5) {
      throw new ArityError(`BatchNormGate.forward: expected 5 inputs (x, gamma, beta, runningMean, runningVar), got ${inputs.length}`);
    }
    const [x, gamma, beta, rMean, rVar] = inputs;
    const c = checkShapes(inputs);
    const n = x.shape[0];
    const area = x.size / Math.max(1, n * c);
    const count = n * area;
    if (this.training && count < 2) {
      throw new ShapeError(`BatchNormGate.forward: training needs more than one value per channel to estimate a variance, got x ${formatShape(x.shape)}`);
    }
    const out = (this.output = Tensor.reuse(this.output, x.shape, x.dtype));
    const xhat = (this.xhat = Tensor.reuse(this.xhat, x.shape, x.dtype));
    if (this.invStd.length !== c) this.invStd = new Float64Array(c);
    const xd = x.data;
    for (let ch = 0; ch < c; ch++) {
      let mean: number;
      let variance: number;
      if (this.training) {
        let s = 0;
        for (let ni = 0; ni < n; ni++) {
          const start = (ni * c + ch) * area;
          for (let q = start, end = start + area; q < end; q++) s += xd[q];
        }
        mean = s / count;
        let v = 0;
        for (let ni = 0; ni < n; ni++) {
          const start = (ni * c + ch) * area;
          for (let q = start, end = start + area; q < end; q++) v += (xd[q] - mean) * (xd[q] - mean);
        }
        variance = v / count;
        const m = this.momentum;
        rMean.data[ch] = (1 - m) * rMean.data[ch] + m * mean;
        rVar.data[ch] = (1 - m) * rVar.data[ch] + (m * v) / (count - 1);
      } else {
        mean = rMean.data[ch];
        variance = rVar.data[ch];
      }
      const inv = 1 / Math.sqrt(variance + this.eps);
      this.invStd[ch] = inv;
      const g = gamma.data[ch];
      const b = beta.data[ch];
      const h = xhat.data;
      const o = out.data;
      for (let ni = 0; ni < n; ni++) {
        const start = (ni * c + ch) * area;
        for (let q = start, end = start + area; q < end; q++) {
          h[q] = (xd[q] - mean) * inv;
          o[q] = g * h[q] + b;
        }
      }
    }
    this.trainedForward = this.training;
    this.x = x;
    this.gamma = gamma;
    this.inputs = inputs;
    return out;
  }

  backward(dout: Tensor): Tensor[] {
    const x = this.x;
    expectDout('BatchNormGate', x, dout, this.output?.shape);
    const gamma = this.gamma as Tensor;
    const ins = this.inputs;
    for (let i = 0; i < 5; i++) this.grads[i] = this.gradBuffers[i] = Tensor.reuse(this.gradBuffers[i], ins[i].shape, ins[i].dtype);
    const [dx, dgamma, dbeta, dMean, dVar] = this.grads;
    const c = gamma.size;
    const n = x.shape[0];
    const area = x.size / Math.max(1, n * c);
    const count = n * area;
    const d = dout.data;
    const h = (this.xhat as Tensor).data;
    const g = dx.data;
    for (let ch = 0; ch < c; ch++) {
      let sum = 0;
      let dot = 0;
      for (let ni = 0; ni < n; ni++) {
        const start = (ni * c + ch) * area;
        for (let q = start, end = start + area; q < end; q++) {
          sum += d[q];
          dot += d[q] * h[q];
        }
      }
      dbeta.data[ch] = sum;
      dgamma.data[ch] = dot;
      const inv = this.invStd[ch];
      const scale = gamma.data[ch] * inv;
      if (this.trainedForward) {
        const k = scale / count;
        for (let ni = 0; ni < n; ni++) {
          const start = (ni * c + ch) * area;
          for (let q = start, end = start + area; q < end; q++) g[q] = k * (count * d[q] - sum - h[q] * dot);
        }
        dMean.data[ch] = 0;
        dVar.data[ch] = 0;
      } else {
        for (let ni = 0; ni < n; ni++) {
          const start = (ni * c + ch) * area;
          for (let q = start, end = start + area; q < end; q++) g[q] = scale * d[q];
        }
        dMean.data[ch] = -scale * sum;
        // x − μ_r = x̂ / inv, so Σ dout γ (x − μ_r) (σ²_r + ε)^(−3/2) = γ inv² Σ dout x̂
        dVar.data[ch] = -0.5 * gamma.data[ch] * inv * inv * dot;
      }
    }
    return this.grads;
  }
}

/** Throws ShapeError unless x is [N, C, ...] and γ, β, μ_r, σ²_r are each [C]; returns C. */
function checkShapes(inputs: readonly Tensor[]): number {
  const names = ['x', 'gamma', 'beta', 'runningMean', 'runningVar'];
  inputs.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new InvalidArgumentError(`BatchNormGate.forward input ${i} (${names[i]}): expected a Tensor, got ${typeof t}`);
  });
  const x = inputs[0];
  if (x.rank < 2) throw new ShapeError(`BatchNormGate.forward: expected x as [N, C] or [N, C, H, W], got ${formatShape(x.shape)}`);
  const c = x.shape[1];
  for (let i = 1; i < 5; i++) {
    const t = inputs[i];
    if (t.rank !== 1 || t.shape[0] !== c) {
      throw new ShapeError(`BatchNormGate.forward: expected ${names[i]} as [${c}] (one per channel of x ${formatShape(x.shape)}), got ${formatShape(t.shape)}`);
    }
  }
  return c;
}
