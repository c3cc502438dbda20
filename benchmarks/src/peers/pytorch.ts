import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MlpData } from '../data';
import type { ThroughputOptions } from '../train-throughput';
import type { CaseResult } from '../workloads/common';

/**
 * W1 in PyTorch (Debian's python3-torch), one repetition: the data set and initial weights this
 * process generated are written to a temporary file, python/torch_w1.py trains on exactly those
 * bytes with the same batches in the same order, on one thread, and answers with one JSON line.
 * Optional: `npm run bench` skips it with a note when `python3 -c 'import torch'` fails, and
 * `npm test` never needs it.
 */
const SCRIPT = path.join(__dirname, '..', '..', 'python', 'torch_w1.py');

let probed: { python?: string; version?: string; why?: string } | undefined;

/**
 * The python that can import torch: $CHAINRULE_PYTHON, else `python3` on the PATH, else Debian's
 * /usr/bin/python3 (where apt's python3-torch lives when another python3 comes first on the PATH).
 */
function probe(): NonNullable<typeof probed> {
  if (!probed) {
    const candidates = [process.env.CHAINRULE_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
    probed = { why: 'no python3 found that can import torch (apt-get install python3-torch)' };
    for (const python of candidates) {
      const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
      if (r.status === 0) {
        probed = { python, version: r.stdout.trim() };
        break;
      }
    }
  }
  return probed;
}

/** PyTorch's version when a python3 here can import torch; otherwise undefined and the reason in `torchMissing()`. */
export function torchVersion(): string | undefined {
  return probe().version;
}

export function torchMissing(): string {
  return probe().why ?? '';
}

export function torchW1(data: MlpData, o: ThroughputOptions, rep: number, kase: string, threads = 1): CaseResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainrule-torch-'));
  const file = path.join(dir, 'w1.bin');
  try {
    const parts: ArrayBufferView[] = [data.x, data.labels];
    data.weights.forEach((w, l) => parts.push(w, data.biases[l]));
    fs.writeFileSync(file, Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
    const cfg = {
      data: file,
      sizes: data.sizes,
      samples: data.spec.samples,
      batch: data.spec.batch,
      lr: data.spec.lr,
      warmup: o.warmup,
      steps: o.steps,
      minSeconds: (o.minMs ?? 0) / 1000,
      lossSteps: rep === 0 ? o.lossSteps : 0,
      threads,
    };
    const python = probe().python;
    if (!python) throw new Error(`pytorch W1: ${torchMissing()}`);
    const r = spawnSync(python, [SCRIPT, JSON.stringify(cfg)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status !== 0) throw new Error(`pytorch W1 failed (exit ${String(r.status)}): ${r.stderr || r.error?.message}`);
    const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { samplesPerSec: number; loss: number | null; version: string; threads: number };
    return { case: kase, value: out.samplesPerSec, loss: out.loss ?? undefined, note: `PyTorch ${out.version}, ${out.threads} thread(s)` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
