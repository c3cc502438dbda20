import { GATE_OPTIONS, GateDescription, Tensor, TypedArray } from '@chainrule/core';
import { inject, injectable, optional } from 'inversify';
import { Pool2DGate, Pool2DOptions } from './pool2d-gate';
import { Window } from './window';

/** AvgPool2DGate's options: kernel (required), stride (default: the kernel), padding (default 0). */
export type AvgPool2DOptions = Pool2DOptions;

/**
 * Average pooling, NCHW: y[n,c,i,j] = (1 / (kh·kw)) Σ over the kh×kw window at (i·sh − ph, j·sw − pw)
 * of x[n,c,·,·], padding counting as zeros in the average (PyTorch's count_include_pad=True, so
 * every output divides by the same kh·kw). Backward spreads dout[n,c,i,j] / (kh·kw) over the
 * window's real input elements, adding where windows overlap.
 */
@injectable()
export class AvgPool2DGate extends Pool2DGate {
  static readonly description: GateDescription<AvgPool2DGate> = {
    trace: {
      pattern: 'average pooling distributes evenly over each window',
      expression: (c) => `avgpool(${c.inputs[0]})`,
      local: (_j, c) => ({ formula: `1/${c.gate.win.kh * c.gate.win.kw} over each ${c.gate.win.kh}×${c.gate.win.kw} window of ${c.inputs[0]} (summed where windows overlap)` }),
    },
  };

  constructor(@inject(GATE_OPTIONS) @optional() options: AvgPool2DOptions = {}) {
    super('AvgPool2DGate', options);
  }

  protected pool(x: Tensor, win: Window, out: Tensor): void {
    windows(x.shape, out.shape, win, x.data, out.data, true);
  }

  protected unpool(dout: Tensor, win: Window, dx: Tensor): void {
    windows(dx.shape, dout.shape, win, dx.data, dout.data, false);
  }
}

/**
 * Forward (`gather`): y[k] = Σ window / (kh·kw). Backward: every element of window k gets
 * y[k] / (kh·kw) added. One loop for both, since they visit the same elements.
 */
function windows(inShape: readonly number[], outShape: readonly number[], win: Window, x: TypedArray, y: TypedArray, gather: boolean): void {
  const [n, c, h, w] = inShape;
  const [, , oh, ow] = outShape;
  const scale = 1 / (win.kh * win.kw);
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
        if (gather) {
          let s = 0;
          for (let yy = yStart; yy < yEnd; yy++) for (let xx = xStart; xx < xEnd; xx++) s += x[base + yy * w + xx];
          y[k] = s * scale;
        } else {
          const v = y[k] * scale;
          for (let yy = yStart; yy < yEnd; yy++) for (let xx = xStart; xx < xEnd; xx++) x[base + yy * w + xx] += v;
        }
      }
    }
  }
}
