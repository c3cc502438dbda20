import { ArityError, assertTensor, BackwardBeforeForwardError, DType, expectDout, formatShape, Gate, GATE_OPTIONS, normalizeAxis, readOptions, resultDType, ShapeError, Tensor, GateDescription, axisIn, sameSize } from '@chainrule/core';
import { inject, injectable, optional } from 'inversify';
import { gradBuffer } from './grad-buffer';

export interface ConcatOptions {
  /** The axis to join along (negative counts from the end); default 0. */
  axis?: number;
}

/**
 * z = [x₀, x₁, …] joined along `axis` (numpy's `concatenate`); any number of inputs ≥ 1, equal in
 * every other axis. Backward splits dout: each input receives its own slice. The output is float64
 * when any input is; each gradient keeps its input's dtype.
 */
@injectable()
export class ConcatGate implements Gate {
  static readonly description: GateDescription<ConcatGate> = {
    arity: { min: 1 },
    shape: (inputs, g) => {
      const first = inputs[0];
      if (first.length === 0) throw new ShapeError('cannot concatenate scalars');
      const axis = axisIn(g.axis, first.length);
      const out = first.slice();
      out[axis] = 0;
      for (let t = 0; t < inputs.length; t++) {
        const x = inputs[t];
        if (x.length !== first.length) throw new ShapeError(`input ${t} has rank ${x.length}, input 0 has rank ${first.length}`);
        for (let i = 0; i < x.length; i++) if (i !== axis) out[i] = sameSize(out[i], x[i], `input ${t} differs from input 0 on axis ${i}`);
        const sum: number | null = out[axis];
        out[axis] = sum === null || x[axis] === null ? null : sum + (x[axis] as number);
      }
      return out;
    },
  };
  axis = 0;
  private inputs: Tensor[] = [];
  private output: Tensor | undefined;
  private grads: Tensor[] = [];
  private outer = 1;
  private inner = 1;
  private rowOut = 0;
  private lens: number[] = [];

  constructor(@inject(GATE_OPTIONS) @optional() options: ConcatOptions = {}) {
    this.axis = readOptions<ConcatOptions>('ConcatGate', options, { axis: 'integer' }).axis ?? 0;
  }

  forward(...inputs: Tensor[]): Tensor {
    if (inputs.length < 1) throw new ArityError('ConcatGate.forward: expected at least 1 input, got 0');
    for (let i = 0; i < inputs.length; i++) assertTensor(inputs[i], `ConcatGate.forward input ${i}`);
    const first = inputs[0];
    const shapes = () => inputs.map((t) => formatShape(t.shape)).join(', ');
    if (first.rank === 0) throw new ShapeError(`ConcatGate.forward: cannot concatenate scalars (shapes ${shapes()})`);
    const axis = normalizeAxis(this.axis, first.rank, `ConcatGate.forward (input shapes ${shapes()})`);
    let dtype: DType = first.dtype;
    let total = 0;
    this.lens.length = inputs.length;
    for (let t = 0; t < inputs.length; t++) {
      const x = inputs[t];
      const ok = x.rank === first.rank && x.shape.every((d, i) => i === axis || d === first.shape[i]);
      if (!ok) {
        throw new ShapeError(
          `ConcatGate.forward: input ${t} has shape ${formatShape(x.shape)}, expected rank ${first.rank} and every axis but ${axis} equal to input 0's ${formatShape(first.shape)} (shapes ${shapes()})`,
        );
      }
      this.lens[t] = x.shape[axis];
      total += x.shape[axis];
      dtype = resultDType(dtype, x.dtype);
    }
    let outer = 1;
    for (let i = 0; i < axis; i++) outer *= first.shape[i];
    let inner = 1;
    for (let i = axis + 1; i < first.rank; i++) inner *= first.shape[i];
    this.outer = outer;
    this.inner = inner;
    const outShape = first.shape.slice();
    outShape[axis] = total;
    const out = (this.output = Tensor.reuse(this.output, outShape, dtype));
    this.inputs.length = inputs.length;
    const od = out.data;
    const rowOut = (this.rowOut = total * inner);
    let offset = 0;
    for (let t = 0; t < inputs.length; t++) {
      this.inputs[t] = inputs[t];
      const xd = inputs[t].data;
      const chunk = this.lens[t] * inner;
      for (let o = 0; o < outer; o++) {
        const src = o * chunk;
        const dst = o * rowOut + offset;
        for (let i = 0; i < chunk; i++) od[dst + i] = xd[src + i];
      }
      offset += chunk;
    }
    return out;
  }

  backward(dout: Tensor): Tensor[] {
    if (this.inputs.length === 0) throw new BackwardBeforeForwardError('ConcatGate.backward: called before forward (nothing cached to differentiate)');
    expectDout('ConcatGate', this.output, dout, this.output?.shape);
    const { outer, inner, inputs } = this;
    const g = dout.data;
    const rowOut = this.rowOut;
    this.grads.length = inputs.length;
    let offset = 0;
    for (let t = 0; t < inputs.length; t++) {
      const x = inputs[t];
      const dx = gradBuffer(this.grads, t, x);
      const d = dx.data;
      const chunk = this.lens[t] * inner;
      for (let o = 0; o < outer; o++) {
        const src = o * rowOut + offset;
        const dst = o * chunk;
        for (let i = 0; i < chunk; i++) d[dst + i] = g[src + i];
      }
      offset += chunk;
    }
    return this.grads;
  }
}
