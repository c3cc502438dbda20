import { BinaryGate, Gate, GateClass, TypedArray, UnaryGate } from '@chainrule/core';

/**
 * The elementwise math of a UnaryGate or BinaryGate, called directly on length-1 arrays: the eager
 * scalar path's way of getting every derivative from the gate classes themselves (no second
 * implementation) without a Tensor, an inputs array or a gate instance per scalar node.
 *
 * `compute` and `differentiate` are protected in core because graph code must go through
 * forward/backward; this file is the one place outside core that calls them, on one configured gate
 * instance per (class, options) pair that is never given to a graph.
 */
interface UnaryMath {
  compute(x: TypedArray, out: TypedArray): void;
  differentiate(x: TypedArray, out: TypedArray, dout: TypedArray, dx: TypedArray): void;
}

interface BinaryMath {
  compute(x: TypedArray, y: TypedArray, out: TypedArray): void;
  differentiate(x: TypedArray, y: TypedArray, out: TypedArray, dout: TypedArray, gx: TypedArray, gy: TypedArray): void;
}

/** One elementwise gate, made with its options, as the scalar path uses it. */
export class ScalarKernel {
  readonly unary: boolean;
  private readonly u: UnaryMath;
  private readonly b: BinaryMath;
  // Shared length-1 buffers: the scalar path runs one node at a time.
  private static readonly x = new Float64Array(1);
  private static readonly y = new Float64Array(1);
  private static readonly out = new Float64Array(1);
  private static readonly dout = new Float64Array(1);
  private static readonly gx = new Float64Array(1);
  private static readonly gy = new Float64Array(1);

  constructor(
    /** The gate class (what a converted graph node applies). */
    readonly id: GateClass,
    /** The options it was made with (what a traced graph node is given). */
    readonly options: Record<string, unknown> | undefined,
    gate: UnaryGate | BinaryGate,
  ) {
    this.unary = gate instanceof UnaryGate;
    this.u = gate as unknown as UnaryMath;
    this.b = gate as unknown as BinaryMath;
  }

  /**
   * Whether a gate's math can run on the scalar path: a UnaryGate or BinaryGate that keeps its base's
   * forward and backward (a subclass that overrides them does more than compute/differentiate, so it
   * takes the tensor path, as the graph calls an overridden forward through `forward`).
   */
  static accepts(gate: Gate): gate is UnaryGate | BinaryGate {
    const base = gate instanceof UnaryGate ? UnaryGate.prototype : gate instanceof BinaryGate ? BinaryGate.prototype : undefined;
    return base !== undefined && gate.forward === base.forward && gate.backward === base.backward;
  }

  forward1(x: number): number {
    const K = ScalarKernel;
    K.x[0] = x;
    this.u.compute(K.x, K.out);
    return K.out[0];
  }

  forward2(x: number, y: number): number {
    const K = ScalarKernel;
    K.x[0] = x;
    K.y[0] = y;
    this.b.compute(K.x, K.y, K.out);
    return K.out[0];
  }

  /** dL/dx of a unary node; `out` is the node's value from forward. */
  backward1(x: number, out: number, dout: number): number {
    const K = ScalarKernel;
    K.x[0] = x;
    K.out[0] = out;
    K.dout[0] = dout;
    this.u.differentiate(K.x, K.out, K.dout, K.gx);
    return K.gx[0];
  }

  /** dL/dx and dL/dy of a binary node, left in `ScalarKernel.gradX()` / `gradY()` (no pair allocated). */
  backward2(x: number, y: number, out: number, dout: number): void {
    const K = ScalarKernel;
    K.x[0] = x;
    K.y[0] = y;
    K.out[0] = out;
    K.dout[0] = dout;
    this.b.differentiate(K.x, K.y, K.out, K.dout, K.gx, K.gy);
  }

  static gradX(): number {
    return ScalarKernel.gx[0];
  }

  static gradY(): number {
    return ScalarKernel.gy[0];
  }
}
