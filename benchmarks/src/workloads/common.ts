import { kernelInfo, ManagedKernel } from '@chainrule/core';
import { createNodeKernel } from '@chainrule/core/node';
import type { Row } from '../harness';

/** The peers a run can include (chainrule's own configurations always run). */
export type Peer = 'tfjs-cpu' | 'tfjs-wasm' | 'convnetjs' | 'plain JS' | 'lean JS' | 'pytorch';
export const ALL_PEERS: Peer[] = ['tfjs-cpu', 'tfjs-wasm', 'convnetjs', 'plain JS', 'lean JS', 'pytorch'];

export type Log = (line: string) => void;

/** What one repetition of one library measured in one case (a row of the table, before medians and ratios). */
export interface CaseResult {
  case: string;
  /** The row's library, where it differs from the job's (W2's floors report under several cases). */
  library?: string;
  value: number;
  loss?: number;
  bytesPerStep?: number;
  bytesPerNode?: number;
  note?: string;
}

/**
 * A workload as the runner sees it: the libraries (jobs) it runs for some options, and one
 * repetition of one library, which runs in a process of its own (see peer-process.ts). Options
 * travel to that process by structured clone, so they are plain data.
 */
export interface Workload<O extends { reps: number }> {
  title: Row['workload'];
  metric: string;
  unit: string;
  /** The libraries to run, in the order each repetition runs them (chainrule first), and notes on any skipped. */
  libraries(o: O, peers: readonly Peer[]): { run: string[]; skipped: string[] };
  run(library: string, rep: number, o: O): Promise<CaseResult[]>;
}

/** Runs `body` with a kernel of this backend and thread count (helper thread started and ready), disposing it afterwards. */
export async function withKernel<T>(backend: 'js' | 'wasm' | 'auto', threads: 1 | 2, body: (kernel: ManagedKernel) => Promise<T> | T): Promise<T> {
  const kernel = createNodeKernel({ backend, threads });
  if (threads > 1 && !(await kernel.threadsReady())) throw new Error(`bench: the kernel's helper thread did not start (${kernel.info.reason})`);
  try {
    return await body(kernel);
  } finally {
    kernel.dispose();
  }
}

/** Whether the WebAssembly kernel loads here (the default kernel is then wasm). */
export const wasmAvailable = (): boolean => kernelInfo().name.startsWith('wasm');

/** The kernel configurations chainrule runs as, by library name. */
export const CHAINRULE_KERNELS: Record<string, { backend: 'js' | 'wasm' | 'auto'; threads: 1 | 2 }> = {
  chainrule: { backend: 'auto', threads: 1 },
  'chainrule (2 threads)': { backend: 'auto', threads: 2 },
  'chainrule (js kernel)': { backend: 'js', threads: 1 },
  'chainrule (unfused layers)': { backend: 'auto', threads: 1 },
};

/** chainrule's configurations for a workload: one thread; two threads where wasm loads; the js kernel if asked. */
export function chainruleLibraries(withJs: boolean): string[] {
  return ['chainrule', ...(wasmAvailable() ? ['chainrule (2 threads)'] : []), ...(withJs ? ['chainrule (js kernel)'] : [])];
}

/** Repeats `step` until `minMs` have passed; returns (calls, seconds). */
export function timeFor(step: () => void, minMs: number): { calls: number; seconds: number } {
  let calls = 0;
  const t0 = performance.now();
  let dt = 0;
  do {
    step();
    calls++;
    dt = performance.now() - t0;
  } while (dt < minMs);
  return { calls, seconds: dt / 1000 };
}
