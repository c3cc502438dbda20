import { now } from './clock';

/**
 * The hand-off between the thread that calls a kernel and one helper thread that computes the
 * bottom rows of large products over the same shared WebAssembly memory. This file is the protocol
 * only, with no platform API: a spawner (Node's worker_threads in ../node.ts; a Web Worker in a
 * browser) starts a thread that runs HELPER_LOOP_SOURCE with (module, memory, ctrl).
 *
 * It cannot hang the caller (issue 15): every wait is bounded. A posted job is either taken by the
 * helper (compare-and-swap POSTED → TAKEN) or taken back by the caller (POSTED → REVOKED), never
 * both, so the caller computes the rows itself whenever the helper is late to start them. A taken
 * job that does not finish within the deadline, or a helper whose heartbeat stops, marks the helper
 * lost: the caller stops it and finishes on one thread.
 */

/** ctrl[STATE]: the one job slot's state. */
export const STATE = 0;
/** ctrl[READY]: 1 once the helper has instantiated the module. */
export const READY = 1;
/** ctrl[BEAT]: incremented by the helper after each job and each time it wakes while idle (at least every BEAT_MS). */
export const BEAT = 2;
export const IDLE = 0;
export const POSTED = 1;
export const TAKEN = 2;
export const DONE = 3;
export const FAILED = 4;
export const REVOKED = 5;
export const QUIT = 6;
/** The helper wakes at least this often while idle, to show it is alive. */
const BEAT_MS = 50;
/**
 * How long a thread polls (milliseconds) before it sleeps in Atomics.wait: the helper after a job, the
 * caller waiting for the helper's rows. A training step posts its next large product within a
 * fraction of a millisecond, and waking a sleeping thread costs tens of microseconds (more in a
 * virtual machine), which on W1's products ate the second thread's gain (docs/performance.md,
 * "Threads that pay"). Polling costs the helper's core nothing that it was not given for.
 */
const SPIN_MS = 2;
/** Byte offset of the job's call arguments (Float64Array) in the control buffer. */
const ARGS_AT = 64;

/**
 * The helper's program, given `module`, `memory` and `ctrl` (an Int32Array over a SharedArrayBuffer):
 * instantiate the module over the shared memory, then serve jobs until QUIT.
 */
export const HELPER_LOOP_SOURCE = `
const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
const args = new Float64Array(ctrl.buffer, ${ARGS_AT}, 16);
Atomics.store(ctrl, ${READY}, 1);
let worked = false;
for (;;) {
  let s = Atomics.load(ctrl, ${STATE});
  if (worked && s !== ${POSTED}) {
    // Just after a job, poll before sleeping: see SPIN_MS.
    const t0 = performance.now();
    let i = 0;
    while ((s = Atomics.load(ctrl, ${STATE})) !== ${POSTED} && s !== ${QUIT} && ((++i & 1023) !== 0 || performance.now() - t0 < ${SPIN_MS})) {}
  }
  worked = false;
  if (s === ${QUIT}) break;
  if (s !== ${POSTED} || Atomics.compareExchange(ctrl, ${STATE}, ${POSTED}, ${TAKEN}) !== ${POSTED}) {
    Atomics.wait(ctrl, ${STATE}, s, ${BEAT_MS});
    Atomics.add(ctrl, ${BEAT}, 1);
    continue;
  }
  worked = true;
  let state = ${DONE};
  try {
    (args[0] === 4 ? ex.gemm32 : ex.gemm64)(args[1], args[2], args[3], args[4], args[5], args[6], args[7], args[8], args[9], args[10], args[11], args[12]);
  } catch (e) {
    state = ${FAILED};
  }
  Atomics.store(ctrl, ${STATE}, state);
  Atomics.notify(ctrl, ${STATE});
  // A job is a sign of life too: a helper kept busy polls from job to job and never reaches the wait below.
  Atomics.add(ctrl, ${BEAT}, 1);
}
`;

/** What a spawner is given to start a helper thread with. */
export interface HelperInit {
  /** The compiled shared-memory GEMM module (a WebAssembly.Module). */
  module: object;
  /** The shared WebAssembly.Memory the caller's instance uses. */
  memory: object;
  /** The control words, over a SharedArrayBuffer. */
  ctrl: Int32Array;
  /** The program to run with module, memory and ctrl in scope. */
  source: string;
}

/** A started helper thread, as its spawner hands it back. */
export interface HelperHandle {
  /** Stops the thread (asynchronously; it must not be waited on). */
  terminate(): void;
  /** True once the platform has reported that the thread ended (best effort: seen between calls). */
  readonly exited: boolean;
}

