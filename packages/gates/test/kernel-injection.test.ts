import { ComputationalGraph, createKernel, kernelInfo, kernelModule, MATMUL_KERNEL, MatmulKernel, matmul, matmulTransA, matmulTransB, Random, Tensor } from '@chainrule/core';
import { Container } from 'inversify';
import { createGatesContainer, MatMulGate } from '@chainrule/gates';

/** x·W summed, on the given container. */
function build(container: Container, w: Tensor): ComputationalGraph {
  const g = new ComputationalGraph(container);
  g.gate(MatMulGate, [g.input('x'), g.parameter('W', w.clone())]);
  g.gate('SumGate', [g.output]);
  return g;
}

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

  test('two containers with different kernels coexist: each graph runs on its own, with the same results', () => {
    const kernels = { js: createKernel({ backend: 'js' }), wasm: createKernel({ backend: 'wasm' }) };
    const spies = { js: jest.spyOn(kernels.js, 'gemm'), wasm: jest.spyOn(kernels.wasm, 'gemm') };
    const containers = { js: createGatesContainer(kernelModule(kernels.js)), wasm: createGatesContainer(kernelModule(kernels.wasm)) };
    const rng = new Random(3);
    const x = rng.randn([64, 100]);
    const w = rng.randn([100, 30]);
    const graphs = { js: build(containers.js, w), wasm: build(containers.wasm, w) };
    // Interleaved, so neither graph could be relying on a process-wide switch.
    const grads: Record<string, Tensor[]> = { js: [], wasm: [] };
    for (let i = 0; i < 2; i++) {
      for (const which of ['js', 'wasm'] as const) {
        graphs[which].forward({ x });
        graphs[which].backward();
        grads[which].push((graphs[which].node('W').grad as Tensor).clone());
      }
    }
    expect(spies.js).toHaveBeenCalledTimes(2);
    expect(spies.wasm).toHaveBeenCalledTimes(2);
    grads.js[0].data.forEach((v, i) => expect(Math.abs(v - grads.wasm[0].data[i])).toBeLessThan(1e-10));
    expect(grads.js[1].data).toEqual(grads.js[0].data);
    expect(grads.wasm[1].data).toEqual(grads.wasm[0].data);
  });

  test('kernelModule(options) makes one kernel per container, on first use', () => {
    const options = { js: kernelModule({ backend: 'js' }), wasm: kernelModule({ backend: 'wasm' }) };
    const a = createGatesContainer(options.wasm);
    const b = createGatesContainer(options.wasm);
    expect(kernelInfo(createGatesContainer(options.js).get<MatmulKernel>(MATMUL_KERNEL)).name).toBe('js');
    expect(kernelInfo(a.get<MatmulKernel>(MATMUL_KERNEL)).name).toBe('wasm-simd');
    expect(a.get(MATMUL_KERNEL)).toBe(a.get(MATMUL_KERNEL));
    expect(a.get(MATMUL_KERNEL)).not.toBe(b.get(MATMUL_KERNEL));
  });

  test('a MatMulGate made with new uses the default kernel', () => {
    expect(new MatMulGate().forward(Tensor.from([[1, 2]]), Tensor.from([[3], [4]])).toArray()).toEqual([[11]]);
  });
});
