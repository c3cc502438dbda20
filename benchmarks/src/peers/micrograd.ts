import { ScalarOps } from './types';

/**
 * The floor W2 is measured against: a minimal hand-written scalar autodiff in plain JavaScript,
 * micrograd's design (a Value per op holding its inputs and a local backward closure; backward
 * sorts the graph depth-first and runs the closures in reverse). Rebuilt every step, as micrograd is.
 */
export class Value {
  grad = 0;
  backwardFn: (() => void) | null = null;
  constructor(
    public data: number,
    readonly prev: Value[] = [],
  ) {}

  backward(): void {
    const topo: Value[] = [];
    const visited = new Set<Value>();
    // Iterative post-order DFS (a 64,000-node chain would overflow a recursive one).
    const stack: Array<[Value, number]> = [[this, 0]];
    visited.add(this);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [v, i] = top;
      if (i < v.prev.length) {
        top[1]++;
        const c = v.prev[i];
        if (!visited.has(c)) {
          visited.add(c);
          stack.push([c, 0]);
        }
      } else {
        topo.push(v);
        stack.pop();
      }
    }
    this.grad = 1;
    for (let k = topo.length - 1; k >= 0; k--) topo[k].backwardFn?.();
  }
}

export const valueOps: ScalarOps<Value> = {
  add(a, b) {
    const out = new Value(a.data + b.data, [a, b]);
    out.backwardFn = () => {
      a.grad += out.grad;
      b.grad += out.grad;
    };
    return out;
  },
  mul(a, b) {
    const out = new Value(a.data * b.data, [a, b]);
    out.backwardFn = () => {
      a.grad += b.data * out.grad;
      b.grad += a.data * out.grad;
    };
    return out;
  },
  sub(a, b) {
    const out = new Value(a.data - b.data, [a, b]);
    out.backwardFn = () => {
      a.grad += out.grad;
      b.grad -= out.grad;
    };
    return out;
  },
  tanh(a) {
    const t = Math.tanh(a.data);
    const out = new Value(t, [a]);
    out.backwardFn = () => {
      a.grad += (1 - t * t) * out.grad;
    };
    return out;
  },
};
