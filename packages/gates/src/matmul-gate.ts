import {
  expectDout,
  expectArgs,
  givenCount,
  formatShape,
  defaultKernel,
  Gate,
  GateContext,
  kernelTensor,
  MATMUL_KERNEL,
  MatmulKernel,
  resultDType,
  ShapeError,
  shapesEqual,
  Tensor,
  GateDescription,
  formatSpec,
  sameSize,
} from '@chainrule/core';
import { inject, injectable, optional } from 'inversify';

/**
 * z = x · W, the matrix product (numpy's `matmul` for these ranks):
 *
 * | x          | W      | z          |
 * |------------|--------|------------|
 * | [m, k]     | [k, n] | [m, n]     |
 * | [..., k]   | [k, n] | [..., n]   | (a batch of rows: every leading axis of x is a row index)
 * | [k]        | [k, n] | [n]        |
 * | [m, k]     | [k]    | [m]        | (the lectures' `np.dot(W1, x)` with W1 [4, 3] and x [3])
 * | [k]        | [k]    | []         | (a dot product)
 *
 * Backward is the two products dx = dout · Wᵀ and dW = xᵀ · dout (summed over every row of the
 * batch), computed by core's matmul kernels without materialising a transpose and never a Jacobian
 * (through the MatmulKernel its container binds under MATMUL_KERNEL, or core's defaultKernel).
 * The output is float64 when either input is; each gradient keeps its input's dtype.
 */
@injectable()
export class MatMulGate implements Gate {
  /** x [..., k] · W [k, n] → [..., n] (W [k] → [...]): the layer sizes are checked when the graph is built. */
  static readonly description: GateDescription<MatMulGate> = {
    arity: 2,
    shape: ([x, w]) => {
      if (x.length === 0 || w.length === 0 || w.length > 2) throw new ShapeError(`expected x of rank ≥ 1 and W of rank 1 or 2, got ${formatSpec(x)} · ${formatSpec(w)}`);
      sameSize(x[x.length - 1], w[0], `shapes ${formatSpec(x)} and ${formatSpec(w)} do not multiply (x's last axis against W's first axis)`);
      const lead = x.slice(0, -1);
      return w.length === 2 ? [...lead, w[1]] : lead;
    },
  };
  private x: Tensor | undefined;
  private w: Tensor | undefined;
  private output: Tensor | undefined;
  private rows = 0;
  private inner = 0;
  private cols = 0;
  private readonly grads: Tensor[] = [];
  /** False when the graph says x needs no gradient (data): backward then skips dx = dout · Wᵀ. */
  private needDx = true;
  private lastPlan: { x: readonly number[]; w: readonly number[]; out: readonly number[] } | undefined;

  constructor(@inject(MATMUL_KERNEL) @optional() private readonly kernel: MatmulKernel = defaultKernel) {}

  forward(...inputs: Tensor[]): Tensor;
  // Two declared parameters, not a rest array: the graph calls forward(x, w), which then allocates nothing.
  forward(x: Tensor, w: Tensor, extra?: unknown): Tensor {
    expectArgs('MatMulGate', givenCount(x, w, extra), 2, x, w);
    const outShape = this.plan(x, w);
    const out = (this.output = kernelTensor(this.kernel, this.output, outShape, resultDType(x.dtype, w.dtype)));
    this.x = x;
    this.w = w;
    this.kernel.gemm(x.data, w.data, out.data, this.rows, this.inner, this.cols);
    return out;
  }

  /** The graph's notice of which inputs need a gradient (the Gate contract's prepare hook). */
  prepare(ctx: GateContext): void {
    this.needDx = ctx.needsInputGrad[0] !== false;
  }

  backward(dout: Tensor): Tensor[] {
    const x = this.x;
    expectDout('MatMulGate', x, dout, this.output?.shape);
    const w = this.w as Tensor;
    // Output and gradients live where the kernel computes them (kernelTensor: no copies in or out).
    const dx = (this.grads[0] = kernelTensor(this.kernel, this.grads[0], x.shape, x.dtype));
    const dw = (this.grads[1] = kernelTensor(this.kernel, this.grads[1], w.shape, w.dtype));
    // dx[rows×k] = dout[rows×n] · Wᵀ, with W stored [k×n].
    if (this.needDx) this.kernel.gemmTransB(dout.data, w.data, dx.data, this.rows, this.cols, this.inner);
    // dW[k×n] = xᵀ · dout, with x stored [rows×k].
    this.kernel.gemmTransA(x.data, dout.data, dw.data, this.inner, this.rows, this.cols);
    return this.grads;
  }

  /** Checks the shapes, sets rows/inner/cols for the kernels, and returns the output's shape. */
  private plan(x: Tensor, w: Tensor): readonly number[] {
    // Same shapes as last time: reuse the checked plan (no arrays allocated in a steady-state step).
    const last = this.lastPlan;
    if (last !== undefined && shapesEqual(last.x, x.shape) && shapesEqual(last.w, w.shape)) return last.out;
    const out = this.planShapes(x, w);
    this.lastPlan = { x: x.shape, w: w.shape, out };
    return out;
  }

  private planShapes(x: Tensor, w: Tensor): number[] {
    if (x.rank === 0 || w.rank === 0 || w.rank > 2) {
      throw new ShapeError(
        `MatMulGate.forward: expected x of rank ≥ 1 and W of rank 1 or 2, got ${formatShape(x.shape)} · ${formatShape(w.shape)}` +
          (w.rank > 2 ? ' (batched W is not supported; x may carry the batch)' : ''),
      );
    }
    const k = x.shape[x.rank - 1];
    const wk = w.shape[0];
    if (k !== wk) {
      throw new ShapeError(
        `MatMulGate.forward: shapes ${formatShape(x.shape)} and ${formatShape(w.shape)} do not multiply ` +
          `(x's last axis has ${k}, W's first axis has ${wk}; they must be equal)`,
      );
    }
    const n = w.rank === 2 ? w.shape[1] : 1;
    this.inner = k;
    this.cols = n;
    this.rows = k === 0 ? sizeBefore(x.shape) : x.size / k;
    const lead = x.shape.slice(0, x.rank - 1);
    return w.rank === 2 ? [...lead, n] : lead;
  }
}

function sizeBefore(shape: readonly number[]): number {
  let s = 1;
  for (let i = 0; i < shape.length - 1; i++) s *= shape[i];
  return s;
}
