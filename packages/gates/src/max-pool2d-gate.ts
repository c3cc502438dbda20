import { GATE_OPTIONS, GateDescription, Tensor } from '@chainrule/core';
import { inject, injectable, optional } from 'inversify';
import { Pool2DGate, Pool2DOptions } from './pool2d-gate';
import { Window } from './window';

/** MaxPool2DGate's options: kernel (required), stride (default: the kernel), padding (default 0). */
export type MaxPool2DOptions = Pool2DOptions;

/**
 * Max pooling, NCHW: y[n,c,i,j] = max over the kh×kw window at (i·sh − ph, j·sw − pw) of x[n,c,·,·]
 * (padding never wins: it is −∞). Backward routes each dout[n,c,i,j] to the input element that
 * won its window (the arg-max kept by forward) and adds where windows overlap; every other input
 * gets zero. Ties go to the FIRST maximum in row-major window order (top row first, then left to
 * right), as PyTorch does, so the gradient is a subgradient at ties, never split. A NaN in a
 * window wins it (the first NaN), as in PyTorch, so NaN propagates instead of being passed over.
 */
@injectable()
export class MaxPool2DGate extends Pool2DGate {
  static readonly description: GateDescription = {
    trace: {
      pattern: 'max pooling routes to each window’s maximum',
      expression: (c) => `maxpool(${c.inputs[0]})`,
      local: (_j, c) => ({ formula: `1 at each window’s first maximum of ${c.inputs[0]}, else 0 (summed where windows overlap)` }),
    },
  };
  /** For each output element, the flat index into x of its window's maximum. */
  private argmax = new Int32Array(0);

  constructor(@inject(GATE_OPTIONS) @optional() options: MaxPool2DOptions = {}) {
    super('MaxPool2DGate', options);
  }

  protected pool(x: Tensor, win: Window, out: Tensor): void {
    const [n, c, h, w] = x.shape;
    const [, , oh, ow] = out.shape;
    if (this.argmax.length !== out.size) this.argmax = new Int32Array(out.size);
    const arg = this.argmax;
    const xd = x.data;
    const o = out.data;
    let k = 0;
    for (let plane = 0; plane < n * c; plane++) {
      const base = plane * h * w;
      for (let i = 0; i < oh; i++) {
        const y0 = i * win.sh - win.ph;
        const yStart = Math.max(0, y0);
        const yEnd = Math.min(h, y0 + win.kh);
        for (let j = 0; j < ow; j++, k++) {
          const x0 = j * win.sw - win.pw;
          const xStart = Math.max(0, x0);
          const xEnd = Math.min(w, x0 + win.kw);
          let best = base + yStart * w + xStart;
          let bestValue = xd[best];
          for (let yy = yStart; yy < yEnd; yy++) {
            for (let xx = xStart, idx = base + yy * w + xStart; xx < xEnd; xx++, idx++) {
              // strictly greater: the first maximum wins a tie; the first NaN wins over every number
              const v = xd[idx];
              if (v > bestValue || (v !== v && bestValue === bestValue)) {
                bestValue = v;
                best = idx;
              }
            }
          }
          o[k] = bestValue;
          arg[k] = best;
        }
      }
    }
  }

  protected unpool(dout: Tensor, _win: Window, dx: Tensor): void {
    const g = dx.data;
    const d = dout.data;
    const arg = this.argmax;
    for (let k = 0; k < d.length; k++) g[arg[k]] += d[k];
  }
}
