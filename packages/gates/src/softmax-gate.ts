import { GATE_OPTIONS, TypedArray } from '@chainrule/core';
import { inject, injectable, optional } from 'inversify';
import { AlongAxisGate, SoftmaxOptions } from './along-axis-gate';
import { softmaxRow } from './softmax-row';

export type { SoftmaxOptions } from './along-axis-gate';

/**
 * softmax(x)ⱼ = e^(xⱼ − m) / Σₖ e^(xₖ − m) along the last axis (option `axis`), with m the row's
 * maximum, so no exponential overflows (finite for finite logits of any magnitude; a NaN logit
 * makes the row NaN, a single +Infinity gives the one-hot limit: see softmaxRow). Backward, with
 * y = softmax(x) cached from forward: dxⱼ = yⱼ · (doutⱼ − Σₖ doutₖ yₖ), the Jacobian-vector
 * product without the Jacobian.
 */
@injectable()
export class SoftmaxGate extends AlongAxisGate {
  constructor(@inject(GATE_OPTIONS) @optional() options: SoftmaxOptions = {}) {
    super(options);
  }

  protected forwardLine(x: TypedArray, out: TypedArray, base: number, len: number, stride: number): void {
    softmaxRow(x, out, base, len, stride);
  }

  protected backwardLine(y: TypedArray, g: TypedArray, d: TypedArray, base: number, len: number, stride: number): void {
    const end = base + len * stride;
    let dot = 0;
    for (let j = base; j < end; j += stride) dot += g[j] * y[j];
    for (let j = base; j < end; j += stride) d[j] = y[j] * (g[j] - dot);
  }
}
