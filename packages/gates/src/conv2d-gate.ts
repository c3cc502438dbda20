import {
  ArityError,
  defaultKernel,
  expectDout,
  formatShape,
  Gate,
  GATE_OPTIONS,
  GateContext,
  GateDescription,
  MATMUL_KERNEL,
  MatmulKernel,
  resultDType,
  ShapeError,
  shapesEqual,
  Tensor,
  TypedArray,
  formatSpec,
  sameSize,
} from '@chainrule/core';
import { inject, injectable, optional } from 'inversify';
import { expectNCHW, readWindow, Window, windowOutput, WindowOptions, windowSpec } from './window';

/** Conv2DGate's options: stride, padding and dilation, each one number or [height, width]. */
export type Conv2DOptions = Pick<WindowOptions, 'stride' | 'padding' | 'dilation'>;

/**
 * 2-D convolution (cross-correlation, as every deep-learning library computes it), NCHW:
 * x [N, C, H, W], W [F, C, KH, KW], optional b [F] → y [N, F, OH, OW] with
 *
 *   y[n,f,i,j] = b[f] + Σ_c Σ_u Σ_v W[f,c,u,v] · x[n, c, i·sh − ph + u·dh, j·sw − pw + v·dw]
 *
 * (taps outside the input read zero padding). Lowered to one matrix product per call (im2col): the
 * taps of every output position of the whole batch become the columns of col [C·KH·KW, N·OH·OW], so
 * y = W · col is one GEMM with a long inner loop on the injected MatmulKernel (the WebAssembly
 * kernel under 'auto'), then scattered to NCHW. Backward, with dY the upstream gradient in the
 * same [F, N·OH·OW] layout: dW = dY · colᵀ, dcol = Wᵀ · dY folded back onto the input (col2im,
 * summing where windows overlap) gives dx, and db = Σ dY over positions. dx is skipped when the
 * graph says x needs no gradient (the first layer's data). Every buffer is reused between calls.
 */
@injectable()
export class Conv2DGate implements Gate {
  static readonly description: GateDescription = {
    arity: { min: 2, max: 3 },
    shape: ([x, w, b], g) => {
      if (w.length !== 4) throw new ShapeError(`expected W as [F, C, KH, KW] (rank 4), got ${formatSpec(w)}`);
      const [oh, ow] = windowSpec('Conv2DGate', { ...(g as Conv2DGate).win, kh: w[2] as number, kw: w[3] as number }, x);
      sameSize(x[1], w[1], `input channels do not match: x ${formatSpec(x)} against W ${formatSpec(w)}`);
      if (b !== undefined && (b.length !== 1 || (b[0] !== null && b[0] !== w[0]))) throw new ShapeError(`expected the bias b as [${w[0]}] (one per filter of W ${formatSpec(w)}), got ${formatSpec(b)}`);
      return [x[0], w[0], oh, ow];
    },
    trace: {
      pattern: 'convolution multiplies each window by the filters',
      expression: (c) => `conv2d(${c.inputs.join(', ')})`,
      local: (j, c) =>
        [
          { formula: `${c.inputs[1]} laid over each window (col2im of Wᵀ · dY, summed where windows overlap)` },
          { formula: `the windows of ${c.inputs[0]} (dW = dY · im2col(x)ᵀ)` },
          { formula: '1 at every output position (db = Σ dY)' },
        ][j],
    },
  };
  private readonly win: Window;
  private x: Tensor | undefined;
  private w: Tensor | undefined;
  private b: Tensor | undefined;
  private output: Tensor | undefined;
  private col: Tensor | undefined;
  /** W · col in [F, N·OH·OW] layout (forward), then dY in that layout (backward). */
  private prod: Tensor | undefined;
  private dcol: Tensor | undefined;
  private dx: Tensor | undefined;
  private dw: Tensor | undefined;
  private db: Tensor | undefined;
  private readonly grads: Tensor[] = [];
  private needDx = true;
  private lastIn: readonly number[] | undefined;
  private lastW: readonly number[] | undefined;
  private outShape: number[] = [];

  /** Used on its own: `new Conv2DGate({ stride: 2 })` (the defaults are stride 1, padding 0, dilation 1). */
  constructor(
    @inject(GATE_OPTIONS) @optional() options: Conv2DOptions = {},
    @inject(MATMUL_KERNEL) @optional() private readonly kernel: MatmulKernel = defaultKernel,
  ) {
    this.win = readWindow('Conv2DGate', options, ['stride', 'padding', 'dilation'], 1);
  }

