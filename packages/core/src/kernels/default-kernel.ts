import { createKernel } from './create-kernel';
import { KernelInfo, MatmulKernel } from './kernel';

// Created on first use, so importing core compiles nothing and warns about nothing.
let auto: MatmulKernel | undefined;
const lazyAuto = (): MatmulKernel => (auto ??= createKernel({ backend: 'auto' }));

/** The kernel of gates built without a container binding for MATMUL_KERNEL: createKernel({ backend: 'auto' }), made on first use. */
export const defaultKernel: MatmulKernel = {
  get name(): string {
    return lazyAuto().name;
  },
  get info(): KernelInfo {
    return kernelInfo(lazyAuto());
  },
  gemm: (a, b, out, m, k, n, accumulate) => lazyAuto().gemm(a, b, out, m, k, n, accumulate),
  gemmTransA: (a, b, out, m, k, n, accumulate) => lazyAuto().gemmTransA(a, b, out, m, k, n, accumulate),
  gemmTransB: (a, b, out, m, k, n, accumulate) => lazyAuto().gemmTransB(a, b, out, m, k, n, accumulate),
  alloc: (dtype, length) => lazyAuto().alloc?.(dtype, length),
  release: (data) => lazyAuto().release?.(data),
};

/** What a kernel reports about itself (a custom kernel without `info` is described by its name). */
export function kernelInfo(kernel: MatmulKernel = defaultKernel): KernelInfo {
  return kernel.info ?? { name: kernel.name, threads: 1, reason: `${kernel.name}: a kernel that does not describe itself` };
}
