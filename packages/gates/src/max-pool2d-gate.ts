import { ConfigurableGate, expectDout, expectInputs, Gate, Tensor } from '@chainrule/core';
import { injectable } from 'inversify';
import { checkPoolWindow, expectNCHW, readWindow, Window, windowOutput, WindowOptions } from './window';

/** MaxPool2DGate's options: kernel (required), stride (default: the kernel), padding (default 0). */
export type MaxPool2DOptions = Pick<WindowOptions, 'kernel' | 'stride' | 'padding'>;

/**
 * Max pooling, NCHW: y[n,c,i,j] = max over the kh×kw window at (i·sh − ph, j·sw − pw) of x[n,c,·,·]
 * (padding never wins: it is −∞). Backward routes each dout[n,c,i,j] to the input element that
 * won its window (the arg-max kept by forward) and adds where windows overlap; every other input
 * gets zero. Ties go to the FIRST maximum in row-major window order (top row first, then left to
 * right), as PyTorch does, so the gradient is a subgradient at ties, never split.
 */
@injectable()
export class MaxPool2DGate implements Gate, ConfigurableGate<MaxPool2DOptions> {
  private win: Window | undefined;
  private x: Tensor | undefined;
  private output: Tensor | undefined;
  private dx: Tensor | undefined;
  /** For each output element, the flat index into x of its window's maximum. */
  private argmax = new Int32Array(0);
  private readonly grads: Tensor[] = [];

  constructor(options: MaxPool2DOptions | undefined = undefined) {
    if (options !== undefined) this.configure(options);
  }

  configure(options: MaxPool2DOptions): void {
    this.win = checkPoolWindow('MaxPool2DGate', options, readWindow('MaxPool2DGate', options, ['kernel', 'stride', 'padding'], 'kernel'));
  }

  forward(...inputs: Tensor[]): Tensor {
    expectInputs('MaxPool2DGate', inputs, 1);
    const x = inputs[0];
    const win = checkPoolWindow('MaxPool2DGate', undefined, this.win);
    expectNCHW('MaxPool2DGate', x.shape);
    const [n, c, h, w] = x.shape;
    const [oh, ow] = windowOutput('MaxPool2DGate', win, x.shape, h, w);
    const out = (this.output = Tensor.reuse(this.output, [n, c, oh, ow], x.dtype));
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
              // strictly greater: the first maximum wins a tie (NaN never replaces a number)
              if (xd[idx] > bestValue) {
                bestValue = xd[idx];
                best = idx;
              }
            }
          }
          o[k] = bestValue;
          arg[k] = best;
        }
      }
    }
    this.x = x;
    return out;
  }

  backward(dout: Tensor): Tensor[] {
    const x = this.x;
    expectDout('MaxPool2DGate', x, dout, this.output?.shape);
    const dx = (this.dx = Tensor.reuse(this.dx, x.shape, x.dtype));
    const g = dx.data;
    g.fill(0);
    const d = dout.data;
    const arg = this.argmax;
    for (let k = 0; k < d.length; k++) g[arg[k]] += d[k];
    this.grads[0] = dx;
    return this.grads;
  }
}
