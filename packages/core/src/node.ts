import { ContainerModule } from 'inversify';
import { createKernel, KernelOptions, kernelModule, ManagedKernel } from './kernels/create-kernel';
import { spawnNodeHelper } from './kernels/node-helper';

/**
 * '@chainrule/core/node': what only Node can do, kept off core's main entry so that browser bundles
 * never import a Node built-in. Today: the matmul kernel's helper thread (worker_threads).
 *
 *   createGatesContainer(nodeKernelModule({ threads: 2 }))
 */
export { spawnNodeHelper };

/** createKernel with Node's helper-thread spawner, so `threads: 2` works. */
export function createNodeKernel(options: KernelOptions = {}): ManagedKernel {
  return createKernel({ spawnHelper: spawnNodeHelper, ...options });
}

/** kernelModule with Node's helper-thread spawner: `createGatesContainer(nodeKernelModule({ threads: 2 }))`. */
export function nodeKernelModule(options: KernelOptions = {}): ContainerModule {
  return kernelModule({ spawnHelper: spawnNodeHelper, ...options });
}
