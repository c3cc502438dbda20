import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/** The repository root (tests/ sits directly under it). */
export const ROOT = join(__dirname, '..', '..');

/** The four published workspaces, in dependency order. */
export const PACKAGES = ['packages/core', 'packages/gates', 'packages/optim', 'packages/viz'];

/** One file of `npm pack --json`. */
export interface PackedFile {
  path: string;
  size: number;
}

/** One tarball as `npm pack --json` describes it. */
export interface PackResult {
  name: string;
  filename: string;
  files: PackedFile[];
}

/**
 * Builds the published packages (CommonJS + declarations by tsc -b, ESM by esbuild), once per jest
 * run: jest runs test files in parallel workers, several need the build, and a second build
 * rewriting dist/ while another file bundles from it breaks that bundle. The first caller builds
 * under a lock directory; the others wait for its marker.
 */
export function buildPackages(): void {
  // jest's pid: a worker (a forked child, so it has process.send) asks its parent; in-band, this process.
  const jest = typeof process.send === 'function' ? process.ppid : process.pid;
  const lock = join(tmpdir(), `chainrule-build-${ROOT.replace(/[^A-Za-z0-9]+/g, '_')}-${jest}`);
  const done = `${lock}.done`;
  const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  for (let waited = 0; !existsSync(done); waited += 200) {
    try {
      mkdirSync(lock);
    } catch {
      if (waited > 600_000) throw new Error(`buildPackages: waited 10 minutes for the build another test started (${lock})`);
      sleep(200); // another worker is building
      continue;
    }
    try {
      execFileSync('npm', ['run', 'build:packages', '--silent'], { cwd: ROOT, stdio: 'pipe' });
      writeFileSync(done, '');
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

/** Packs every published package (into `destination`, or only lists the contents with dryRun). */
export function pack(options: { dryRun: true } | { destination: string }): PackResult[] {
  const args = ['pack', '--json', ...PACKAGES.flatMap((p) => ['-w', p])];
  if ('dryRun' in options) args.push('--dry-run');
  else args.push('--pack-destination', options.destination);
  const out = execFileSync('npm', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out) as PackResult[];
}
