import * as path from 'path';
import { PARTS } from './jobs';
import { inProcess } from './peer-process';
import { BenchOptions, defaultOptions, runBench, Workload } from './run';
import { formatThreadRows } from './targets';
import { Peer } from './workloads/common';

const HELP = `chainrule benchmarks: W1 mlp-train (and W1 at hidden 1024 / batch 256), W2 scalar-graph, W3 matmul,
W4 cnn-train (+ Conv2D forward), against PyTorch (when python3 can import torch), tfjs-cpu, tfjs-wasm,
ConvNetJS and two plain-JS floors. Each library's repetition runs in its own process, repetitions
interleaved (A B A B ...); every repetition's ratio is printed, the table gives medians and ranges.

usage: npm run bench -- [options]
  --only w1,w2,w3,w4     workloads to run (default: all)
  --peers a,b            pytorch,tfjs-cpu,tfjs-wasm,convnetjs,plain JS,lean JS (default: all; 'none' for chainrule only)
  --loss-steps N         W1: report the loss after N steps (first repetition; default 300)
  --steps N              W1: timed steps per repetition (default 100)
  --warmup N             W1: untimed steps first (default 20)
  --reps N               repetitions of every part (default W1 and W2 5, others 3)
  --w4-steps N           W4: timed steps per repetition (default 10)
  --sizes 256,1024       W3 matrix sizes
  --quick                fewer steps and repetitions, W3 at 256 only
  --in-process           run every job in this process (no peer processes; for debugging)
  --out FILE             JSON report (default benchmarks/results/bench-<date>.json)
  --no-variants          W1: skip chainrule's js-kernel run
`;

function parse(argv: string[]): BenchOptions {
  const o = defaultOptions();
  o.out = path.join(__dirname, '..', 'results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = (): string => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${a} needs a value`);
      return x;
    };
    switch (a) {
      case '--only': o.workloads = v().split(',') as Workload[]; break;
      case '--peers': { const p = v(); o.peers = p === 'none' ? [] : (p.split(',') as Peer[]); break; }
      case '--loss-steps': o.w1.lossSteps = Number(v()); break;
      case '--steps': o.w1.steps = Number(v()); break;
      case '--warmup': o.w1.warmup = Number(v()); break;
      case '--reps': { const r = Number(v()); for (const k of Object.keys(PARTS) as Array<keyof typeof PARTS>) o[k].reps = r; break; }
      case '--w4-steps': o.w4.steps = Number(v()); break;
      case '--sizes': o.w3.sizes = v().split(',').map(Number); break;
      case '--quick':
        o.w1 = { ...o.w1, lossSteps: 100, steps: 50, minMs: 300, reps: 3, allocSteps: 50 };
        o.w1big = { ...o.w1big, steps: 10, lossSteps: 20, reps: 3 };
        o.w2 = { ...o.w2, minMs: 150, reps: 3 };
        o.w3 = { ...o.w3, sizes: [256], reps: 2, minMs: 150 };
        o.w4 = { ...o.w4, steps: 5, lossSteps: 15, reps: 2 };
        o.w4conv = { ...o.w4conv, reps: 2, minMs: 150 };
        break;
      case '--in-process': o.launcher = inProcess; break;
      case '--out': o.out = path.resolve(v()); break;
      case '--no-variants': o.w1.variants = false; break;
      case '--help':
      case '-h':
        process.stdout.write(HELP);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${a}\n${HELP}`);
    }
  }
  return o;
}

async function main(): Promise<void> {
  const o = parse(process.argv.slice(2));
  o.log = (line) => process.stderr.write(line + '\n');
  const r = await runBench(o);
  const m = r.machine;
  const w = (s: string): boolean => process.stdout.write(s);
  w(`\nchainrule bench, ${r.date}, ${String(m.cpu)} x${String(m.cores)}, node ${String(m.node)}, load average ${(m.loadavg as number[]).map((x) => x.toFixed(1)).join(' ')}\n`);
  w(`chainrule kernel ${r.kernels.chainrule.name} (${r.kernels.chainrule.reason}); peers: ${r.peers.tfjs}; PyTorch ${r.peers.pytorch ?? 'not run'}\n`);
  w(`ratios: chainrule ÷ library, median [min–max] of the per-repetition ratios (each library in its own process, interleaved)\n\n`);
  w(r.table + '\n\n');
  if (r.threads.length > 0) w(`threads never slower (2 threads ÷ 1 thread, per repetition):\n${formatThreadRows(r.threads)}\n\n`);
  for (const n of r.notes) w(`note: ${n}\n`);
  for (const t of r.targets) w(`${t.met === null ? '[ -- ]' : t.met ? '[ ok ]' : '[MISS]'} ${t.target}: ${t.measured}\n`);
  if (o.out) w(`\nJSON: ${o.out}\n`);
  process.exit(0);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
