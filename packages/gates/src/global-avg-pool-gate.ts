import { expectDout, expectInputs, Gate, GateDescription, Tensor } from '@chainrule/core';
import { injectable } from 'inversify';
import { expectNCHW, expectNCHWSpec } from './window';

/**
 * Global average pooling: [N, C, H, W] → [N, C], y[n,c] = (1 / (H·W)) Σ_{i,j} x[n,c,i,j] (the head
 * of a network without dense layers). Backward: dx[n,c,i,j] = dout[n,c] / (H·W).
 */
@injectable()
export class GlobalAvgPoolGate implements Gate {
  static readonly description: GateDescription = {
    arity: 1,
    shape: ([x]) => {
      expectNCHWSpec(x);
      return [x[0], x[1]];
    },
    trace: {
      pattern: 'global average distributes evenly over each channel',
      expression: (c) => `mean over H, W of ${c.inputs[0]}`,
      local: (_j, c) => {
        const x = c.values[0];
        return { formula: x !== undefined && x.rank === 4 ? `1/${x.shape[2] * x.shape[3]} (1/(H·W)) everywhere` : '1/(H·W) everywhere' };
      },
    },
  };
  private x: Tensor | undefined;
  private output: Tensor | undefined;
  private dx: Tensor | undefined;
  private readonly grads: Tensor[] = [];

  forward(...inputs: Tensor[]): Tensor {
    expectInputs('GlobalAvgPoolGate', inputs, 1);
    const x = inputs[0];
    expectNCHW('GlobalAvgPoolGate', x.shape);
    const [n, c, h, w] = x.shape;
    const area = h * w;
    const out = (this.output = Tensor.reuse(this.output, [n, c], x.dtype));
    const xd = x.data;
    for (let plane = 0; plane < n * c; plane++) {
      let s = 0;
      for (let q = plane * area, end = q + area; q < end; q++) s += xd[q];
      out.data[plane] = area === 0 ? 0 : s / area;
    }
    this.x = x;
    return out;
  }

  backward(dout: Tensor): Tensor[] {
    const x = this.x;
    expectDout('GlobalAvgPoolGate', x, dout, this.output?.shape);
    const area = x.shape[2] * x.shape[3];
    const dx = (this.dx = Tensor.reuse(this.dx, x.shape, x.dtype));
    for (let plane = 0; plane < dout.size; plane++) dx.data.fill(dout.data[plane] / area, plane * area, (plane + 1) * area);
    this.grads[0] = dx;
    return this.grads;
  }
}
