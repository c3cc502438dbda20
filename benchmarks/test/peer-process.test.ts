import * as path from 'path';
import { Job, PartKey } from '../src/jobs';
import { forkLauncher, inProcess, Launcher } from '../src/peer-process';
import { runBench } from '../src/run';
import { CaseResult } from '../src/workloads/common';
import { tinyOptions } from './support/tiny-options';

/**
 * The peer-process protocol: a job goes to a fresh Node process (here running the TypeScript
 * sources through a require hook, as the compiled job-child.js runs in `npm run bench`), which
 * answers with the same results the job gives in this process, or with its error.
 */
const fork = forkLauncher({
  entry: path.join(__dirname, '..', 'src', 'job-child.ts'),
  execArgv: ['-r', path.join(__dirname, 'support', 'ts-register.js')],
});

jest.setTimeout(240_000);

describe('peer processes', () => {
  const o = tinyOptions();

  it('a forked job answers with the results the job gives in this process (same data, weights, batches: same loss)', async () => {
    const job: Job<'w1'> = { part: 'w1', library: 'plain JS', rep: 0, options: o.w1 };
    const [forked] = await fork(job);
    const [local] = await inProcess(job);
    expect(forked.case).toBe('float32');
    expect(forked.value).toBeGreaterThan(0);
    expect(forked.loss).toBe(local.loss);
    expect(forked.bytesPerStep).toBeGreaterThanOrEqual(0);
  });

  it("a failing job rejects with the child's error, naming the job", async () => {
    await expect(fork({ part: 'w2', library: 'no such library', rep: 1, options: o.w2 })).rejects.toThrow(
      /w2 no such library repetition 2 failed in its process:\n.*W2: unknown library 'no such library'/,
    );
  });

  it('a child that exits without answering rejects', async () => {
    const silent = forkLauncher({ entry: path.join(__dirname, 'support', 'exit-silently.js') });
    await expect(silent({ part: 'w2', library: 'lean JS', rep: 0, options: o.w2 })).rejects.toThrow(/exited \(code 3\) without answering/);
  });

  it('runs libraries interleaved, one job per library and repetition (A B A B ...)', async () => {
    const seen: string[] = [];
    const recording: Launcher = (job) => {
      seen.push(`${job.part}:${job.library}:${job.rep}`);
      const results: CaseResult[] = [{ case: 'c', value: job.library === 'chainrule (reuse)' ? 2 : 1 + job.rep }];
      return Promise.resolve(results);
    };
    const opts = { ...tinyOptions(), workloads: ['w2' as const], peers: ['lean JS' as const], launcher: recording };
    opts.w2 = { ...opts.w2, reps: 3 };
    const report = await runBench(opts);
    const libs = ['chainrule (reuse)', 'chainrule (rebuild)', 'chainrule (eager)', 'lean JS'];
    expect(seen).toEqual([0, 1, 2].flatMap((rep) => libs.map((l) => `w2:${l}:${rep}`)));
    const lean = report.rows.find((r) => r.library === 'lean JS');
    expect(lean?.samples).toEqual([1, 2, 3]);
  });

  it('a forked W2 job of the lean floor and chainrule agree on the loss', async () => {
    const part: PartKey = 'w2';
    const [lean] = await fork({ part, library: 'lean JS', rep: 0, options: o.w2 });
    const [reuse] = await fork({ part, library: 'chainrule (reuse)', rep: 0, options: o.w2 });
    expect(reuse.library).toBe('chainrule');
    expect(Math.abs((reuse.loss as number) - (lean.loss as number))).toBeLessThan(1e-12);
  });
});
