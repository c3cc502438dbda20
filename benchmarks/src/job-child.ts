// A peer process of `npm run bench`: receives one job (one repetition of one library) from its
// parent over the IPC channel, runs it, answers with the results (or the error) and exits, so no
// library's JIT state, heap or threads carry over into another's measurement.
import 'reflect-metadata';
import { Job, runJob } from './jobs';
import type { ChildAnswer } from './peer-process';

process.once('message', (job: Job) => {
  const answer = (a: ChildAnswer, code: number): void => {
    process.send?.(a, () => process.exit(code));
  };
  runJob(job).then(
    (results) => answer({ ok: true, results }, 0),
    (e: unknown) => answer({ ok: false, error: (e as Error).stack ?? String(e) }, 1),
  );
});
