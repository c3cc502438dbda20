import { HelperHandle, HelperInit, ManagedKernel, matmul, matmulTransA, matmulTransB, MatmulFn } from '@chainrule/core';
import { createNodeKernel, spawnNodeHelper } from '@chainrule/core/node';
import { SplitPolicy } from '../src/kernels/split-policy';
import { fill, sameBits } from './kernel-helpers';

/**
 * The two-thread kernel: same bits as one thread, and it cannot hang (issue 15): a helper that is
 * killed, dies holding a job, gets stuck or throws leaves a correct product, one warning, and a
 * kernel that carries on alone.
 */

type Method = 'gemm' | 'gemmTransA' | 'gemmTransB';
const methods: Array<[Method, MatmulFn]> = [
  ['gemm', matmul],
  ['gemmTransA', matmulTransA],
  ['gemmTransB', matmulTransB],
];

/** A spawner running Node's helper with its program edited by `edit` (asserting the edit applied); keeps the handles. */
function spawner(edit?: (source: string) => string): { spawn: (init: HelperInit) => HelperHandle; handles: HelperHandle[] } {
  const handles: HelperHandle[] = [];
  const spawn = (init: HelperInit): HelperHandle => {
    const source = edit ? edit(init.source) : init.source;
    if (edit && source === init.source) throw new Error('the helper program edit did not apply');
    const h = spawnNodeHelper({ ...init, source });
    handles.push(h);
    return h;
  };
  return { spawn, handles };
}

/** Inserts `code` into the helper program right after it has taken a job (before computing it). */
const afterTake = (code: string) => (s: string): string => s.replace('let state = ', `${code}\n  let state = `);
/** Inserts `code` right after the helper has computed its rows. */
const afterRun = (code: string) => (s: string): string => s.replace(/(ex\.gemm64\)\([^;]*;)/, `$1 ${code}`);
/** Counts taken jobs in ctrl[3]. */
const counting = (s: string): string => afterTake('Atomics.add(ctrl, 3, 1);')(s);

/**
 * Runs products until `done()` (at most 100): under load the helper may be late to wake and the
 * caller then computes its rows itself, so a test that needs the helper to take a job repeats.
 */
/** Runs products until done() (the helper took a job), for up to 10 s: a loaded machine can leave the helper late for many products. */
function until(done: () => boolean, product: (i: number) => void): number {
  let i = 0;
  const t0 = Date.now();
  while (!done() && (i < 100 || Date.now() - t0 < 10000)) product(i++);
  return i;
}

async function threaded(edit?: (s: string) => string, helperTimeoutMs = 300): Promise<{ kernel: ManagedKernel; handles: HelperHandle[]; ctrl: () => Int32Array }> {
  let ctrl: Int32Array | undefined;
  const { spawn, handles } = spawner(edit);
  const kernel = createNodeKernel({
    backend: 'wasm',
    threads: 2,
    threadMinMacs: { float32: 0, float64: 0 },
    threadSplit: 'always',
    helperTimeoutMs,
    spawnHelper: (init) => ((ctrl = init.ctrl), spawn(init)),
  });
  expect(await kernel.threadsReady()).toBe(true);
  return { kernel, handles, ctrl: () => ctrl as Int32Array };
}

/**
 * Runs one product on `kernel` and on a one-thread kernel from the same inputs; they must agree bit
 * for bit. `inKernel`: the operands and the output are arrays of `kernel`'s own memory (products
 * write such a C in place, the helper's rows through staging).
 */
function check(kernel: ManagedKernel, method: Method, ctor: Float32ArrayConstructor | Float64ArrayConstructor, m: number, k: number, n: number, accumulate: boolean, seed: number, inKernel = false): void {
  const one = createNodeKernel({ backend: 'wasm' });
  const place = (x: Float32Array | Float64Array): Float32Array | Float64Array => {
    if (!inKernel) return x;
    const y = kernel.alloc?.(ctor === Float32Array ? 'float32' : 'float64', x.length) as Float32Array | Float64Array;
    y.set(x);
    return y;
  };
  const a = place(fill(new ctor(m * k), seed));
  const b = place(fill(new ctor(k * n), seed + 1));
  const got = place(fill(new ctor(m * n), seed + 2));
  const want = got.slice();
  kernel[method](a, b, got, m, k, n, accumulate);
  one[method](a, b, want, m, k, n, accumulate);
  if (!sameBits(got, want)) throw new Error(`${method} ${ctor.name} ${m}x${k}x${n} acc=${accumulate}: two threads differ from one`);
}

