// What a user installs: the contents of every package tarball (`npm pack --dry-run --json`).
import { readFileSync } from 'fs';
import { dirname, join, posix } from 'path';
import { buildPackages, pack, PACKAGES, PackResult, ROOT } from './support/packages';

jest.setTimeout(180_000);

let packs: PackResult[];
beforeAll(() => {
  buildPackages();
  packs = pack({ dryRun: true });
});

interface Manifest {
  name: string;
  license: string;
  sideEffects: unknown;
  dependencies: Record<string, string>;
  exports: Record<string, string | { import: { types: string; default: string }; require: { types: string; default: string } }>;
}
const manifest = (pkg: string): Manifest => JSON.parse(readFileSync(join(ROOT, pkg, 'package.json'), 'utf8')) as Manifest;

describe.each(PACKAGES)('the %s tarball', (pkg) => {
  const files = (): Set<string> => {
    const m = manifest(pkg);
    const p = packs.find((r) => r.name === m.name);
    if (!p) throw new Error(`npm pack listed no tarball for ${m.name}`);
    return new Set(p.files.map((f) => f.path));
  };

  test('holds README.md, the MIT LICENSE (the root one) and package.json', () => {
    const f = files();
    for (const name of ['README.md', 'LICENSE', 'package.json']) expect(f).toContain(name);
    expect(readFileSync(join(ROOT, pkg, 'LICENSE'), 'utf8')).toBe(readFileSync(join(ROOT, 'LICENSE'), 'utf8'));
    expect(manifest(pkg).license).toBe('MIT');
  });

  test('holds no tests, build scripts, tsconfigs or build caches', () => {
    const stray = [...files()].filter((f) => /(^|\/)(test|tests|scripts|assembly)\/|\.test\.|tsconfig|tsbuildinfo|^node\/.*\.ts$/.test(f));
    expect(stray).toEqual([]);
  });

  test('every target of its exports map is in it, ESM and CommonJS each with types', () => {
    const f = files();
    const m = manifest(pkg);
    expect(m.sideEffects).toBe(false);
    for (const [key, target] of Object.entries(m.exports)) {
      if (key === './package.json') continue;
      if (typeof target === 'string') throw new Error(`${m.name} exports ${key} as one file: expected import and require conditions`);
      const paths = [target.import.types, target.import.default, target.require.types, target.require.default];
      expect(paths.map((p) => posix.normalize(p))).toEqual(paths.map((p) => posix.normalize(p)).filter((p) => f.has(p)));
      expect(target.import.default).toMatch(/\.mjs$/);
      expect(target.require.default).toMatch(/\.js$/);
    }
  });

  test('every source map points at files the tarball holds', () => {
    const f = files();
    const maps = [...f].filter((p) => p.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    const missing: string[] = [];
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(ROOT, pkg, map), 'utf8')) as { sources: string[] };
      for (const s of sources) {
        const target = posix.normalize(posix.join(dirname(map), s));
        if (!f.has(target)) missing.push(`${map} -> ${target}`);
      }
    }
    expect(missing).toEqual([]);
  });

  test('depends on the other chainrule packages by range, and declares what its code imports', () => {
    const m = manifest(pkg);
    for (const [dep, range] of Object.entries(m.dependencies ?? {})) {
      if (dep.startsWith('@chainrule/')) expect(`${dep}@${range}`).toBe(`${dep}@^0.1.0`);
    }
    const built = [...files()].filter((p) => /^dist\/.*\.(js|mjs)$/.test(p));
    const imported = new Set<string>();
    for (const file of built) {
      const text = readFileSync(join(ROOT, pkg, file), 'utf8');
      // import/export … from "x" and import "x" at the start of a line (ESM), require("x") (CommonJS).
      const pattern = /^\s*(?:(?:import|export)\b[^;'"]*?from\s*|import\s*)["']([^"'.][^"']*)["']|\brequire\(["']([^"'.][^"']*)["']\)/gm;
      for (const match of text.matchAll(pattern)) {
        const spec = match[1] ?? match[2];
        if (spec.startsWith('node:') || ['fs', 'fs/promises', 'path', 'url', 'os', 'worker_threads'].includes(spec)) continue;
        imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
      }
    }
    expect([...imported].filter((dep) => !(dep in (m.dependencies ?? {})))).toEqual([]);
  });
});
