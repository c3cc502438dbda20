// chainrule in a real browser: a page bundled by esbuild from the built packages, run in headless
// Chromium (Debian's `chromium`, driven by playwright-core). Without Chromium the suite is skipped with
// a message, unless CHAINRULE_REQUIRE_BROWSER=1 (.ci/run sets it after installing chromium), which
// makes a missing browser a failure.
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { bundleForBrowser, Chromium, chromiumPath, launchChromium, pageHtml, serveStatic, StaticServer } from '../benchmarks/src/browser/chromium';
import { buildPackages, ROOT } from './support/packages';

const executable = chromiumPath();
const required = process.env.CHAINRULE_REQUIRE_BROWSER === '1';
if (!executable && !required) {
  // eslint-disable-next-line no-console
  console.warn('tests/browser.test.ts skipped: no Chromium (install Debian\'s `chromium`, or set CHROMIUM_PATH); .ci/run installs it and sets CHAINRULE_REQUIRE_BROWSER=1');
}
const suite = executable || required ? describe : describe.skip;

jest.setTimeout(180_000);

interface PageResult {
  error?: string;
  lecture: { f: number; grads: number[]; dotHasF: boolean };
  xor: { accuracy: number };
  kernel: { available: boolean; backend: string; maxDiff: number; error?: string; crossOriginIsolated: boolean };
  tensor: number[][];
}

suite('chainrule in headless Chromium', () => {
  let dir: string;
  let server: StaticServer;
  let browser: Chromium; // one browser for every test of this file
  let result: PageResult;

  beforeAll(async () => {
    if (!executable) throw new Error('CHAINRULE_REQUIRE_BROWSER=1 but no Chromium at /usr/bin/chromium or $CHROMIUM_PATH');
    buildPackages();
    dir = mkdtempSync(join(tmpdir(), 'chainrule-page-'));
    await bundleForBrowser(join(ROOT, 'tests', 'browser', 'page.ts'), join(dir, 'page.js'));
    writeFileSync(join(dir, 'index.html'), pageHtml('./page.js'));
    server = await serveStatic(dir);
    browser = await launchChromium(executable);
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(server.url);
    await page.waitForFunction(() => (globalThis as { chainruleResult?: unknown }).chainruleResult !== undefined, undefined, { timeout: 120_000 });
    result = (await page.evaluate(() => (globalThis as { chainruleResult?: unknown }).chainruleResult)) as PageResult;
    if (errors.length) throw new Error(`the page threw: ${errors.join('\n')}`);
    if (result.error) throw new Error(`the page failed: ${result.error}`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("the lecture's graph: f = -12, gradients -4, -4, 3", () => {
    expect(result.lecture.f).toBe(-12);
    expect(result.lecture.grads).toEqual([-4, -4, 3]);
    expect(result.lecture.dotHasF).toBe(true);
    expect(result.tensor).toEqual([[1, 2], [3, 4]]);
  });

  test('a small net with a custom gate learns XOR', () => {
    expect(result.xor.accuracy).toBeGreaterThanOrEqual(0.95);
  });

  test('the WebAssembly kernel loads and is the one that runs', () => {
    expect(result.kernel.error).toBeUndefined();
    expect(result.kernel.available).toBe(true);
    expect(result.kernel.maxDiff).toBeLessThan(1e-3);
    expect(result.kernel.backend).toBe('wasm-simd'); // the default kernel, as kernelInfo() names it
  });
});
