#!/usr/bin/env node
// The ESM half of the dual build (the CommonJS half is `tsc -b`, which also writes the declarations).
// tsc cannot emit ESM that Node resolves from these sources (their relative imports have no `.js`
// extension), so esbuild bundles each public entry point into one `dist/esm/<entry>.mjs` per package,
// with every package import (other @chainrule packages included) left external. Each `.d.mts` beside
// it re-exports the CommonJS declarations, so both conditions of the `exports` maps carry types.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** package folder → entry points (file names under src/, without .ts), each listed in its `exports`. */
export const ENTRIES = {
  'packages/core': ['index', 'node'],
  'packages/gates': ['index'],
  'packages/optim': ['index'],
  'packages/viz': ['index', 'node'],
};

for (const [pkg, entries] of Object.entries(ENTRIES)) {
  const dir = join(root, pkg);
  const outdir = join(dir, 'dist', 'esm');
  mkdirSync(outdir, { recursive: true });
  await build({
    absWorkingDir: dir,
    entryPoints: entries.map((e) => `src/${e}.ts`),
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true, // viz's two entries share one chunk (one Graphviz instance), not two copies
    chunkNames: 'chunks/[name]-[hash]',
    // Every bare import stays an import: the user's bundler or Node resolves inversify, @viz-js/viz
    // and the other @chainrule packages once. (A package's own relative files are bundled.)
    packages: 'external',
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    // tsconfig.build.json: experimentalDecorators, and no `paths` back into the other packages' sources.
    tsconfig: join(dir, 'tsconfig.build.json'),
    sourcemap: true,
    sourcesContent: false, // the maps point at src/, which ships in the tarball
    logLevel: 'warning',
  });
  for (const e of entries) {
    writeFileSync(join(outdir, `${e}.d.mts`), `export * from '../${e}.js';\n`);
  }
}