describe('the two-thread kernel', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => (warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined)));
  afterEach(() => warn.mockRestore());

  it('splits rows with the helper and gives the same bits as one thread', async () => {
    const { kernel, ctrl } = await threaded(counting);
    expect(kernel.info).toMatchObject({ name: 'wasm-simd x2', threads: 2 });
    let seed = 1;
    for (const ctor of [Float32Array, Float64Array]) {
      for (const [method] of methods) {
        for (const [m, k, n] of [[103, 260, 170], [8, 5, 3], [64, 300, 9]]) {
          check(kernel, method, ctor, m, k, n, false, seed++);
          check(kernel, method, ctor, m, k, n, true, seed++);
          check(kernel, method, ctor, m, k, n, false, seed++, true);
          check(kernel, method, ctor, m, k, n, true, seed++, true);
        }
      }
    }
    expect(Atomics.load(ctrl(), 3)).toBeGreaterThan(0); // the helper did take rows
    expect(warn).not.toHaveBeenCalled();
    kernel.dispose();
    expect(kernel.info.threads).toBe(1);
    check(kernel, 'gemm', Float32Array, 40, 30, 20, true, 99);
    expect(warn).not.toHaveBeenCalled();
  }, 30000);

  it('keeps small products on one thread by the per-dtype threshold', async () => {
    const { spawn } = spawner(counting);
    let ctrl: Int32Array | undefined;
    const kernel = createNodeKernel({ backend: 'wasm', threads: 2, threadMinMacs: { float32: 1e6, float64: 1e9 }, threadSplit: 'always', spawnHelper: (i) => ((ctrl = i.ctrl), spawn(i)) });
    expect(await kernel.threadsReady()).toBe(true);
    for (let i = 0; i < 10; i++) check(kernel, 'gemm', Float64Array, 100, 100, 99, false, i); // 990,000 < 1e9: one thread
    check(kernel, 'gemm', Float32Array, 100, 100, 99, false, 1); // 990,000 < 1e6: one thread
    expect(Atomics.load(ctrl as Int32Array, 3)).toBe(0);
    until(() => Atomics.load(ctrl as Int32Array, 3) > 0, (i) => check(kernel, 'gemm', Float32Array, 100, 100, 100, false, i)); // 1e6 >= 1e6: split
    expect(Atomics.load(ctrl as Int32Array, 3)).toBe(1);
    kernel.dispose();
  }, 30000);

  it('a helper kept busy from product to product stays alive past the heartbeat deadline (each job is a beat)', async () => {
    const kernel = createNodeKernel({ backend: 'wasm', threads: 2, threadSplit: 'always', threadMinMacs: { float32: 0, float64: 0 }, helperTimeoutMs: 100 });
    expect(await kernel.threadsReady()).toBe(true);
    const a = new Float32Array(64 * 256).fill(0.5);
    const out = new Float32Array(64 * 64);
    const t0 = Date.now();
    while (Date.now() - t0 < 600) kernel.gemm(a, a, out, 64, 256, 64); // back to back: the helper polls and never waits
    expect(kernel.info.threads).toBe(2);
    expect(warn).not.toHaveBeenCalled();
    kernel.dispose();
  });

  it('a spawner that fails: one thread, one warning, and info says why', () => {
    const kernel = createNodeKernel({ backend: 'wasm', threads: 2, spawnHelper: () => { throw new Error('no workers here'); } });
    expect(kernel.info).toEqual({ name: 'wasm-simd', threads: 1, reason: 'WebAssembly SIMD on one thread: the helper thread did not start (no workers here)' });
    expect(warn).toHaveBeenCalledTimes(1);
    check(kernel, 'gemm', Float32Array, 64, 200, 64, true, 1);
  });

  it('a killed helper: the next products are right, one warning, then one thread', async () => {
    const { kernel, handles } = await threaded();
    handles[0].terminate();
    for (let i = 0; i < 200 && !handles[0].exited; i++) await new Promise((r) => setTimeout(r, 10));
    expect(handles[0].exited).toBe(true);
    check(kernel, 'gemm', Float32Array, 64, 200, 64, true, 1);
    check(kernel, 'gemmTransB', Float64Array, 64, 200, 64, true, 2);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/continues on one thread: the helper thread exited/);
    expect(kernel.info).toMatchObject({ name: 'wasm-simd', threads: 1, reason: expect.stringMatching(/exited/) });
  }, 30000);

  it('a helper killed while products run (not awaited): every product is right and none hangs', async () => {
    const { kernel, handles } = await threaded(undefined, 200);
    handles[0].terminate();
    const t0 = Date.now();
    for (let i = 0; i < 40; i++) check(kernel, i % 2 ? 'gemm' : 'gemmTransA', Float32Array, 96, 300, 80, i % 3 === 0, i);
    expect(Date.now() - t0).toBeLessThan(15000);
    expect(warn.mock.calls.length).toBeLessThanOrEqual(1);
  }, 30000);

  it('a helper that dies holding a job: the product finishes on one thread after the deadline', async () => {
    const { kernel } = await threaded(afterTake('process.exit(1);'), 200);
    const t0 = Date.now();
    until(() => warn.mock.calls.length > 0, (i) => check(kernel, 'gemm', Float64Array, 128, 400, 128, true, i));
    expect(Date.now() - t0).toBeLessThan(10000);
    check(kernel, 'gemmTransA', Float32Array, 64, 200, 64, true, 4);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/did not finish them within \d+ ms/);
    expect(kernel.info.threads).toBe(1);
  }, 30000);

  it('a stuck helper (busy forever) is stopped, and the product is right', async () => {
    const { kernel, handles } = await threaded(afterTake('for (;;) {}'), 200);
    until(() => warn.mock.calls.length > 0, (i) => check(kernel, 'gemmTransB', Float32Array, 128, 400, 128, true, i));
    expect(warn).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 300 && !handles[0].exited; i++) await new Promise((r) => setTimeout(r, 10));
    expect(handles[0].exited).toBe(true); // terminated, not left spinning
  }, 30000);

  it('a helper whose rows throw after writing: the rows are redone from the original values, no double accumulation', async () => {
    const { kernel, ctrl } = await threaded((s) => counting(afterRun('throw new Error("boom");')(s)));
    until(() => Atomics.load(ctrl(), 3) > 3, (i) => check(kernel, 'gemm', i % 2 ? Float32Array : Float64Array, 128, 400, 128, i % 2 === 1, i, i % 4 > 1));
    expect(Atomics.load(ctrl(), 3)).toBeGreaterThan(3);
    expect(kernel.info.threads).toBe(2); // a throwing job is not a dead helper
    kernel.dispose();
  }, 30000);
});

