import { GATE_OPTIONS, TypedArray } from '@chainrule/core';
import { inject, injectable, optional } from 'inversify';
import { AlongAxisGate, SoftmaxOptions } from './along-axis-gate';
import { shifted, softmaxRow } from './softmax-row';

/**
 * log softmax(x)ⱼ = (xⱼ − m) − log Σₖ e^(xₖ − m) along the last axis (option `axis`), with m the
 * row's maximum: never log(0), and finite for every finite row whose result is representable, i.e.
 * whose spread max − xⱼ stays below the dtype's largest number (1.8e308 in float64: [1e308, −1e308]
 * gives −Infinity for the second entry, the correctly rounded −2e308). Non-finite logits as softmax
 * (docs/gates.md). Backward, with y = log softmax(x) cached: dxⱼ = doutⱼ − e^(yⱼ) · Σₖ doutₖ.
 */
@injectable()
export class LogSoftmaxGate extends AlongAxisGate {
  constructor(@inject(GATE_OPTIONS) @optional() options: SoftmaxOptions = {}) {
    super(options);
  }

  /** The current line's maximum and log Σ (softmaxRow's stats). */
  private readonly stats = new Float64Array(2);

  protected forwardLine(x: TypedArray, out: TypedArray, base: number, len: number, stride: number): void {
    // The row's softmax goes into out first; only its maximum and log Σ are kept.
    softmaxRow(x, out, base, len, stride, this.stats, 0);
    const m = this.stats[0];
    const logSum = this.stats[1];
    for (let j = base; j < base + len * stride; j += stride) out[j] = shifted(x[j], m) - logSum;
  }

  protected backwardLine(y: TypedArray, g: TypedArray, d: TypedArray, base: number, len: number, stride: number): void {
    const end = base + len * stride;
    let s = 0;
    for (let j = base; j < end; j += stride) s += g[j];
    for (let j = base; j < end; j += stride) d[j] = g[j] - Math.exp(y[j]) * s;
  }
}
