import { expectDout, expectInputs, formatShape, Gate, normalizeAxis, readOptions, ShapeError, Tensor, TypedArray, describeGateBase, axisIn } from '@chainrule/core';
import { injectable } from 'inversify';
import { gradBuffer } from './grad-buffer';

export interface SoftmaxOptions {
  /** The axis that sums to 1 (default −1, the last: one distribution per row of scores [N, C]). */
  axis?: number;
}

/** x viewed as [outer, len, inner] around the softmax axis. */
export interface AxisPlan {
  outer: number;
  len: number;
  inner: number;
}

/** The [outer, len, inner] view of `shape` around `axis`; ShapeError for a scalar or an axis out of range. */
export function axisPlan(gate: string, shape: readonly number[], axis: number): AxisPlan {
  if (shape.length === 0) throw new ShapeError(`${gate}.forward: expected an input of rank ≥ 1 (scores along an axis), got shape ${formatShape(shape)}`);
  const a = normalizeAxis(axis, shape.length, `${gate}.forward (input shape ${formatShape(shape)})`);
  let outer = 1;
  for (let i = 0; i < a; i++) outer *= shape[i];
  let inner = 1;
  for (let i = a + 1; i < shape.length; i++) inner *= shape[i];
  return { outer, len: shape[a], inner };
}

/**
 * A gate applied independently to every line of values along one axis (option `axis`, default the
 * last), as SoftmaxGate and LogSoftmaxGate are: this base walks the lines and keeps the buffers;
 * each gate writes its forward and backward of one line, side by side in its own file. A line is
 * `len` values starting at `base`, `stride` apart.
 */
@injectable()
export abstract class AlongAxisGate implements Gate {
  axis = -1;
  private input: Tensor | undefined;
  private output: Tensor | undefined;
  private readonly grads: Tensor[] = [];
  private plan: AxisPlan = { outer: 0, len: 0, inner: 0 };

  /** Subclasses pass on the options they are given (injected as GATE_OPTIONS). */
  constructor(options: SoftmaxOptions = {}) {
    this.axis = readOptions<SoftmaxOptions>(this.constructor.name, options, { axis: 'integer' }).axis ?? -1;
  }

  /** out's line from x's line. */
  protected abstract forwardLine(x: TypedArray, out: TypedArray, base: number, len: number, stride: number): void;

  /** dx's line from the cached output's line and dout's. */
  protected abstract backwardLine(out: TypedArray, dout: TypedArray, dx: TypedArray, base: number, len: number, stride: number): void;

  forward(...inputs: Tensor[]): Tensor {
    const name = this.constructor.name;
    expectInputs(name, inputs, 1);
    const x = inputs[0];
    const { outer, len, inner } = (this.plan = axisPlan(name, x.shape, this.axis));
    const out = (this.output = Tensor.reuse(this.output, x.shape, x.dtype));
    this.input = x;
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) this.forwardLine(x.data, out.data, o * len * inner + i, len, inner);
    return out;
  }

  backward(dout: Tensor): Tensor[] {
    const x = this.input;
    expectDout(this.constructor.name, x, dout, this.output?.shape);
    const y = (this.output as Tensor).data;
    const dx = gradBuffer(this.grads, 0, x);
    const { outer, len, inner } = this.plan;
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) this.backwardLine(y, dout.data, dx.data, o * len * inner + i, len, inner);
    return this.grads;
  }
}

// One input; the output has its shape (the axis must exist).
describeGateBase(AlongAxisGate, {
  arity: 1,
  shape: ([x], g) => {
    if (x.length === 0) throw new ShapeError('expected an input of rank ≥ 1 (scores along an axis), got []');
    axisIn((g as AlongAxisGate).axis, x.length);
    return x;
  },
});