  prepare(ctx: GateContext): void {
    this.needDx = ctx.needsInputGrad[0] !== false;
  }

  forward(...inputs: Tensor[]): Tensor {
    if (inputs.length !== 2 && inputs.length !== 3) {
      throw new ArityError(`Conv2DGate.forward: expected 2 inputs (x, W) or 3 (x, W, b), got ${inputs.length}`);
    }
    const [x, w] = inputs;
    const b = (this.b = inputs.length === 3 ? inputs[2] : undefined);
    this.plan(x, w, b);
    const [n, f, oh, ow] = this.outShape;
    const positions = oh * ow;
    const ckk = w.size / f;
    const dtype = resultDType(x.dtype, w.dtype);
    const out = (this.output = Tensor.reuse(this.output, this.outShape, dtype));
    const col = (this.col = Tensor.reuse(this.col, [ckk, n * positions], x.dtype));
    const prod = (this.prod = Tensor.reuse(this.prod, [f, n * positions], dtype));
    this.x = x;
    this.w = w;
    im2col(x, this.win, oh, ow, col.data);
    this.kernel.gemm(w.data, col.data, prod.data, f, ckk, n * positions);
    const bias = b?.data;
    // [F, N·P] → [N, F, P], adding the bias.
    const p = prod.data;
    const o = out.data;
    for (let fi = 0; fi < f; fi++) {
      const b = bias === undefined ? 0 : bias[fi];
      for (let ni = 0; ni < n; ni++) {
        const src = fi * n * positions + ni * positions;
        const dst = (ni * f + fi) * positions;
        for (let q = 0; q < positions; q++) o[dst + q] = p[src + q] + b;
      }
    }
    return out;
  }

  backward(dout: Tensor): Tensor[] {
    const x = this.x;
    expectDout('Conv2DGate', x, dout, this.output?.shape);
    const w = this.w as Tensor;
    const [n, f, oh, ow] = this.outShape;
    const positions = oh * ow;
    const cols = n * positions;
    const ckk = w.size / f;
    const dy = (this.prod as Tensor).data;
    const d = dout.data;
    // dout [N, F, P] → dY [F, N·P].
    for (let ni = 0; ni < n; ni++) {
      for (let fi = 0; fi < f; fi++) {
        const src = (ni * f + fi) * positions;
        const dst = fi * cols + ni * positions;
        for (let q = 0; q < positions; q++) dy[dst + q] = d[src + q];
      }
    }
    const dw = (this.dw = Tensor.reuse(this.dw, w.shape, w.dtype));
    this.kernel.gemmTransB(dy, (this.col as Tensor).data, dw.data, f, cols, ckk);
    const dx = (this.dx = Tensor.reuse(this.dx, x.shape, x.dtype));
    if (this.needDx) {
      const dcol = (this.dcol = Tensor.reuse(this.dcol, [ckk, cols], x.dtype));
      this.kernel.gemmTransA(w.data, dy, dcol.data, ckk, f, cols);
      col2im(dcol.data, this.win, x.shape, oh, ow, dx.data);
    }
    const b = this.b;
    this.grads.length = b === undefined ? 2 : 3;
    this.grads[0] = dx;
    this.grads[1] = dw;
    if (b !== undefined) {
      const db = (this.db = Tensor.reuse(this.db, [f], b.dtype));
      for (let fi = 0; fi < f; fi++) {
        let s = 0;
        for (let q = fi * cols, end = q + cols; q < end; q++) s += dy[q];
        db.data[fi] = s;
      }
      this.grads[2] = db;
    }
    return this.grads;
  }

  /** Checks the shapes (once per new shape) and sets outShape [N, F, OH, OW]. */
  private plan(x: Tensor, w: Tensor, b: Tensor | undefined): void {
    if (this.lastIn !== undefined && this.lastW !== undefined && shapesEqual(this.lastIn, x.shape) && shapesEqual(this.lastW, w.shape)) {
      if (b !== undefined && (b.rank !== 1 || b.shape[0] !== w.shape[0])) this.badBias(w, b);
      return;
    }
    expectNCHW('Conv2DGate', x.shape);
    if (w.rank !== 4) throw new ShapeError(`Conv2DGate.forward: expected W as [F, C, KH, KW] (rank 4), got ${formatShape(w.shape)}`);
    if (x.shape[1] !== w.shape[1]) {
      throw new ShapeError(
        `Conv2DGate.forward: input channels do not match: x ${formatShape(x.shape)} has ${x.shape[1]} channels, W ${formatShape(w.shape)} expects ${w.shape[1]}`,
      );
    }
    if (b !== undefined && (b.rank !== 1 || b.shape[0] !== w.shape[0])) this.badBias(w, b);
    const win = this.win;
    win.kh = w.shape[2];
    win.kw = w.shape[3];
    const [oh, ow] = windowOutput('Conv2DGate', win, x.shape, x.shape[2], x.shape[3]);
    this.outShape = [x.shape[0], w.shape[0], oh, ow];
    this.lastIn = x.shape;
    this.lastW = w.shape;
  }

