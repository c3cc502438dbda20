import { ScalarOps } from './types';

/**
 * The lean scalar floor of W2: micrograd's Value as Karpathy wrote it, in plain JavaScript and
 * nothing more. Each op makes one Value holding its inputs and a closure for its local backward;
 * backward() sorts the graph depth-first (recursively, with a Set of visited Values, as micrograd)
 * and runs the closures in reverse. No classes per op, no shape or dtype, no checks: what any
 * scalar autodiff has to pay at least, so the floor chainrule's graph is measured against.
 */
const NONE: readonly LeanValue[] = [];
const noop = (): void => undefined;

export class LeanValue {
  grad = 0;
  backwardFn: () => void = noop;
  constructor(
    public data: number,
    readonly prev: readonly LeanValue[] = NONE,
  ) {}

  add(other: LeanValue): LeanValue {
    const out = new LeanValue(this.data + other.data, [this, other]);
    out.backwardFn = () => {
      this.grad += out.grad;
      other.grad += out.grad;
    };
    return out;
  }

  sub(other: LeanValue): LeanValue {
    const out = new LeanValue(this.data - other.data, [this, other]);
    out.backwardFn = () => {
      this.grad += out.grad;
      other.grad -= out.grad;
    };
    return out;
  }

  mul(other: LeanValue): LeanValue {
    const out = new LeanValue(this.data * other.data, [this, other]);
    out.backwardFn = () => {
      this.grad += other.data * out.grad;
      other.grad += this.data * out.grad;
    };
    return out;
  }

  tanh(): LeanValue {
    const t = Math.tanh(this.data);
    const out = new LeanValue(t, [this]);
    out.backwardFn = () => {
      this.grad += (1 - t * t) * out.grad;
    };
    return out;
  }

  backward(): void {
    const topo: LeanValue[] = [];
    const visited = new Set<LeanValue>();
    const build = (v: LeanValue): void => {
      if (visited.has(v)) return;
      visited.add(v);
      for (const child of v.prev) build(child);
      topo.push(v);
    };
    build(this);
    this.grad = 1;
    for (let i = topo.length - 1; i >= 0; i--) topo[i].backwardFn();
  }
}

export const leanOps: ScalarOps<LeanValue> = {
  add: (a, b) => a.add(b),
  sub: (a, b) => a.sub(b),
  mul: (a, b) => a.mul(b),
  tanh: (a) => a.tanh(),
};
