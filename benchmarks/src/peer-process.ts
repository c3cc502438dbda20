import { fork } from 'child_process';
import * as path from 'path';
import { Job, runJob } from './jobs';
import type { CaseResult } from './workloads/common';

/** What a peer process sends back: its results, or why it failed. */
export type ChildAnswer = { ok: true; results: CaseResult[] } | { ok: false; error: string };

/** Runs one job somewhere and gives its results. */
export type Launcher = (job: Job) => Promise<CaseResult[]>;

/** In this process (the test's smoke run, and `--in-process`): fast, but libraries share a heap and a JIT. */
export const inProcess: Launcher = (job) => runJob(job);

export interface ForkOptions {
  /** The child's entry (default: the compiled job-child.js beside this file). */
  entry?: string;
  /** node options for the child (the tests pass a TypeScript require hook). */
  execArgv?: string[];
  /** Kill a child that has not answered after this long (default 30 minutes). */
  timeoutMs?: number;
}

/**
 * A fresh Node process per job: the job goes over the IPC channel (structured clone, so NaN and
 * typed arrays survive), the child answers once and exits. A child that dies, or exits without
 * answering, rejects with its exit code; its stderr goes to ours.
 */
export function forkLauncher(o: ForkOptions = {}): Launcher {
  const entry = o.entry ?? path.join(__dirname, 'job-child.js');
  return (job) =>
    new Promise<CaseResult[]>((resolve, reject) => {
      const child = fork(entry, [], { execArgv: o.execArgv ?? [], serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      let answer: ChildAnswer | undefined;
      const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 30 * 60_000);
      child.once('message', (m: ChildAnswer) => {
        answer = m;
      });
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        const what = `${job.part} ${job.library} repetition ${job.rep + 1}`;
        if (!answer) reject(new Error(`bench: the process of ${what} exited (${signal ?? `code ${String(code)}`}) without answering`));
        else if (!answer.ok) reject(new Error(`bench: ${what} failed in its process:\n${answer.error}`));
        else resolve(answer.results);
      });
      child.send(job);
    });
}
