/**
 * Whether a product should be split with the helper thread: decided by measurement, per dtype and
 * size class, on the machine as it is loaded now (issue 19: threads must never make a workload
 * slower, and whether a second thread pays depends on whether a core is free, which no constant
 * knows). Splitting never changes the result (each row is computed by the same code on either
 * thread), so the choice may follow timing without costing determinism.
 *
 * Per dtype and power-of-two class of m·k·n, it keeps a moving average of the time per
 * multiply-add on one thread and on two; it tries each a few times, then uses the faster, and
 * re-tries the other every EXPLORE-th product of that class so a change of load is noticed.
 */

/**
 * Below these many multiply-adds (about 0.1 ms of work at one thread's speed) a product never waits
 * for the helper: waking a thread costs tens of microseconds even on an idle core. Above them
 * SplitPolicy decides by timing (docs/performance.md, "Threads that pay"). createKernel's
 * `threadMinMacs` overrides them.
 */
export const THREAD_MIN_MACS = { float32: 1 << 20, float64: 1 << 19 } as const;

const CLASSES = 48; // log2 of m·k·n, far beyond any product that fits in the 1 GiB memory
const WARMUP = 3; // products timed on each side before choosing
const EXPLORE = 32; // every EXPLORE-th product of a class re-measures the side not chosen
const ALPHA = 0.25; // weight of the newest time in the moving average


export class SplitPolicy {
  // Index: dtype (0 float32, 1 float64) · CLASSES + class.
  private readonly perMac = [new Float64Array(2 * CLASSES), new Float64Array(2 * CLASSES)]; // [one thread, two]
  private readonly count = [new Int32Array(2 * CLASSES), new Int32Array(2 * CLASSES)];
  private readonly calls = new Int32Array(2 * CLASSES);

  /** Whether to split a product of `macs` multiply-adds of this element size (4 or 8 bytes). */
  split(elem: number, macs: number): boolean {
    const i = index(elem, macs);
    const n1 = this.count[0][i];
    const n2 = this.count[1][i];
    if (n1 < WARMUP || n2 < WARMUP) return n2 < n1;
    const faster = this.perMac[1][i] < this.perMac[0][i];
    return ++this.calls[i] % EXPLORE === 0 ? !faster : faster;
  }

  /** Records how long a product took (ms), on two threads or one. */
  record(elem: number, macs: number, split: boolean, ms: number): void {
    const i = index(elem, macs);
    const side = split ? 1 : 0;
    const t = ms / macs;
    const n = this.count[side][i]++;
    this.perMac[side][i] = n === 0 ? t : this.perMac[side][i] + ALPHA * (t - this.perMac[side][i]);
  }
}

function index(elem: number, macs: number): number {
  return (elem === 4 ? 0 : CLASSES) + Math.min(CLASSES - 1, Math.floor(Math.log2(macs)));
}
