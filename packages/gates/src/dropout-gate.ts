import { expectDout, expectInputs, Gate, GATE_OPTIONS, GateDescription, GateContext, InvalidArgumentError, Random, RANDOM_SOURCE, readOptions, Tensor, sameShapeRule } from '@chainrule/core';
import { inject, injectable, optional } from 'inversify';

export interface DropoutOptions {
  /** Probability of zeroing each element in training, in [0, 1) (default 0.5). */
  p?: number;
  /** Seed of the gate's own Random when the container binds no RANDOM_SOURCE (default 42). */
  seed?: number;
}

/**
 * Inverted dropout. Training: y = x ⊙ m with m[i] = 0 with probability p, else 1 / (1 − p), drawn
 * afresh at every forward, so E[y] = x and evaluation needs no rescaling. Evaluation (the graph's
 * `eval()`, through the prepare hook): y = x. Backward: dx = dout ⊙ m (dout in evaluation).
 * The mask comes from the container's RANDOM_SOURCE when it binds one (one seeded stream for the
 * whole run), else from the gate's own `new Random(seed)`.
 */
@injectable()
export class DropoutGate implements Gate {
  static readonly description: GateDescription<DropoutGate> = {
    arity: 1,
    shape: sameShapeRule,
    trace: {
      pattern: 'dropout masks and rescales',
      elementwise: true,
      expression: (c) => `dropout(${c.inputs[0]}, p = ${c.num(c.gate.p)})`,
      local: (_j, c) => ({ formula: `1/(1 − ${c.num(c.gate.p)}) where kept, 0 where dropped (1 everywhere in evaluation)` }),
    },
  };
  readonly p: number;
  private readonly rng: Random;
  private training = true;
  private x: Tensor | undefined;
  private output: Tensor | undefined;
  private mask: Tensor | undefined;
  private dx: Tensor | undefined;
  private readonly grads: Tensor[] = [];

  constructor(
    @inject(GATE_OPTIONS) @optional() options: DropoutOptions = {},
    @inject(RANDOM_SOURCE) @optional() shared: Random | undefined = undefined,
  ) {
    const o = readOptions<DropoutOptions>('DropoutGate', options, { p: 'number', seed: 'integer' });
    if (o.p !== undefined && !(o.p >= 0 && o.p < 1)) {
      throw new InvalidArgumentError(`DropoutGate: option 'p' must be a probability in [0, 1), got ${o.p}`);
    }
    this.p = o.p ?? 0.5;
    this.rng = shared ?? new Random(o.seed ?? 42);
  }

  prepare(ctx: GateContext): void {
    this.training = ctx.training;
  }

  forward(...inputs: Tensor[]): Tensor {
    expectInputs('DropoutGate', inputs, 1);
    const x = inputs[0];
    const out = (this.output = Tensor.reuse(this.output, x.shape, x.dtype));
    this.x = x;
    if (!this.training || this.p === 0) {
      out.data.set(x.data);
      return out;
    }
    const mask = (this.mask = Tensor.reuse(this.mask, x.shape, x.dtype));
    const m = mask.data;
    const keep = 1 / (1 - this.p);
    const threshold = this.p * 4294967296; // p of the 2³² values nextUint32 draws from
    const rng = this.rng;
    const xd = x.data;
    const o = out.data;
    for (let i = 0; i < m.length; i++) {
      m[i] = rng.nextUint32() < threshold ? 0 : keep;
      o[i] = xd[i] * m[i];
    }
    return out;
  }

  backward(dout: Tensor): Tensor[] {
    const x = this.x;
    expectDout('DropoutGate', x, dout, this.output?.shape);
    const dx = (this.dx = Tensor.reuse(this.dx, x.shape, x.dtype));
    if (!this.training || this.p === 0) dx.data.set(dout.data);
    else {
      const m = (this.mask as Tensor).data;
      const d = dout.data;
      for (let i = 0; i < d.length; i++) dx.data[i] = d[i] * m[i];
    }
    this.grads[0] = dx;
    return this.grads;
  }
}
