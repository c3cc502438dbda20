// chainrule as a user gets it: the packed tarballs installed into new projects outside the repository
// (`npm install ./*.tgz`), one CommonJS + TypeScript strict, one ESM ("type": "module"), each running
// tests/consumer/program.ts (a custom gate, an MLP trained on XOR, save and load).
// It installs from the npm registry (inversify, reflect-metadata, @viz-js/viz), so it runs when
// CHAINRULE_CONSUMER_TESTS=1 (.ci/run sets it) and is skipped, saying so, otherwise.
import { execFileSync } from 'child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildPackages, pack, ROOT } from './support/packages';

const enabled = process.env.CHAINRULE_CONSUMER_TESTS === '1';
if (!enabled) {
  // eslint-disable-next-line no-console
  console.warn('tests/consumer.test.ts skipped: set CHAINRULE_CONSUMER_TESTS=1 (as .ci/run does) to install the packed tarballs into fresh projects');
}
const suite = enabled ? describe : describe.skip;

jest.setTimeout(300_000);

suite('projects installed from the packed tarballs', () => {
  let work: string;
  let tarballs: string[];
  beforeAll(() => {
    buildPackages();
    work = mkdtempSync(join(tmpdir(), 'chainrule-consumer-'));
    pack({ destination: work });
    tarballs = readdirSync(work).filter((f) => f.endsWith('.tgz'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('npm pack wrote the four tarballs', () => {
    expect(tarballs.sort()).toEqual(['chainrule-core-0.1.0.tgz', 'chainrule-gates-0.1.0.tgz', 'chainrule-optim-0.1.0.tgz', 'chainrule-viz-0.1.0.tgz']);
  });

  test.each([
    ['cjs', 'dist/program.js'],
    ['esm', 'dist/program.js'],
  ])('the %s project compiles (strict) and trains, saves and loads', (kind, main) => {
    const dir = join(work, kind);
    execFileSync('cp', ['-r', join(ROOT, 'tests', 'consumer', kind), dir]);
    copyFileSync(join(ROOT, 'tests', 'consumer', 'program.ts'), join(dir, 'program.ts'));
    // What the README's Install section tells a user to run, with the tarballs in place of the registry names.
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs.map((t) => `../${t}`), 'inversify@^7.11.0'], {
      cwd: dir,
      stdio: 'pipe',
    });
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { cwd: dir, stdio: 'pipe' });
    const out = execFileSync(process.execPath, [join(dir, main)], { cwd: dir, encoding: 'utf8' });
    const result = JSON.parse(out.trim().split('\n').pop()!) as { accuracy: number; lossBefore: number; lossAfter: number; gradcheckMaxError: number };
    expect(result.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(result.lossAfter).toBe(result.lossBefore);
    expect(result.gradcheckMaxError).toBeLessThan(1e-7);
  });
});
