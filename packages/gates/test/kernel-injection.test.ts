import { ComputationalGraph, MATMUL_KERNEL, MatmulKernel, matmul, matmulTransA, matmulTransB, Tensor } from '@chainrule/core';
import { createGatesContainer, MatMulGate } from '@chainrule/gates';

/** A kernel that counts its calls and runs the reference loops: proves the gate uses the container's binding. */
function countingKernel(): MatmulKernel & { calls: number } {
  const k = {
    name: 'counting',
    calls: 0,
    gemm: (...a: Parameters<typeof matmul>) => (k.calls++, matmul(...a)),
    gemmTransA: (...a: Parameters<typeof matmulTransA>) => (k.calls++, matmulTransA(...a)),
    gemmTransB: (...a: Parameters<typeof matmulTransB>) => (k.calls++, matmulTransB(...a)),
  };
  return k;
}

describe('the matmul kernel is a container service', () => {
  test('a graph built on a container that binds MATMUL_KERNEL runs its products there; another container is unaffected', () => {
    const kernel = countingKernel();
    const bound = createGatesContainer();
    bound.bind(MATMUL_KERNEL).toConstantValue(kernel);
    const g = new ComputationalGraph(bound);
    const x = g.input('x');
    g.gate(MatMulGate, [x, g.parameter('W', Tensor.from([[1, 2], [3, 4]]))]);
    g.gate('SumGate', [g.output]);
    expect(g.forward({ x: [[1, 1]] }).item()).toBe(10);
    g.backward();
    expect(kernel.calls).toBe(3);

    const other = new ComputationalGraph(createGatesContainer());
    const y = other.input('x');
    other.gate(MatMulGate, [y, other.parameter('W', Tensor.from([[1, 2], [3, 4]]))]);
    other.forward({ x: [[1, 1]] });
    expect(kernel.calls).toBe(3);
  });

  test('a MatMulGate made with new uses the default kernel', () => {
    expect(new MatMulGate().forward(Tensor.from([[1, 2]]), Tensor.from([[3], [4]])).toArray()).toEqual([[11]]);
  });
});
