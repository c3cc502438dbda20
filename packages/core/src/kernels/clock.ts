const perf = (globalThis as { performance?: { now(): number } }).performance;

/** Milliseconds, from performance.now where the engine has it (sub-millisecond), else Date.now: for the kernels' timings and deadlines. */
export const now: () => number = perf ? () => perf.now() : () => Date.now();
