import { CaseResult, Workload } from './workloads/common';
import { W1, W1Options } from './workloads/w1-mlp';
import { W2, W2Options } from './workloads/w2-scalar';
import { W3, W3Options } from './workloads/w3-matmul';
import { W4, W4_CONV, W4Options } from './workloads/w4-cnn';

/** The measured parts of `npm run bench`, by key: each runs its own set of libraries, interleaved. */
export interface Parts {
  w1: W1Options;
  w1big: W1Options;
  w2: W2Options;
  w3: W3Options;
  w4: W4Options;
  w4conv: W4Options;
}
export type PartKey = keyof Parts;

export const PARTS: { [K in PartKey]: Workload<Parts[K]> } = { w1: W1, w1big: W1, w2: W2, w3: W3, w4: W4, w4conv: W4_CONV };

/** One repetition of one library in one part: what a peer process is asked to do (plain data, sent by structured clone). */
export interface Job<K extends PartKey = PartKey> {
  part: K;
  library: string;
  rep: number;
  options: Parts[K];
}

/** Runs a job in this process. */
export function runJob(job: Job): Promise<CaseResult[]> {
  const part = PARTS[job.part] as Workload<Parts[PartKey]>;
  if (!part) throw new Error(`bench: unknown part '${String(job.part)}'`);
  return part.run(job.library, job.rep, job.options);
}
