import { expectDout, expectInputs, Gate, GATE_OPTIONS, readOptions, Tensor } from '@chainrule/core';
import { inject, injectable, optional } from 'inversify';
import { AxisPlan, axisPlan, SoftmaxOptions } from './softmax-gate';

/**
 * log softmax(x)ⱼ = (xⱼ − m) − log Σₖ e^(xₖ − m) along the last axis (option `axis`), with m the
 * row's maximum: finite for logits of any magnitude, and never log(0). Backward, with
 * y = log softmax(x) cached: dxⱼ = doutⱼ − e^(yⱼ) · Σₖ doutₖ.
 */
@injectable()
export class LogSoftmaxGate implements Gate {
  axis = -1;
  private input: Tensor | undefined;
  private output: Tensor | undefined;
  private dx: Tensor | undefined;
  private readonly grads: Tensor[] = [];
  private plan: AxisPlan = { outer: 0, len: 0, inner: 0 };

  constructor(@inject(GATE_OPTIONS) @optional() options: SoftmaxOptions = {}) {
    this.axis = readOptions<SoftmaxOptions>('LogSoftmaxGate', options, { axis: 'integer' }).axis ?? -1;
  }

  forward(...inputs: Tensor[]): Tensor {
    expectInputs('LogSoftmaxGate', inputs, 1);
    const x = inputs[0];
    const plan = (this.plan = axisPlan('LogSoftmaxGate', x.shape, this.axis));
    const out = (this.output = Tensor.reuse(this.output, x.shape, x.dtype));
    this.input = x;
    const { outer, len, inner } = plan;
    const xd = x.data;
    const od = out.data;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * len * inner + i;
        let m = -Infinity;
        for (let a = 0; a < len; a++) {
          const v = xd[base + a * inner];
          if (v > m) m = v;
        }
        let s = 0;
        for (let a = 0; a < len; a++) s += Math.exp(xd[base + a * inner] - m);
        const shift = m + Math.log(s);
        for (let a = 0; a < len; a++) od[base + a * inner] = xd[base + a * inner] - shift;
      }
    }
    return out;
  }

  backward(dout: Tensor): Tensor[] {
    const x = this.input;
    expectDout('LogSoftmaxGate', x, dout, this.output?.shape);
    const y = (this.output as Tensor).data;
    const dx = (this.dx = Tensor.reuse(this.dx, x.shape, x.dtype));
    const g = dout.data;
    const d = dx.data;
    const { outer, len, inner } = this.plan;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * len * inner + i;
        let s = 0;
        for (let a = 0; a < len; a++) s += g[base + a * inner];
        for (let a = 0; a < len; a++) {
          const j = base + a * inner;
          d[j] = g[j] - Math.exp(y[j]) * s;
        }
      }
    }
    this.grads[0] = dx;
    return this.grads;
  }
}
