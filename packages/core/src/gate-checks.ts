import { ArityError, BackwardBeforeForwardError, ShapeError } from './errors';
import { formatShape, Shape, shapesEqual } from './shape';
import { assertTensor, Tensor } from './tensor';

/** Throws ArityError unless a gate got exactly `expected` inputs, each a Tensor. */
export function expectInputs(gate: string, inputs: readonly unknown[], expected: number): asserts inputs is Tensor[] {
  if (inputs.length !== expected) {
    throw new ArityError(`${gate}.forward: expected ${expected} input${expected === 1 ? '' : 's'}, got ${inputs.length}`);
  }
  // The message is built only on failure: this runs on every forward.
  for (let i = 0; i < inputs.length; i++) if (!(inputs[i] instanceof Tensor)) assertTensor(inputs[i], `${gate}.forward input ${i}`);
}

/**
 * How many of a forward's declared parameters were given, counting one parameter past the inputs
 * (`forward(x, extra?)`, `forward(x, y, extra?)`) to notice too many. Not `arguments.length`: a gate
 * that runs once per step (W1) stays in V8's interpreter, where reading `arguments` allocates an
 * arguments object per call. A trailing `undefined` counts as not given.
 */
export function givenCount(a: unknown, b?: unknown, c?: unknown): number {
  return c !== undefined ? 3 : b !== undefined ? 2 : a !== undefined ? 1 : 0;
}

/**
 * expectInputs for a forward that declares its inputs as parameters (`forward(x, y)`, which the
 * graph calls without making an array): `count` is `givenCount(...)` over the declared parameters
 * and one extra, so a count above `expected` means "that many or more"; checks the first one or two.
 */
export function expectArgs(gate: string, count: number, expected: number, a: unknown, b?: unknown): void {
  if (count !== expected) {
    throw new ArityError(`${gate}.forward: expected ${expected} input${expected === 1 ? '' : 's'}, got ${count}${count > expected ? ' or more' : ''}`);
  }
  if (!(a instanceof Tensor)) assertTensor(a, `${gate}.forward input 0`);
  if (expected > 1 && !(b instanceof Tensor)) assertTensor(b, `${gate}.forward input 1`);
}

/** Throws unless forward has run (`cached` is what forward stored) and dout has the output's shape. */
export function expectDout<T>(gate: string, cached: T | undefined, dout: Tensor, outShape: Shape | undefined): asserts cached is T {
  if (cached === undefined || outShape === undefined) {
    throw new BackwardBeforeForwardError(`${gate}.backward: called before forward (nothing cached to differentiate)`);
  }
  if (!(dout instanceof Tensor)) assertTensor(dout, `${gate}.backward dout`); // message built only on failure
  if (!shapesEqual(dout.shape, outShape)) {
    throw new ShapeError(`${gate}.backward: dout must have the output's shape ${formatShape(outShape)}, got ${formatShape(dout.shape)}`);
  }
}
