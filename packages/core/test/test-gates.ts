// Minimal gates for core's own tests: core must not depend on @chainrule/gates, even in tests.
import { injectable } from 'inversify';
import { BinaryGate, TypedArray, UnaryGate } from '../src';

@injectable()
export class TestAdd extends BinaryGate {
  protected compute(x: TypedArray, y: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) out[i] = x[i] + y[i];
  }
  protected differentiate(_x: TypedArray, _y: TypedArray, _o: TypedArray, d: TypedArray, gx: TypedArray, gy: TypedArray): void {
    for (let i = 0; i < d.length; i++) {
      gx[i] = d[i];
      gy[i] = d[i];
    }
  }
}

@injectable()
export class TestMul extends BinaryGate {
  protected compute(x: TypedArray, y: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) out[i] = x[i] * y[i];
  }
  protected differentiate(x: TypedArray, y: TypedArray, _o: TypedArray, d: TypedArray, gx: TypedArray, gy: TypedArray): void {
    for (let i = 0; i < d.length; i++) {
      gx[i] = y[i] * d[i];
      gy[i] = x[i] * d[i];
    }
  }
}

@injectable()
export class TestSquare extends UnaryGate {
  protected compute(x: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) out[i] = x[i] * x[i];
  }
  protected differentiate(x: TypedArray, _o: TypedArray, d: TypedArray, dx: TypedArray): void {
    for (let i = 0; i < d.length; i++) dx[i] = 2 * x[i] * d[i];
  }
}

/** y = x + 1: cheap enough to chain 100,000 times. */
@injectable()
export class TestIncrement extends UnaryGate {
  protected compute(x: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) out[i] = x[i] + 1;
  }
  protected differentiate(_x: TypedArray, _o: TypedArray, d: TypedArray, dx: TypedArray): void {
    for (let i = 0; i < d.length; i++) dx[i] = d[i];
  }
}
