import { ContainerModule } from 'inversify';
import { InvalidArgumentError } from '../errors';
import { unknownOption } from '../options';
import { HelperSpawner } from './helper-thread';
import { KernelInfo, MATMUL_KERNEL, MatmulKernel } from './kernel';
import { matmul, matmulTransA, matmulTransB } from './matmul';
import { THREAD_MIN_MACS } from './split-policy';
import { WasmKernel } from './wasm-kernel';

/**
 * Chooses and builds a matrix-product kernel: the choice belongs to a container (kernelModule), not
 * to the process. Nothing here touches a platform API: threads come from a spawner that the caller
 * supplies (Node's: createNodeKernel / spawnNodeHelper from '@chainrule/core/node').
 */
export interface KernelOptions {
  /**
   * 'js': the plain TypeScript loops (the reference, always available); 'wasm': the WebAssembly SIMD
   * kernel for every product whose operands share a dtype (throws when it cannot load); 'auto'
   * (default): wasm when it loads and the product has at least 4,096 multiply-adds, js otherwise,
   * with one console warning when wasm cannot load.
   */
  backend?: 'js' | 'wasm' | 'auto';
  /** 1 (default) or 2: a helper thread computes part of large products (needs spawnHelper). */
  threads?: number;
  /** Starts the helper thread for threads: 2. */
  spawnHelper?: HelperSpawner;
  /** Multiply-adds below which the helper never takes part, per dtype (default 2^20 float32, 2^19 float64). */
  threadMinMacs?: { float32?: number; float64?: number };
  /** Above that: 'measured' (default) splits a size class only while timing shows two threads are faster; 'always' splits every product. */
  threadSplit?: 'measured' | 'always';
  /** A helper that holds a job this long past the caller's share is declared lost (default 2000 ms). */
  helperTimeoutMs?: number;
}

/** What createKernel returns: a MatmulKernel that describes itself and can stop its helper thread. */
export interface ManagedKernel extends MatmulKernel {
  readonly info: KernelInfo;
  /** Resolves true once a helper thread is ready to take rows; false when there is none or it did not start within `ms`. */
  threadsReady(ms?: number): Promise<boolean>;
  /** Stops the helper thread, if any; products continue on one thread. */
  dispose(): void;
}

/** Below this many multiply-adds, 'auto' keeps to the JavaScript loops: the copies into wasm memory cost more. */
const AUTO_MIN_MACS = 4096;

const BACKENDS = ['js', 'wasm', 'auto'];
const OPTIONS = ['backend', 'threads', 'spawnHelper', 'threadMinMacs', 'threadSplit', 'helperTimeoutMs'];

/** The plain TypeScript kernel (kernels/matmul.ts), described by why it was chosen. */
function jsKernel(reason: string): ManagedKernel {
  const info: KernelInfo = { name: 'js', threads: 1, reason };
  const threadsReady = async (): Promise<boolean> => false;
  return { name: 'js', info, gemm: matmul, gemmTransA: matmulTransA, gemmTransB: matmulTransB, threadsReady, dispose: () => undefined };
}

// One warning per distinct reason per process: many containers falling back for the same reason say it once.
const warned = new Set<string>();

function check(o: KernelOptions): void {
  const fail = (what: string): never => {
    throw new InvalidArgumentError(`createKernel: ${what}`);
  };
  if (typeof o !== 'object' || o === null) fail(`expected an options object, got ${String(o)}`);
  for (const key of Object.keys(o)) if (!OPTIONS.includes(key)) fail(unknownOption(key, OPTIONS));
  if (o.backend !== undefined && !BACKENDS.includes(o.backend)) fail(`backend: expected 'js', 'wasm' or 'auto', got ${JSON.stringify(o.backend)}`);
  if (o.threads !== undefined && o.threads !== 1 && o.threads !== 2) fail(`threads: expected 1 or 2, got ${String(o.threads)}`);
  if (o.threads === 2 && o.backend === 'js') fail("threads: 2 needs the WebAssembly kernel, got backend 'js'");
  if (o.threads === 2 && typeof o.spawnHelper !== 'function') {
    fail("threads: 2 needs spawnHelper (in Node: createNodeKernel from '@chainrule/core/node')");
  }
  if (o.helperTimeoutMs !== undefined && !(o.helperTimeoutMs > 0 && o.helperTimeoutMs < Infinity)) {
    fail(`helperTimeoutMs: expected a positive number of milliseconds, got ${String(o.helperTimeoutMs)}`);
  }
  if (o.threadSplit !== undefined && o.threadSplit !== 'measured' && o.threadSplit !== 'always') fail(`threadSplit: expected 'measured' or 'always', got ${JSON.stringify(o.threadSplit)}`);
  for (const [dtype, v] of Object.entries(o.threadMinMacs ?? {})) {
    if (!(dtype === 'float32' || dtype === 'float64') || !(typeof v === 'number' && v >= 0)) fail(`threadMinMacs.${dtype}: expected a number >= 0, got ${String(v)}`);
  }
}

/** A kernel as the options ask; see KernelOptions. Invalid options throw InvalidArgumentError. */
export function createKernel(options: KernelOptions = {}): ManagedKernel {
  check(options);
  const backend = options.backend ?? 'auto';
  if (backend === 'js') return jsKernel('js: chosen (backend: js)');
  const made = WasmKernel.create({
    minMacs: backend === 'auto' ? AUTO_MIN_MACS : 0,
    spawnHelper: options.threads === 2 ? options.spawnHelper : undefined,
    threadMinMacs: { ...THREAD_MIN_MACS, ...options.threadMinMacs },
    split: options.threadSplit ?? 'measured',
    helperTimeoutMs: options.helperTimeoutMs ?? 2000,
  });
  if ('kernel' in made) {
    if (made.threadsWhyNot !== undefined) warn(`threads: 2 unavailable, products run on one thread: ${made.threadsWhyNot}`);
    return made.kernel;
  }
  if (backend === 'wasm') throw new InvalidArgumentError(`createKernel: backend 'wasm' unavailable: ${made.reason}`);
  warn(`${made.reason}; matrix products run on the plain-JS kernel (several times slower)`);
  return jsKernel(`js: ${made.reason}`);
}

function warn(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(`chainrule: ${message}`);
}

/**
 * A container module binding MATMUL_KERNEL for that container's gates: to a kernel made with these
 * options on first use (`createGatesContainer(kernelModule({ backend: 'js' }))`), or to a kernel
 * already made (`kernelModule(createKernel(...))`, to share one between containers or dispose it).
 */
export function kernelModule(options: KernelOptions | MatmulKernel = {}): ContainerModule {
  if (isKernel(options)) return new ContainerModule((module) => void module.bind<MatmulKernel>(MATMUL_KERNEL).toConstantValue(options));
  check(options);
  return new ContainerModule((module) => {
    module.bind<MatmulKernel>(MATMUL_KERNEL).toDynamicValue(() => createKernel(options)).inSingletonScope();
  });
}

function isKernel(x: KernelOptions | MatmulKernel): x is MatmulKernel {
  return typeof (x as MatmulKernel | null)?.gemm === 'function';
}
