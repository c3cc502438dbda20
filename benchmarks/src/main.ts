import * as path from 'path';
import { defaultOptions, runBench, Workload } from './run';
import { Peer } from './workloads';

const HELP = `chainrule benchmarks: W1 mlp-train, W2 scalar-graph, W3 matmul, against tfjs-cpu, tfjs-wasm, ConvNetJS and plain JS.

usage: npm run bench -- [options]
  --only w1,w2,w3        workloads to run (default: all)
  --peers a,b            tfjs-cpu,tfjs-wasm,convnetjs,plain JS (default: all)
  --loss-steps N         W1: report the loss after N steps (default 1000)
  --steps N              W1: timed steps per repetition (default 200)
  --warmup N             W1: untimed steps first (default 20)
  --reps N               repetitions (medians are reported; default 3, W2 5)
  --sizes 256,1024       W3 matrix sizes
  --quick                fewer steps: loss-steps 300, steps 50, W3 256 only
  --out FILE             JSON report (default benchmarks/results/bench-<date>.json)
  --no-variants          W1: skip chainrule's js-kernel and 2-thread runs
`;

function parse(argv: string[]): ReturnType<typeof defaultOptions> {
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
      case '--peers': o.peers = v().split(',') as Peer[]; break;
      case '--loss-steps': o.w1.lossSteps = Number(v()); break;
      case '--steps': o.w1.steps = Number(v()); break;
      case '--warmup': o.w1.warmup = Number(v()); break;
      case '--reps': {
        const r = Number(v());
        o.w1.reps = r;
        o.w2.reps = r;
        o.w3.reps = r;
        break;
      }
      case '--sizes': o.w3.sizes = v().split(',').map(Number); break;
      case '--quick':
        o.w1.lossSteps = 300;
        o.w1.steps = 50;
        o.w3.sizes = [256];
        o.w2.minMs = 150;
        break;
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
  const report = await runBench(o);
  process.stdout.write(`\nchainrule bench, ${report.date}, ${String(report.machine.cpu)} x${String(report.machine.cores)}, node ${String(report.machine.node)}\n`);
  process.stdout.write(`kernels: chainrule ${report.kernels.chainrule.name} (${report.kernels.chainrule.reason}); tfjs-wasm ${report.kernels.tfjsWasm}\n\n`);
  process.stdout.write(report.table + '\n\n');
  for (const t of report.targets) process.stdout.write(`${t.met === null ? '[ -- ]' : t.met ? '[ ok ]' : '[MISS]'} ${t.target}: ${t.measured}\n`);
  if (o.out) process.stdout.write(`\nJSON: ${o.out}\n`);
  process.exit(0);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
