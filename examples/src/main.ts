import 'reflect-metadata';
import { parseArgs } from 'util';
import { MNIST_DEFAULTS, MnistRunOptions, runMnist } from './mnist';
import { DEFAULT_LR, OPTIMIZER_NAMES, OptimizerName } from './network';

/**
 * `npm start [-- flags]`: trains an MLP on real MNIST digits (see mnist.ts). Flags change the defaults;
 * `--help` lists them.
 */
export const HELP = `usage: npm start -- [options]

Trains a multilayer perceptron on the 10,000 handwritten digits shipped in the mnist package
(80% training, 20% held out), float32, and writes loss/accuracy curves as SVG and the trained
network as ONNX (model.onnx, for ONNX Runtime).

options:
  --epochs <n>         epochs (default ${MNIST_DEFAULTS.epochs})
  --batch-size <n>     mini-batch size (default ${MNIST_DEFAULTS.batchSize})
  --hidden <a,b,...>   hidden layer widths (default ${MNIST_DEFAULTS.hidden.join(',')}; "" for none)
  --optimizer <name>   ${OPTIMIZER_NAMES.join(' | ')} (default ${MNIST_DEFAULTS.optimizer})
  --lr <x>             learning rate (default per optimizer: ${OPTIMIZER_NAMES.map((n) => `${n} ${DEFAULT_LR[n]}`).join(', ')})
  --limit <n>          use only n digits in all (default: all 10,000)
  --seed <n>           seed of the initialisation, split and shuffles (default ${MNIST_DEFAULTS.seed})
  --out <folder>       where the plots and model.onnx go (default ${MNIST_DEFAULTS.outDir})
  --no-progress        no progress bar
  -h, --help           this text`;

export class UsageError extends Error {}

/** The run's options from command-line flags (throws UsageError for a bad flag or value); undefined for --help. */
export function parseMainArgs(argv: string[]): MnistRunOptions | undefined {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        epochs: { type: 'string' },
        'batch-size': { type: 'string' },
        hidden: { type: 'string' },
        optimizer: { type: 'string' },
        lr: { type: 'string' },
        limit: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        'no-progress': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) return undefined;
  const int = (flag: string, v: string | undefined, min: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} must be an integer >= ${min}, got '${v}'`);
    return n;
  };
  let optimizer: OptimizerName | undefined;
  if (values.optimizer !== undefined) {
    if (!(OPTIMIZER_NAMES as readonly string[]).includes(values.optimizer)) {
      throw new UsageError(`--optimizer must be one of ${OPTIMIZER_NAMES.join(', ')}, got '${values.optimizer}'`);
    }
    optimizer = values.optimizer as OptimizerName;
  }
  let lr: number | undefined;
  if (values.lr !== undefined) {
    lr = Number(values.lr);
    if (!Number.isFinite(lr) || lr <= 0) throw new UsageError(`--lr must be a number > 0, got '${values.lr}'`);
  }
  let hidden: number[] | undefined;
  if (values.hidden !== undefined) {
    hidden = values.hidden.trim() === '' ? [] : values.hidden.split(',').map((s) => Number(s.trim()));
    if (hidden.some((h) => !Number.isInteger(h) || h < 1)) throw new UsageError(`--hidden must be positive integers separated by commas, got '${values.hidden}'`);
  }
  return {
    epochs: int('epochs', values.epochs, 1),
    batchSize: int('batch-size', values['batch-size'], 1),
    hidden,
    optimizer,
    lr,
    limit: int('limit', values.limit, 10),
    seed: int('seed', values.seed, 0),
    outDir: values.out,
    progress: !values['no-progress'],
  };
}

export async function main(argv: string[]): Promise<number> {
  let options: MnistRunOptions | undefined;
  try {
    options = parseMainArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`${e.message}\n\n${HELP}`);
      return 2;
    }
    throw e;
  }
  if (!options) {
    console.log(HELP);
    return 0;
  }
  await runMnist(options);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      console.error(e instanceof Error ? (e.stack ?? e.message) : e);
      process.exitCode = 1;
    },
  );
}
