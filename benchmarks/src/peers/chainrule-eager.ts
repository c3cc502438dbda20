import { constant, Value, value, zeroGrad } from '@chainrule/eager';
import { scalarMlpLoss, ScalarOps } from './types';

/** W2 in chainrule's eager mode: the network written as code over Values, recorded anew every step. */
export const eagerOps: ScalarOps<Value> = {
  add: (a, b) => a.add(b),
  mul: (a, b) => a.mul(b),
  sub: (a, b) => a.sub(b),
  tanh: (a) => a.tanh(),
};

/** One training-free step (forward + backward, gradients zeroed first), as micrograd's; returns the loss. */
export function eagerScalarStep(params: Float64Array, xs: Float64Array, ys: Float64Array, sizes: readonly number[]): () => number {
  const p = Array.from(params, (v) => value(v));
  // Data is constant (PyTorch's requires_grad=False): backward skips the points' own gradients.
  const x = Array.from(xs, (v) => constant(v));
  const y = Array.from(ys, (v) => constant(v));
  return () => {
    zeroGrad(p);
    const loss = scalarMlpLoss(eagerOps, p, x, y, sizes);
    loss.backward();
    return loss.item();
  };
}
