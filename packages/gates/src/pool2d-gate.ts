import { expectDout, expectInputs, Gate, Tensor, describeGateBase } from '@chainrule/core';
import { injectable } from 'inversify';
import { checkPoolWindow, expectNCHW, readWindow, Window, windowOutput, WindowOptions, windowSpec } from './window';

/** A pooling gate's options: kernel (required), stride (default: the kernel), padding (default 0). */
export type Pool2DOptions = Pick<WindowOptions, 'kernel' | 'stride' | 'padding'>;

/**
 * What MaxPool2DGate and AvgPool2DGate share: the options, the shape checks, the reused output and
 * gradient buffers. A subclass writes the window loops: `pool` fills y from x, `unpool` adds each
 * dout back onto dx (which arrives zeroed).
 */
@injectable()
export abstract class Pool2DGate implements Gate {
  protected readonly win: Window;
  private x: Tensor | undefined;
  private output: Tensor | undefined;
  private dx: Tensor | undefined;
  private readonly grads: Tensor[] = [];

  /** `gate` names the subclass in errors; options as the subclass's constructor got them (GATE_OPTIONS). */
  constructor(protected readonly gate: string, options: Pool2DOptions) {
    this.win = checkPoolWindow(gate, options, readWindow(gate, options, ['kernel', 'stride', 'padding'], 'kernel'));
  }

  protected abstract pool(x: Tensor, win: Window, out: Tensor): void;
  protected abstract unpool(dout: Tensor, win: Window, dx: Tensor): void;

  forward(...inputs: Tensor[]): Tensor {
    expectInputs(this.gate, inputs, 1);
    const x = inputs[0];
    const win = this.win;
    expectNCHW(this.gate, x.shape);
    const [n, c, h, w] = x.shape;
    const [oh, ow] = windowOutput(this.gate, win, x.shape, h, w);
    const out = (this.output = Tensor.reuse(this.output, [n, c, oh, ow], x.dtype));
    this.pool(x, win, out);
    this.x = x;
    return out;
  }

  backward(dout: Tensor): Tensor[] {
    const x = this.x;
    expectDout(this.gate, x, dout, this.output?.shape);
    const dx = (this.dx = Tensor.reuse(this.dx, x.shape, x.dtype));
    dx.data.fill(0);
    this.unpool(dout, this.win, dx);
    this.grads[0] = dx;
    return this.grads;
  }
}

// One NCHW input; the output [N, C, OH, OW] from the window (checked when the graph is built where H and W are declared).
describeGateBase(Pool2DGate, {
  arity: 1,
  shape: ([x], g) => {
    const pool = g as unknown as { gate: string; win: Window };
    const [oh, ow] = windowSpec(pool.gate, pool.win, x);
    return [x[0], x[1], oh, ow];
  },
});
