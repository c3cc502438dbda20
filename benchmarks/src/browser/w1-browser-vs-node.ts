import 'reflect-metadata';
import { defaultKernel, kernelInfo } from '@chainrule/core';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { gzipSync } from 'zlib';
import { makeMlpData, W1_SPEC } from '../data';
import { median } from '../harness';
import { chainruleMlp } from '../peers/chainrule-mlp';
import { timeW1, W1Samples, W1Timing } from '../w1-timing';
import { bundleForBrowser, chromiumPath, launchChromium, pageHtml, serveStatic } from './chromium';
import type { W1Page } from './w1-page';

/**
 * W1 (the MLP training workload of `npm run bench`) in headless Chromium and in Node, in one run:
 * `npm run bench:browser [-- --rounds N --steps N]`. Rounds alternate Node and browser so that both
 * see the same machine load; each prints samples/s, and the summary gives the medians and the
 * browser/Node ratio (target: >= 0.8). It also prints the size of a minified browser bundle of
 * core+gates+optim, raw and gzipped. Needs the packages built (the npm script does it) and Chromium.
 */
const BENCH_SRC = join(__dirname, '..', '..', 'src');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Minified and gzipped bytes of a browser bundle of everything core, gates and optim export. */
async function bundleSizes(dir: string): Promise<{ withDeps: number; withDepsGz: number; own: number; ownGz: number }> {
  const contents = "export * from '@chainrule/core';\nexport * from '@chainrule/gates';\nexport * from '@chainrule/optim';\n";
  const { build } = await import('esbuild');
  const size = async (external: string[]): Promise<[number, number]> => {
    const outfile = join(dir, `all-${external.length}.js`);
    // resolveDir: the packages resolve from benchmarks/ through node_modules, to their ESM builds.
    await build({ stdin: { contents, resolveDir: join(BENCH_SRC, '..') }, tsconfigRaw: {}, outfile, bundle: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true, external, logLevel: 'error' });
    const bytes = readFileSync(outfile);
    return [bytes.length, gzipSync(bytes, { level: 9 }).length];
  };
  const [withDeps, withDepsGz] = await size([]);
  const [own, ownGz] = await size(['inversify', 'reflect-metadata']);
  return { withDeps, withDepsGz, own, ownGz };
}

async function main(): Promise<void> {
  const executable = chromiumPath();
  if (!executable) throw new Error('no Chromium: install Debian\'s `chromium` (apt-get install -y chromium) or set CHROMIUM_PATH');
  const rounds = arg('--rounds', 5);
  const timing: W1Timing = { warmup: 0, steps: arg('--steps', 100), reps: 1, lossSteps: 0 };
  const warm: W1Timing = { ...timing, steps: 0, warmup: 30 };
  const dir = mkdtempSync(join(tmpdir(), 'chainrule-w1-'));
  const server = await (async () => {
    await bundleForBrowser(join(BENCH_SRC, 'browser', 'w1-page.ts'), join(dir, 'w1.js'));
    writeFileSync(join(dir, 'index.html'), pageHtml('./w1.js'));
    return serveStatic(dir);
  })();
  const browser = await launchChromium(executable);
  try {
    const page = await browser.context.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => (globalThis as { chainruleW1?: unknown }).chainruleW1 !== undefined);
    // The callbacks run in the page (Playwright sends their source), so each reads the page's global itself.
    const time = (t: W1Timing): Promise<W1Samples> => page.evaluate((tt) => (globalThis as { chainruleW1?: W1Page }).chainruleW1!.time(tt), t);
    const browserKernel = await page.evaluate(() => (globalThis as { chainruleW1?: W1Page }).chainruleW1!.start());
    const nodeTrainer = chainruleMlp(makeMlpData(W1_SPEC), defaultKernel);
    console.log(`W1 (${W1_SPEC.features}-${W1_SPEC.hidden.join('-')}-${W1_SPEC.classes} MLP, batch ${W1_SPEC.batch}, float32, SGD): ${rounds} rounds of ${timing.steps} steps, Node and Chromium alternating`);
    console.log(`kernel: Node ${kernelInfo().name.startsWith('wasm') ? 'wasm' : 'js'}, Chromium ${browserKernel.wasm ? 'wasm' : 'js'} (backend ${browserKernel.backend})`);
    timeW1(nodeTrainer, W1_SPEC, warm);
    await time(warm);
    const node: number[] = [];
    const chromium: number[] = [];
    for (let r = 0; r < rounds; r++) {
      node.push(timeW1(nodeTrainer, W1_SPEC, timing).samples[0]);
      chromium.push((await time(timing)).samples[0]);
      console.log(`  round ${r + 1}: Node ${node[r].toFixed(0)} samples/s, Chromium ${chromium[r].toFixed(0)} samples/s`);
    }
    const n = median(node);
    const c = median(chromium);
    console.log(`median: Node ${n.toFixed(0)} samples/s, Chromium ${c.toFixed(0)} samples/s, Chromium/Node ${(c / n).toFixed(2)} (target >= 0.80)`);
    const sizes = await bundleSizes(dir);
    const kb = (b: number): string => `${(b / 1024).toFixed(1)} KiB`;
    console.log(`browser bundle of core+gates+optim, minified: ${kb(sizes.withDeps)} (${kb(sizes.withDepsGz)} gzipped) with inversify and reflect-metadata; ${kb(sizes.own)} (${kb(sizes.ownGz)} gzipped) without them`);
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
