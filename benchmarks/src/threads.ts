import * as os from 'os';
import { ManagedKernel } from '@chainrule/core';
import { createNodeKernel } from '@chainrule/core/node';
import { median, now } from './harness';

/**
 * Where a second matmul thread starts to pay, per dtype (issue 19, "threads that pay"): times each
 * product on one thread, on two (every product split), and with the default measured split policy,
 * repetitions interleaved so a change in machine load hits all alike, and prints the median and
 * range of the speed-ups over one thread.
 * The products are W1's own (784-128-10 at batch 64, and hidden 1024 / batch 256) and squares.
 *
 *   npm run bench:threads [-- reps]
 */

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;
type Method = 'gemm' | 'gemmTransA' | 'gemmTransB';

const products: Array<[string, Method, number, number, number]> = [
  ['W1 x·W1 64×784·784×128', 'gemm', 64, 784, 128],
  ['W1 dW1 = xᵀ·g 784×64·64×128', 'gemmTransA', 784, 64, 128],
  ['W1 h·W2 64×128·128×10', 'gemm', 64, 128, 10],
  ['W1 dh = g·W2ᵀ 64×10·10×128', 'gemmTransB', 64, 10, 128],
  ['W1h1024 x·W1 256×784·784×1024', 'gemm', 256, 784, 1024],
  ['W1h1024 dW1 784×256·256×1024', 'gemmTransA', 784, 256, 1024],
  ['W1h1024 dh 256×10·10×1024', 'gemmTransB', 256, 10, 1024],
  ['W1h1024 h·W2 256×1024·1024×10', 'gemm', 256, 1024, 10],
  ['square 64', 'gemm', 64, 64, 64],
  ['square 96', 'gemm', 96, 96, 96],
  ['square 128', 'gemm', 128, 128, 128],
  ['square 192', 'gemm', 192, 192, 192],
  ['square 256', 'gemm', 256, 256, 256],
  ['square 512', 'gemm', 512, 512, 512],
];

/** Seconds per product: repeats until minMs have passed. */
function time(kernel: ManagedKernel, method: Method, a: Float32Array | Float64Array, b: typeof a, out: typeof a, m: number, k: number, n: number, minMs: number): number {
  let reps = 0;
  const t0 = now();
  let dt = 0;
  do {
    kernel[method](a, b, out, m, k, n);
    reps++;
    dt = now() - t0;
  } while (dt < minMs);
  return dt / 1000 / reps;
}

const range = (xs: number[]): string => `${median(xs).toFixed(2)} [${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}]`;

async function main(): Promise<void> {
  const reps = Number(process.argv[2] ?? 7);
  const minMs = 60;
  const one = createNodeKernel({ backend: 'wasm' });
  const two = createNodeKernel({ backend: 'wasm', threads: 2, threadMinMacs: { float32: 0, float64: 0 }, threadSplit: 'always' });
  const auto = createNodeKernel({ backend: 'wasm', threads: 2 }); // the default: split where timing shows it pays
  if (!(await two.threadsReady()) || !(await auto.threadsReady())) throw new Error(`the helper thread did not start: ${two.info.reason}`);
  console.log(`${new Date().toISOString()}  ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log('speed-up = time on 1 thread ÷ time with the helper (always split; default measured policy): median [min–max] over interleaved repetitions');
  for (const ctor of [Float32Array, Float64Array] as Ctor[]) {
    for (const [label, method, m, k, n] of products) {
      const a = new ctor(m * k).map((_, i) => ((i * 7) % 13) - 6);
      const b = new ctor(k * n).map((_, i) => ((i * 5) % 11) - 5);
      const out = new ctor(m * n);
      const ratios: number[] = [];
      const measured: number[] = [];
      let t1 = 0;
      time(auto, method, a, b, out, m, k, n, minMs); // let the measured policy learn this size class
      for (let r = 0; r < reps; r++) {
        t1 = time(one, method, a, b, out, m, k, n, minMs);
        ratios.push(t1 / time(two, method, a, b, out, m, k, n, minMs));
        measured.push(t1 / time(auto, method, a, b, out, m, k, n, minMs));
      }
      const macs = m * k * n;
      console.log(
        `${ctor.name.padEnd(12)} ${label.padEnd(32)} ${(macs / 1e6).toFixed(2).padStart(7)} M MACs  1 thread ${(t1 * 1e6).toFixed(0).padStart(7)} µs  always split ${range(ratios)}  measured policy ${range(measured)}`,
      );
    }
  }
  console.log(`kernels: ${one.info.name}, ${two.info.name} (${two.info.reason}); load average now ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  two.dispose();
  auto.dispose();
}

void main();
