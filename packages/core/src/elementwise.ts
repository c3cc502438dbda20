import { injectable } from 'inversify';
import { BroadcastPlan } from './broadcast';
import { Gate } from './gate';
import { describeGateBase } from './gate-description';
import { broadcastRule, sameShapeRule } from './shape-inference';
import { expectArgs, expectDout } from './gate-checks';
import { shapesEqual } from './shape';
import { resultDType, Tensor, TypedArray } from './tensor';

/**
 * Base of one-input elementwise gates: it checks arity, keeps the input, reuses the output and
 * gradient buffers, and leaves the subclass two plain loops over typed arrays of equal length.
 * The Jacobian of an elementwise gate is diagonal, so backward is dx[i] = local'(x[i]) · dout[i].
 */
@injectable()
export abstract class UnaryGate implements Gate {
  /** The class name, for messages (read once: `constructor.name` is a property lookup per call). */
  protected readonly gateName: string = this.constructor.name;
  protected input: Tensor | undefined;
  protected output: Tensor | undefined;
  private dx: Tensor | undefined;
  private readonly grads: Tensor[] = [];

  /** out[i] = f(x[i]). */
  protected abstract compute(x: TypedArray, out: TypedArray): void;
  /** dx[i] = f'(x[i]) · dout[i]; `out` holds f(x) from forward, for gates whose derivative is cheaper from it. */
  protected abstract differentiate(x: TypedArray, out: TypedArray, dout: TypedArray, dx: TypedArray): void;

  forward(...inputs: Tensor[]): Tensor;
  // One declared parameter, not a rest array: the graph calls forward(x), which then allocates nothing.
  forward(x: Tensor): Tensor {
    expectArgs(this.gateName, arguments.length, 1, x);
    const out = (this.output = Tensor.reuse(this.output, x.shape, x.dtype));
    this.input = x;
    this.compute(x.data, out.data);
    return out;
  }

  backward(dout: Tensor): Tensor[] {
    const x = this.input;
    expectDout(this.gateName, x, dout, this.output?.shape);
    const dx = (this.dx = Tensor.reuse(this.dx, x.shape, x.dtype));
    this.differentiate(x.data, (this.output as Tensor).data, dout.data, dx.data);
    this.grads[0] = dx;
    return this.grads;
  }
}

/**
 * Base of two-input elementwise gates with numpy broadcasting. When the shapes differ, forward
 * expands both operands to the output's shape once (kept for backward), so the subclass always
 * writes plain equal-length loops; backward sums each operand's gradient back over the axes it
 * was broadcast along.
 */
@injectable()
export abstract class BinaryGate implements Gate {
  /** The class name, for messages (read once: `constructor.name` is a property lookup per call). */
  protected readonly gateName: string = this.constructor.name;
  private plan: BroadcastPlan | undefined;
  private xs: Tensor | undefined;
  private ys: Tensor | undefined;
  private xe: Tensor | undefined;
  private ye: Tensor | undefined;
  private output: Tensor | undefined;
  private gx: Tensor | undefined;
  private gy: Tensor | undefined;
  private dx: Tensor | undefined;
  private dy: Tensor | undefined;
  private readonly grads: Tensor[] = [];

  /** out[i] = f(x[i], y[i]). */
  protected abstract compute(x: TypedArray, y: TypedArray, out: TypedArray): void;
  /** gx[i] = ∂f/∂x · dout[i] and gy[i] = ∂f/∂y · dout[i], at output element i. */
  protected abstract differentiate(x: TypedArray, y: TypedArray, out: TypedArray, dout: TypedArray, gx: TypedArray, gy: TypedArray): void;

  forward(...inputs: Tensor[]): Tensor;
  // Two declared parameters, not a rest array: the graph calls forward(x, y), which then allocates nothing.
  forward(x: Tensor, y: Tensor): Tensor {
    const name = this.gateName;
    expectArgs(name, arguments.length, 2, x, y);
    // Reuse the plan for the same shapes without building the context string (this runs per node per step).
    const prev = this.plan;
    const plan = (this.plan =
      prev !== undefined && shapesEqual(prev.aShape, x.shape) && shapesEqual(prev.bShape, y.shape)
        ? prev
        : BroadcastPlan.for(prev, x.shape, y.shape, `${name}.forward`));
    const dtype = resultDType(x.dtype, y.dtype);
    const out = (this.output = Tensor.reuse(this.output, plan.outShape, dtype));
    this.xs = x;
    this.ys = y;
    if (plan.identity) {
      this.compute(x.data, y.data, out.data);
      return out;
    }
    const xe = (this.xe = Tensor.reuse(this.xe, plan.outShape, x.dtype));
    const ye = (this.ye = Tensor.reuse(this.ye, plan.outShape, y.dtype));
    gather(x.data, plan.aIndex, xe.data);
    gather(y.data, plan.bIndex, ye.data);
    this.compute(xe.data, ye.data, out.data);
    return out;
  }

  backward(dout: Tensor): Tensor[] {
    const name = this.gateName;
    const plan = this.plan;
    expectDout(name, plan, dout, this.output?.shape);
    const x = this.xs as Tensor;
    const y = this.ys as Tensor;
    const out = this.output as Tensor;
    const dx = (this.dx = Tensor.reuse(this.dx, x.shape, x.dtype));
    const dy = (this.dy = Tensor.reuse(this.dy, y.shape, y.dtype));
    if (plan.identity) {
      this.differentiate(x.data, y.data, out.data, dout.data, dx.data, dy.data);
    } else {
      const gx = (this.gx = Tensor.reuse(this.gx, plan.outShape, out.dtype));
      const gy = (this.gy = Tensor.reuse(this.gy, plan.outShape, out.dtype));
      this.differentiate((this.xe as Tensor).data, (this.ye as Tensor).data, out.data, dout.data, gx.data, gy.data);
      plan.reduceToA(gx.data, dx.data);
      plan.reduceToB(gy.data, dy.data);
    }
    this.grads[0] = dx;
    this.grads[1] = dy;
    return this.grads;
  }
}

function gather(src: TypedArray, index: Int32Array, out: TypedArray): void {
  for (let i = 0; i < index.length; i++) out[i] = src[index[i]];
}

// Every elementwise gate takes one (two) inputs and outputs their (broadcast) shape; subclasses
// declaring their own `description` (a trace) keep these.
describeGateBase(UnaryGate, { arity: 1, shape: sameShapeRule });
describeGateBase(BinaryGate, { arity: 2, shape: broadcastRule });