describe('the measured split policy', () => {
  it('tries both sides per product shape, then splits only while two threads are faster, re-checking now and then', () => {
    const p = new SplitPolicy();
    const shape = p.slot(4, false, false, 64, 784, 128);
    expect(p.slot(4, false, false, 64, 784, 128)).toBe(shape);
    const seen: boolean[] = [];
    const time = { one: 1, two: 0.6 }; // ms: two threads pay
    for (let i = 0; i < 4; i++) {
      const split = p.split(shape);
      seen.push(split);
      p.record(shape, split, split ? time.two : time.one);
    }
    expect(seen.filter(Boolean)).toHaveLength(2); // two of each while warming up
    const choices = Array.from({ length: 64 }, () => p.split(shape));
    expect(choices.filter((c) => !c)).toHaveLength(2); // splits, except every 32nd product re-times one thread
    // Same size, other shapes: learnt apart (each starts on one thread).
    expect(p.split(p.slot(4, true, false, 784, 64, 128))).toBe(false);
    expect(p.split(p.slot(8, false, false, 64, 784, 128))).toBe(false);
    expect(p.split(p.slot(4, false, true, 64, 784, 128))).toBe(false);
    // One slow outlier does not flip the choice: the fastest recent timing decides.
    p.record(shape, true, 50);
    expect(Array.from({ length: 31 }, () => p.split(shape)).filter(Boolean).length).toBeGreaterThanOrEqual(30);
    // The machine gets busy: two threads now take 3 ms every time; within a window the policy stops splitting.
    for (let i = 0; i < 8; i++) p.record(shape, true, 3);
    expect(Array.from({ length: 31 }, () => p.split(shape)).filter(Boolean).length).toBeLessThanOrEqual(1);
    // Shapes beyond 2^16 per side share a slot by size class and dtype.
    expect(p.slot(4, false, false, 70000, 10, 10)).toBe(p.slot(4, false, false, 70001, 10, 10));
    expect(p.slot(4, false, false, 70000, 10, 10)).not.toBe(p.slot(8, false, false, 70000, 10, 10));
  });
});
