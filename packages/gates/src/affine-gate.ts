import {
  ArityError,
  biasRelu,
  defaultKernel,
  expectDout,
  formatShape,
  formatSpec,
  GateDescription,
  Gate,
  GATE_OPTIONS,
  GateContext,
  kernelTensor,
  MATMUL_KERNEL,
  MatmulKernel,
  readOptions,
  reluGrad,
  sameSize,
  sumRows,
  ShapeError,
  Tensor,
  TypedArray,
} from '@chainrule/core';
import { inject, injectable, optional } from 'inversify';
import { stableSigmoid } from './logistic';
import { MatMulGate } from './matmul-gate';

/** The activations an AffineGate folds into its epilogue ('none': y = x·W + b). */
export type AffineActivation = 'none' | 'relu' | 'tanh' | 'sigmoid';

export interface AffineOptions {
  /** Applied to x·W + b in the same pass as the bias (default 'none'). */
  activation?: AffineActivation;
}

/**
 * y = act(x · W + b), with x [..., k], W [k, n] and b [n] (b may be left out: y = act(x · W)): the
 * product, bias and activation of a `Linear` layer with `activation` in one node, so a layer costs
 * one output buffer and one pass after the product instead of three nodes (MatMulGate, AddGate,
 * an activation gate) each with its own buffers and passes (issue 19, "fused work").
 *
 * The product is MatMulGate's (same kernel, same shape rules); the epilogue adds b and applies the
 * activation in place over its output. Backward derives from the output as the activation gates do
 * (ReLU: y > 0, tanh: 1 − y², sigmoid: y(1 − y)) into dz, then db = Σ_rows dz, and MatMulGate's
 * dx = dz · Wᵀ, dW = xᵀ · dz. Each step is the same arithmetic in the same order as the unfused
 * gates, so the fused and unfused layers agree bit for bit (gates/test/affine-gate.test.ts).
 */
@injectable()
export class AffineGate implements Gate {
  /** x [..., k] · W [k, n] (+ b [n]) → [..., n]: the layer sizes are checked when the graph is built. */
  static readonly description: GateDescription<AffineGate> = {
    arity: { min: 2, max: 3 },
    shape: ([x, w, b]) => {
      if (x.length === 0 || w.length !== 2) throw new ShapeError(`expected x of rank ≥ 1 and W of rank 2, got ${formatSpec(x)} · ${formatSpec(w)}`);
      sameSize(x[x.length - 1], w[0], `shapes ${formatSpec(x)} and ${formatSpec(w)} do not multiply (x's last axis against W's first axis)`);
      if (b !== undefined) {
        if (b.length !== 1) throw new ShapeError(`expected b of shape [n] (W's columns), got ${formatSpec(b)}`);
        sameSize(b[0], w[1], `b ${formatSpec(b)} does not match W's columns ${formatSpec(w)}`);
      }
      return [...x.slice(0, -1), w[1]];
    },
  };
  /** The activation in force. */
  readonly activation: AffineActivation;
  private readonly product: MatMulGate;
  private output: Tensor | undefined;
  /** The bias of the last forward (undefined when the gate has none). */
  private bias: Tensor | undefined;
  private dz: Tensor | undefined;
  private db: Tensor | undefined;
  private readonly grads: Tensor[] = [];

  constructor(
    @inject(GATE_OPTIONS) @optional() options: AffineOptions = {},
    @inject(MATMUL_KERNEL) @optional() private readonly kernel: MatmulKernel = defaultKernel,
  ) {
    this.activation = readOptions<AffineOptions>('AffineGate', options, { activation: ['none', 'relu', 'tanh', 'sigmoid'] }).activation ?? 'none';
    this.product = new MatMulGate(kernel);
  }

  forward(...inputs: Tensor[]): Tensor;
  // Declared parameters, not a rest array: the graph calls forward(x, w, b), which then allocates nothing.
  forward(x: Tensor, w: Tensor, b?: Tensor): Tensor {
    if (arguments.length !== 2 && arguments.length !== 3) {
      throw new ArityError(`AffineGate.forward: expected 2 inputs (x, W) or 3 (x, W, b), got ${arguments.length}`);
    }
    if (w instanceof Tensor && w.rank !== 2) {
      throw new ShapeError(`AffineGate.forward: expected W of rank 2 [k, n], got ${formatShape(w.shape)}`);
    }
    const bias = arguments.length === 3 ? (b as Tensor) : undefined;
    if (bias !== undefined && (!(bias instanceof Tensor) || bias.rank !== 1 || bias.shape[0] !== w.shape[1])) {
      const got = bias instanceof Tensor ? formatShape(bias.shape) : String(bias);
      throw new ShapeError(`AffineGate.forward: expected b of shape [${w.shape[1]}] (W's columns), got ${got}`);
    }
    // The product checks x and W; the epilogue then works in place on its output.
    const y = (this.output = this.product.forward(x, w));
    this.bias = bias;
    epilogue(this.activation, y.data, bias?.data, w.shape[1]);
    return y;
  }

  prepare(ctx: GateContext): void {
    this.product.prepare(ctx);
  }

  backward(dout: Tensor): Tensor[] {
    const y = this.output;
    expectDout('AffineGate', y, dout, y?.shape);
    const out = y as Tensor;
    const n = out.rank === 0 ? 1 : out.shape[out.rank - 1];
    let dz = dout;
    if (this.activation !== 'none') {
      dz = this.dz = kernelTensor(this.kernel, this.dz, out.shape, out.dtype); // read in place by the products
      derive(this.activation, out.data, dout.data, dz.data);
    }
    const fromProduct = this.product.backward(dz); // indexed, not destructured: the iterator allocated until V8 optimised this
    const dx = fromProduct[0];
    const dw = fromProduct[1];
    const b = this.bias;
    if (b !== undefined) sumRows(dz.data, (this.db = kernelTensor(this.kernel, this.db, b.shape, b.dtype)).data, n);
    this.grads[0] = dx;
    this.grads[1] = dw;
    if (b !== undefined) this.grads[2] = this.db as Tensor;
    this.grads.length = b !== undefined ? 3 : 2;
    return this.grads;
  }
}

/**
 * y[r, j] = act(y[r, j] + b[j]) over every row, in place (b undefined: act alone). ReLU and none are
 * core's biasRelu (a SIMD loop where y and b live in the kernel's memory); tanh and sigmoid add the
 * bias there, then apply the activation here.
 */
function epilogue(act: AffineActivation, y: TypedArray, b: TypedArray | undefined, n: number): void {
  if (b !== undefined || act === 'relu') biasRelu(y, b, n, act === 'relu');
  if (act === 'tanh') for (let j = 0; j < y.length; j++) y[j] = Math.tanh(y[j]);
  else if (act === 'sigmoid') for (let j = 0; j < y.length; j++) y[j] = stableSigmoid(y[j]);
}

/** dz = dout · act'(z), with act' read from the output y as the activation gates do. */
function derive(act: AffineActivation, y: TypedArray, dout: TypedArray, dz: TypedArray): void {
  if (act === 'relu') reluGrad(y, dout, dz);
  else if (act === 'tanh') for (let i = 0; i < dz.length; i++) dz[i] = (1 - y[i] * y[i]) * dout[i];
  else for (let i = 0; i < dz.length; i++) dz[i] = y[i] * (1 - y[i]) * dout[i];
}
