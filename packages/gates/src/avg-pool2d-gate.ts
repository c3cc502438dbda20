import { ConfigurableGate, expectDout, expectInputs, Gate, Tensor } from '@chainrule/core';
import { injectable } from 'inversify';
import { checkPoolWindow, expectNCHW, readWindow, Window, windowOutput, WindowOptions } from './window';

/** AvgPool2DGate's options: kernel (required), stride (default: the kernel), padding (default 0). */
export type AvgPool2DOptions = Pick<WindowOptions, 'kernel' | 'stride' | 'padding'>;

/**
 * Average pooling, NCHW: y[n,c,i,j] = (1 / (kh·kw)) Σ over the kh×kw window at (i·sh − ph, j·sw − pw)
 * of x[n,c,·,·], padding counting as zeros in the average (PyTorch's count_include_pad=True, so
 * every output divides by the same kh·kw). Backward spreads dout[n,c,i,j] / (kh·kw) over the
 * window's real input elements, adding where windows overlap.
 */
@injectable()
export class AvgPool2DGate implements Gate, ConfigurableGate<AvgPool2DOptions> {
  private win: Window | undefined;
  private x: Tensor | undefined;
  private output: Tensor | undefined;
  private dx: Tensor | undefined;
  private readonly grads: Tensor[] = [];

  constructor(options: AvgPool2DOptions | undefined = undefined) {
    if (options !== undefined) this.configure(options);
  }

  configure(options: AvgPool2DOptions): void {
    this.win = checkPoolWindow('AvgPool2DGate', options, readWindow('AvgPool2DGate', options, ['kernel', 'stride', 'padding'], 'kernel'));
  }

  forward(...inputs: Tensor[]): Tensor {
    expectInputs('AvgPool2DGate', inputs, 1);
    const x = inputs[0];
    const win = checkPoolWindow('AvgPool2DGate', undefined, this.win);
    expectNCHW('AvgPool2DGate', x.shape);
    const [n, c, h, w] = x.shape;
    const [oh, ow] = windowOutput('AvgPool2DGate', win, x.shape, h, w);
    const out = (this.output = Tensor.reuse(this.output, [n, c, oh, ow], x.dtype));
    const scale = 1 / (win.kh * win.kw);
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
          const xEnd = Math.min(w, x0 + win.kw);
          let s = 0;
          for (let yy = yStart; yy < yEnd; yy++) for (let xx = Math.max(0, x0); xx < xEnd; xx++) s += xd[base + yy * w + xx];
          o[k] = s * scale;
        }
      }
    }
    this.x = x;
    return out;
  }

  backward(dout: Tensor): Tensor[] {
    const x = this.x;
    expectDout('AvgPool2DGate', x, dout, this.output?.shape);
    const win = this.win as Window;
    const [, , oh, ow] = dout.shape;
    const [n, c, h, w] = x.shape;
    const dx = (this.dx = Tensor.reuse(this.dx, x.shape, x.dtype));
    const g = dx.data;
    g.fill(0);
    const d = dout.data;
    const scale = 1 / (win.kh * win.kw);
    let k = 0;
    for (let plane = 0; plane < n * c; plane++) {
      const base = plane * h * w;
      for (let i = 0; i < oh; i++) {
        const y0 = i * win.sh - win.ph;
        const yEnd = Math.min(h, y0 + win.kh);
        for (let j = 0; j < ow; j++, k++) {
          const x0 = j * win.sw - win.pw;
          const xEnd = Math.min(w, x0 + win.kw);
          const v = d[k] * scale;
          for (let yy = Math.max(0, y0); yy < yEnd; yy++) for (let xx = Math.max(0, x0); xx < xEnd; xx++) g[base + yy * w + xx] += v;
        }
      }
    }
    this.grads[0] = dx;
    return this.grads;
  }
}