  private badBias(w: Tensor, b: Tensor): never {
    throw new ShapeError(`Conv2DGate.forward: expected the bias b as [${w.shape[0]}] (one per filter of W ${formatShape(w.shape)}), got ${formatShape(b.shape)}`);
  }
}

/**
 * col[(c·KH + u)·KW + v, n·P + i·OW + j] = x[n, c, i·sh − ph + u·dh, j·sw − pw + v·dw] (0 outside).
 * Rows are filled in order, so writes are sequential; the inner loop is one output row.
 */
function im2col(x: Tensor, win: Window, oh: number, ow: number, col: TypedArray): void {
  const [n, c, h, w] = x.shape;
  const xd = x.data;
  const positions = oh * ow;
  const cols = n * positions;
  let row = 0;
  for (let ci = 0; ci < c; ci++) {
    for (let u = 0; u < win.kh; u++) {
      for (let v = 0; v < win.kw; v++, row++) {
        const rowBase = row * cols;
        for (let ni = 0; ni < n; ni++) {
          const plane = (ni * c + ci) * h * w;
          let k = rowBase + ni * positions;
          for (let i = 0; i < oh; i++) {
            const y = i * win.sh - win.ph + u * win.dh;
            if (y < 0 || y >= h) {
              col.fill(0, k, k + ow);
              k += ow;
              continue;
            }
            // Columns j whose tap lands inside the row: [j0, j1); zeros on either side.
            const x0 = v * win.dw - win.pw;
            const [j0, j1] = inside(x0, win.sw, w, ow);
            if (j0 > 0) col.fill(0, k, k + j0);
            let src = plane + y * w + x0 + j0 * win.sw;
            for (let j = j0; j < j1; j++, src += win.sw) col[k + j] = xd[src];
            if (j1 < ow) col.fill(0, k + j1, k + ow);
            k += ow;
          }
        }
      }
    }
  }
}

/**
 * The adjoint of im2col: dx = 0, then every col entry is added back onto the input element it was read
 * from. The same walk as im2col, written out again rather than shared through a callback so that each
 * hot loop stays a plain typed-array loop.
 */
function col2im(dcol: TypedArray, win: Window, shape: readonly number[], oh: number, ow: number, dx: TypedArray): void {
  const [n, c, h, w] = shape;
  dx.fill(0);
  const positions = oh * ow;
  const cols = n * positions;
  let row = 0;
  for (let ci = 0; ci < c; ci++) {
    for (let u = 0; u < win.kh; u++) {
      for (let v = 0; v < win.kw; v++, row++) {
        const rowBase = row * cols;
        for (let ni = 0; ni < n; ni++) {
          const plane = (ni * c + ci) * h * w;
          let k = rowBase + ni * positions;
          for (let i = 0; i < oh; i++) {
            const y = i * win.sh - win.ph + u * win.dh;
            if (y < 0 || y >= h) {
              k += ow;
              continue;
            }
            const x0 = v * win.dw - win.pw;
            const [j0, j1] = inside(x0, win.sw, w, ow);
            let dst = plane + y * w + x0 + j0 * win.sw;
            for (let j = j0; j < j1; j++, dst += win.sw) dx[dst] += dcol[k + j];
            k += ow;
          }
        }
      }
    }
  }
}

const span: [number, number] = [0, 0];

/** The output columns j ∈ [j0, j1) whose input column x0 + j·stride lies in [0, w) (one shared pair: nothing allocated). */
function inside(x0: number, stride: number, w: number, ow: number): [number, number] {
  span[0] = x0 >= 0 ? 0 : Math.min(ow, Math.ceil(-x0 / stride));
  span[1] = Math.max(span[0], Math.min(ow, Math.floor((w - 1 - x0) / stride) + 1));
  return span;
}