/** Starts a helper thread running init.source; Node's is `spawnNodeHelper` from '@chainrule/core/node'. */
export type HelperSpawner = (init: HelperInit) => HelperHandle;

/** The caller's side of one helper thread. */
export class HelperThread {
  readonly ctrl: Int32Array;
  private readonly args: Float64Array;
  private readonly handle: HelperHandle;
  private lastBeat = -1;
  private lastBeatAt = 0;
  /** Why the helper was given up, once it was. */
  lost: string | undefined;

  constructor(spawn: HelperSpawner, module: object, memory: object, private readonly timeoutMs: number) {
    const buffer = new SharedArrayBuffer(ARGS_AT + 16 * 8);
    this.ctrl = new Int32Array(buffer, 0, 16);
    this.args = new Float64Array(buffer, ARGS_AT, 16);
    this.handle = spawn({ module, memory, ctrl: this.ctrl, source: HELPER_LOOP_SOURCE });
  }

  /** The helper has instantiated the module and is still alive (as far as can be seen now). */
  get ready(): boolean {
    return this.lost === undefined && Atomics.load(this.ctrl, READY) === 1 && this.alive();
  }

  /**
   * Posts rows [r0, r1) of a product (the gemm32/gemm64 arguments, pack space included). Returns
   * false, posting nothing, when the helper is not ready or has been found dead.
   */
  post(elem: number, ta: number, tb: number, m: number, k: number, n: number, aAt: number, bAt: number, cAt: number, acc: number, r0: number, r1: number, pack: number): boolean {
    if (!this.ready) return false;
    const f = this.args;
    f[0] = elem; f[1] = ta; f[2] = tb; f[3] = m; f[4] = k; f[5] = n;
    f[6] = aAt; f[7] = bAt; f[8] = cAt; f[9] = acc; f[10] = r0; f[11] = r1; f[12] = pack;
    Atomics.store(this.ctrl, STATE, POSTED);
    Atomics.notify(this.ctrl, STATE);
    return true;
  }

  /**
   * After the caller's own rows: 'done' (the helper's rows are in C), 'revoked' (the helper had not
   * started them: the caller must compute them), 'failed' (the helper threw: the caller must redo
   * them) or 'lost' (the helper did not finish within the deadline: it has been stopped, and its
   * rows may still be written to this memory, so the caller must redo the product elsewhere).
   * `ownMs` is how long the caller's rows took: the deadline grows with it.
   */
  finish(ownMs: number): 'done' | 'revoked' | 'failed' | 'lost' {
    const c = this.ctrl;
    if (Atomics.compareExchange(c, STATE, POSTED, REVOKED) === POSTED) {
      Atomics.store(c, STATE, IDLE);
      return 'revoked';
    }
    const t = now(); // once: each call returns a boxed number until V8 optimises this
    const deadline = t + this.timeoutMs + 4 * ownMs;
    let s: number;
    const spinUntil = t + SPIN_MS;
    let i = 0;
    while ((s = Atomics.load(c, STATE)) === TAKEN && ((++i & 1023) !== 0 || now() < spinUntil)) {
      // poll: the helper's half is usually done within microseconds of the caller's (see SPIN_MS)
    }
    while ((s = Atomics.load(c, STATE)) === TAKEN) {
      const left = deadline - now();
      if (left <= 0) {
        this.giveUp(`the helper thread took a product's rows and did not finish them within ${Math.round(this.timeoutMs + 4 * ownMs)} ms`);
        return 'lost';
      }
      Atomics.wait(c, STATE, TAKEN, Math.min(left, BEAT_MS));
    }
    Atomics.store(c, STATE, IDLE);
    return s === DONE ? 'done' : 'failed';
  }

  /** Stops the helper for good. */
  giveUp(reason: string): void {
    if (this.lost !== undefined) return;
    this.lost = reason;
    Atomics.store(this.ctrl, STATE, QUIT);
    Atomics.notify(this.ctrl, STATE);
    this.handle.terminate();
  }

  /** Liveness between products: the platform saw it exit, or its idle heartbeat stopped for longer than the deadline. */
  private alive(): boolean {
    if (this.handle.exited) {
      this.giveUp('the helper thread exited');
      return false;
    }
    const beat = Atomics.load(this.ctrl, BEAT);
    const t = now();
    if (beat !== this.lastBeat) {
      this.lastBeat = beat;
      this.lastBeatAt = t;
    } else if (Atomics.load(this.ctrl, STATE) === IDLE && t - this.lastBeatAt > this.timeoutMs) {
      this.giveUp(`the helper thread's heartbeat stopped ${t - this.lastBeatAt} ms ago`);
      return false;
    }
    return true;
  }
}
