import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { createServer, Server } from 'http';
import { tmpdir } from 'os';
import { extname, join, normalize, sep } from 'path';
import type { BrowserContext } from 'playwright-core';

/**
 * Headless Chromium for the browser tests and the browser benchmark: Debian's `chromium` package
 * driven by playwright-core (never Playwright's own browser download, which this project cannot
 * reach), and a static file server on 127.0.0.1 for the page and its bundle.
 */

/** Where Chromium is: $CHROMIUM_PATH, else Debian's /usr/bin/chromium; undefined when neither exists. */
export function chromiumPath(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p): p is string => !!p && existsSync(p));
}

/** The flags of every launch: no GPU, no network beyond the page's server, no first-run work. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A running Chromium with a fresh profile (its --user-data-dir is removed on close). */
export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(executablePath: string): Promise<Chromium> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'chainrule-chromium-'));
  // launchPersistentContext passes `profile` as --user-data-dir (launch() refuses that flag).
  const context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: CHROMIUM_ARGS });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
};

/** A static server for `dir` on 127.0.0.1 (a free port). */
export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `dir` with the two headers that make a page cross-origin isolated
 * (`Cross-Origin-Opener-Policy: same-origin`, `Cross-Origin-Embedder-Policy: require-corp`), which
 * browsers require before they hand out SharedArrayBuffer (and so shared WebAssembly memory).
 */
export async function serveStatic(dir: string): Promise<StaticServer> {
  const root = normalize(dir + sep);
  const server: Server = createServer((req, res) => {
    const path = normalize(join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    const file = path.endsWith(sep) ? join(path, 'index.html') : path;
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cache-Control': 'no-store',
    });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('static server: no port');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A page that loads one ES module bundle. */
export function pageHtml(script: string): string {
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>chainrule</title></head>\n<body><script type="module" src="${script}"></script></body></html>\n`;
}

/**
 * Bundles `entry` for the browser with esbuild, as a user's bundler would: the @chainrule packages
 * resolve through node_modules to their built ESM (the `import` condition of their exports maps), so
 * the packages must be built first. The tsconfig is given inline (decorators on, and no `paths` that
 * would send the imports to the TypeScript sources instead).
 */
export async function bundleForBrowser(entry: string, outfile: string, minify = false): Promise<void> {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [entry],
    outfile,
    tsconfigRaw: { compilerOptions: { experimentalDecorators: true } },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify,
    sourcemap: minify ? false : 'linked',
    logLevel: 'error',
  });
}
