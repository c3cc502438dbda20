import { execFileSync } from 'child_process';
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

/** Builds the published packages (CommonJS + declarations by tsc -b, ESM by esbuild); incremental, so cheap when nothing changed. */
export function buildPackages(): void {
  execFileSync('npm', ['run', 'build:packages', '--silent'], { cwd: ROOT, stdio: 'pipe' });
}

/** Packs every published package (into `destination`, or only lists the contents with dryRun). */
export function pack(options: { dryRun: true } | { destination: string }): PackResult[] {
  const args = ['pack', '--json', ...PACKAGES.flatMap((p) => ['-w', p])];
  if ('dryRun' in options) args.push('--dry-run');
  else args.push('--pack-destination', options.destination);
  const out = execFileSync('npm', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out) as PackResult[];
}
