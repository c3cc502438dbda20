import { expectDout, expectInputs, Gate, GATE_OPTIONS, normalizeAxis, readOptions, Tensor, GateDescription, axisIn } from '@chainrule/core';
import { inject, injectable, optional } from 'inversify';
import { gradBuffer } from './grad-buffer';

export interface ReduceOptions {
  /** The axis to reduce (negative counts from the end); default: every element. */
  axis?: number;
  /** Keep the reduced axis (every axis, without `axis`) with size 1, so the result broadcasts against the input. Default false. */
  keepDims?: boolean;
}

/**
 * z = Σ x, over every element (shape [], or all ones with keepDims) or along `axis` (dropping it,
 * or keeping it with size 1 under keepDims). Backward distributes: every input element receives
 * the dout of the sum it went into (dout broadcast back along the reduced axis).
 *
 * MeanGate extends this with a scale of 1/count in both directions.
 */
@injectable()
export class SumGate implements Gate {
  static readonly description: GateDescription<SumGate> = {
    arity: 1,
    shape: ([x], g) => {
      if (g.axis === undefined) return g.keepDims ? x.map(() => 1) : [];
      const a = axisIn(g.axis, x.length);
      return g.keepDims ? x.map((d, i) => (i === a ? 1 : d)) : x.filter((_, i) => i !== a);
    },
  };
  axis: number | undefined;
  keepDims = false;
  private input: Tensor | undefined;
  private output: Tensor | undefined;
  private readonly grads: Tensor[] = [];
  // x viewed as [outer, len, inner] with the reduced axis in the middle.
  private outer = 1;
  private len = 1;
  private inner = 1;

  constructor(@inject(GATE_OPTIONS) @optional() options: ReduceOptions = {}) {
    const o = readOptions<ReduceOptions>(this.constructor.name, options, { axis: 'integer', keepDims: 'boolean' });
    this.axis = o.axis;
    this.keepDims = o.keepDims ?? false;
  }

  /** 1 for a sum, 1/count for a mean. */
  protected scaleFor(count: number): number {
    void count;
    return 1;
  }

  forward(...inputs: Tensor[]): Tensor {
    const name = this.constructor.name;
    expectInputs(name, inputs, 1);
    const x = inputs[0];
    let outShape: number[];
    if (this.axis === undefined) {
      this.outer = 1;
      this.len = x.size;
      this.inner = 1;
      outShape = this.keepDims ? x.shape.map(() => 1) : [];
    } else {
      const axis = normalizeAxis(this.axis, x.rank, `${name}.forward (input shape [${x.shape.join(', ')}])`);
      this.outer = 1;
      for (let i = 0; i < axis; i++) this.outer *= x.shape[i];
      this.len = x.shape[axis];
      this.inner = 1;
      for (let i = axis + 1; i < x.rank; i++) this.inner *= x.shape[i];
      outShape = x.shape.slice();
      if (this.keepDims) outShape[axis] = 1;
      else outShape.splice(axis, 1);
    }
    const out = (this.output = Tensor.reuse(this.output, outShape, x.dtype));
    this.input = x;
    const { outer, len, inner } = this;
    const scale = this.scaleFor(len);
    const xd = x.data;
    const od = out.data;
    if (inner === 1) {
      for (let o = 0; o < outer; o++) {
        let s = 0;
        const base = o * len;
        for (let a = 0; a < len; a++) s += xd[base + a];
        od[o] = s * scale;
      }
    } else {
      od.fill(0);
      for (let o = 0; o < outer; o++) {
        const ob = o * inner;
        for (let a = 0; a < len; a++) {
          const xb = (o * len + a) * inner;
          for (let i = 0; i < inner; i++) od[ob + i] += xd[xb + i];
        }
      }
      if (scale !== 1) for (let i = 0; i < od.length; i++) od[i] *= scale;
    }
    return out;
  }

  backward(dout: Tensor): Tensor[] {
    const x = this.input;
    expectDout(this.constructor.name, x, dout, this.output?.shape);
    const dx = gradBuffer(this.grads, 0, x);
    const { outer, len, inner } = this;
    const scale = this.scaleFor(len);
    const g = dout.data;
    const d = dx.data;
    for (let o = 0; o < outer; o++) {
      const ob = o * inner;
      for (let a = 0; a < len; a++) {
        const xb = (o * len + a) * inner;
        for (let i = 0; i < inner; i++) d[xb + i] = g[ob + i] * scale;
      }
    }
    return this.grads;
  }
}
