import { expectDout, expectInputs, formatShape, Gate, GATE_OPTIONS, normalizeAxis, readOptions, ShapeError, Tensor } from '@chainrule/core';
import { inject, injectable, optional } from 'inversify';

export interface SoftmaxOptions {
  /** The axis that sums to 1 (default −1, the last: one distribution per row of scores [N, C]). */
  axis?: number;
}

/**
 * softmax(x)ⱼ = e^(xⱼ − m) / Σₖ e^(xₖ − m) along the last axis (option `axis`), with m the row's
 * maximum, so no exponential overflows (finite for logits of any magnitude). Backward, with
 * y = softmax(x) cached from forward: dxⱼ = yⱼ · (doutⱼ − Σₖ doutₖ yₖ), the Jacobian-vector
 * product without the Jacobian.
 */
@injectable()
export class SoftmaxGate implements Gate {
  axis = -1;
  private input: Tensor | undefined;
  private output: Tensor | undefined;
  private dx: Tensor | undefined;
  private readonly grads: Tensor[] = [];
  private plan: AxisPlan = { outer: 0, len: 0, inner: 0 };

  constructor(@inject(GATE_OPTIONS) @optional() options: SoftmaxOptions = {}) {
    this.axis = readOptions<SoftmaxOptions>(this.constructor.name, options, { axis: 'integer' }).axis ?? -1;
  }

  forward(...inputs: Tensor[]): Tensor {
    const name = this.constructor.name;
    expectInputs(name, inputs, 1);
    const x = inputs[0];
    const plan = (this.plan = axisPlan(name, x.shape, this.axis));
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
        for (let a = 0; a < len; a++) {
          const e = Math.exp(xd[base + a * inner] - m);
          od[base + a * inner] = e;
          s += e;
        }
        const r = 1 / s;
        for (let a = 0; a < len; a++) od[base + a * inner] *= r;
      }
    }
    return out;
  }

  backward(dout: Tensor): Tensor[] {
    const name = this.constructor.name;
    const x = this.input;
    expectDout(name, x, dout, this.output?.shape);
    const y = (this.output as Tensor).data;
    const dx = (this.dx = Tensor.reuse(this.dx, x.shape, x.dtype));
    const g = dout.data;
    const d = dx.data;
    const { outer, len, inner } = this.plan;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * len * inner + i;
        let dot = 0;
        for (let a = 0; a < len; a++) dot += g[base + a * inner] * y[base + a * inner];
        for (let a = 0; a < len; a++) {
          const j = base + a * inner;
          d[j] = y[j] * (g[j] - dot);
        }
      }
    }
    this.grads[0] = dx;
    return this.grads;
  }
}

/** x viewed as [outer, len, inner] around the softmax axis. */
export interface AxisPlan {
  outer: number;
  len: number;
  inner: number;
}

/** The [outer, len, inner] view of `shape` around `axis`; ShapeError for a scalar or an axis out of range. */
export function axisPlan(gate: string, shape: readonly number[], axis: number): AxisPlan {
  if (shape.length === 0) throw new ShapeError(`${gate}.forward: expected an input of rank ≥ 1 (scores along an axis), got shape ${formatShape(shape)}`);
  const a = normalizeAxis(axis, shape.length, `${gate}.forward (input shape ${formatShape(shape)})`);
  let outer = 1;
  for (let i = 0; i < a; i++) outer *= shape[i];
  let inner = 1;
  for (let i = a + 1; i < shape.length; i++) inner *= shape[i];
  return { outer, len: shape[a], inner };
}
