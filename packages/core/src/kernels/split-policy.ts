/**
 * Whether a product should be split with the helper thread: decided by measurement, per dtype and
 * size class, on the machine as it is loaded now (issue 19: threads must never make a workload
 * slower, and whether a second thread pays depends on whether a core is free, which no constant
 * knows). Splitting never changes the result (each row is computed by the same code on either
 * thread), so the choice may follow timing without costing determinism.
 *
 * See SplitPolicy below for how it keeps and compares the timings.
 */

/**
 * Below these many multiply-adds (about 0.1 ms of work at one thread's speed) a product never waits
 * for the helper: waking a thread costs tens of microseconds even on an idle core. Above them
 * SplitPolicy decides by timing (docs/performance.md, "Threads that pay"). createKernel's
 * `threadMinMacs` overrides them.
 */
export const THREAD_MIN_MACS = { float32: 1 << 20, float64: 1 << 19 } as const;

/**
 * Products shallower than this never split: with so few multiply-adds per element of B and C they
 * are bound by memory, not arithmetic, and each thread packs all of B. Measured on this project's
 * machine (2026-12-02, alone, best of 7): 256×10×1024 ran at 0.63× and 200×16×4096 (W4's im2col
 * gradient) at 0.85× on two threads, 256×32×1024 at 1.20×.
 */
export const THREAD_MIN_DEPTH = 32;

const WINDOW = 8; // recent timings kept per product shape and side
const WARMUP = 2; // products timed on each side before choosing (a one-thread timing of a 10 ms product costs 5 ms)
const EXPLORE = 32; // every EXPLORE-th product of a shape re-times the side not chosen
const MARGIN = 0.95; // two threads are chosen when their best time is below this share of one thread's

/**
 * Per product shape (dtype, transposes, m, k, n), the last WINDOW timings on one thread and on
 * two. It tries each side WARMUP times, then takes the side whose fastest recent timing is lower,
 * and re-times the other side every EXPLORE-th product so a change of load is noticed within a
 * window. Shapes, not sizes: two products of one size can differ (W1's x·W with m = 64 and xᵀ·dz
 * with m = 784 split differently; a product of depth 10 does not gain at all), and a training
 * loop has few shapes. The minimum, not a mean: a machine's noise only ever adds time, so one slow
 * outlier cannot flip a choice.
 */
export class SplitPolicy {
  // Shape → slot, as nested maps keyed by small integers (a number key beyond 2^30 would be boxed,
  // an allocation per product): (dtype, transposes, m) → k → n → slot.
  private readonly slots = new Map<number, Map<number, Map<number, number>>>();
  private count = 0;
  private times = new Float64Array(0); // [slot · 2 + side] · WINDOW + i
  private counts = new Int32Array(0); // slot · 2 + side: timings recorded
  private calls = new Int32Array(0); // slot: decisions made

  /** The policy's slot for a product shape (a number: the steady state allocates nothing). */
  slot(elem: number, ta: boolean, tb: boolean, m: number, k: number, n: number): number {
    const flags = (elem === 4 ? 0 : 4) + (ta ? 2 : 0) + (tb ? 1 : 0);
    // Exact below 2^16 per dimension; larger shapes share slots by size class (k = n = −1).
    const exact = m < 65536 && k < 65536 && n < 65536;
    const first = exact ? flags * 65536 + m : -(flags * 64 + Math.floor(Math.log2(m * k * n))) - 1;
    let byK = this.slots.get(first);
    if (byK === undefined) this.slots.set(first, (byK = new Map()));
    const kk = exact ? k : -1;
    let byN = byK.get(kk);
    if (byN === undefined) byK.set(kk, (byN = new Map()));
    const nn = exact ? n : -1;
    let s = byN.get(nn);
    if (s === undefined) {
      s = this.count++;
      byN.set(nn, s);
      if (2 * (s + 1) > this.counts.length) this.grow(2 * this.counts.length + 8);
    }
    return s;
  }

  /** Whether to split the next product of this slot. */
  split(slot: number): boolean {
    const n1 = this.counts[2 * slot];
    const n2 = this.counts[2 * slot + 1];
    if (n1 < WARMUP || n2 < WARMUP) return n2 < n1;
    // Two threads must win by a margin: at parity, exploring the other side costs more than it finds.
    const faster = this.best(2 * slot + 1) < MARGIN * this.best(2 * slot);
    return ++this.calls[slot] % EXPLORE === 0 ? !faster : faster;
  }

  /** Records how long a product of this slot took (ms), on two threads or one. */
  record(slot: number, split: boolean, ms: number): void {
    const side = 2 * slot + (split ? 1 : 0);
    this.times[side * WINDOW + (this.counts[side]++ % WINDOW)] = ms;
  }

  /** The fastest of a side's recent timings. */
  private best(side: number): number {
    const n = Math.min(WINDOW, this.counts[side]);
    let min = Infinity;
    for (let i = 0; i < n; i++) min = Math.min(min, this.times[side * WINDOW + i]);
    return min;
  }

  private grow(sides: number): void {
    const times = new Float64Array(sides * WINDOW);
    times.set(this.times);
    const counts = new Int32Array(sides);
    counts.set(this.counts);
    const calls = new Int32Array(sides / 2);
    calls.set(this.calls);
    this.times = times;
    this.counts = counts;
    this.calls = calls;
  }
}
