import { GATE_OPTIONS, TypedArray } from '@chainrule/core';
import { inject, injectable, optional } from 'inversify';
import { AlongAxisGate, SoftmaxOptions } from './along-axis-gate';
import { softmaxRow } from './softmax-row';

/**
 * log softmax(x)ⱼ = (xⱼ − m) − log Σₖ e^(xₖ − m) along the last axis (option `axis`), with m the
 * row's maximum: finite for logits of any magnitude, and never log(0). Backward, with
 * y = log softmax(x) cached: dxⱼ = doutⱼ − e^(yⱼ) · Σₖ doutₖ.
 */
@injectable()
export class LogSoftmaxGate extends AlongAxisGate {
  constructor(@inject(GATE_OPTIONS) @optional() options: SoftmaxOptions = {}) {
    super(options);
  }

  /** The current line's log-sum-exp. */
  private readonly lse = new Float64Array(1);

  protected forwardLine(x: TypedArray, out: TypedArray, base: number, len: number, stride: number): void {
    // The row's softmax goes into out first; only its log-sum-exp is kept.
    softmaxRow(x, out, base, len, stride, this.lse, 0);
    const shift = this.lse[0];
    for (let j = base; j < base + len * stride; j += stride) out[j] = x[j] - shift;
  }

  protected backwardLine(y: TypedArray, g: TypedArray, d: TypedArray, base: number, len: number, stride: number): void {
    const end = base + len * stride;
    let s = 0;
    for (let j = base; j < end; j += stride) s += g[j];
    for (let j = base; j < end; j += stride) d[j] = g[j] - Math.exp(y[j]) * s;
  }
}
