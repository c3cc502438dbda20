import 'reflect-metadata';
import { parseArgs } from 'util';
import { EXAMPLES, findExample, listExamples } from './registry';

/**
 * `npm run example -- <name> [--out <folder>] [--seed <n>]`: runs one example; with no name, lists them.
 */
const USAGE = `usage: npm run example -- <name> [--out <folder>] [--seed <n>]

examples:
${listExamples()}`;

export async function cli(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { out: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [name, ...rest] = parsed.positionals;
  if (!name || parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  if (rest.length > 0) {
    console.error(`one example at a time, got ${parsed.positionals.join(', ')}\n\n${USAGE}`);
    return 2;
  }
  const entry = findExample(name);
  if (!entry) {
    console.error(`unknown example '${name}'\n\n${USAGE}`);
    return 2;
  }
  const seed = parsed.values.seed === undefined ? undefined : Number(parsed.values.seed);
  if (seed !== undefined && !Number.isInteger(seed)) {
    console.error(`--seed must be an integer, got '${parsed.values.seed}'`);
    return 2;
  }
  await entry.run({ outDir: parsed.values.out, seed });
  return 0;
}

export { EXAMPLES };

if (require.main === module) {
  cli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      console.error(e instanceof Error ? (e.stack ?? e.message) : e);
      process.exitCode = 1;
    },
  );
}
