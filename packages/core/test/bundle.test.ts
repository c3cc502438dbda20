import { execFileSync } from 'child_process';
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vm from 'vm';

/**
 * Core's main entry is browser-safe and bundle-safe (issue 12): bundled by esbuild for the browser it
 * needs no Node built-in, runs where there is no require, process or __dirname, and computes on the
 * WebAssembly kernel, whose bytes travel inside the bundle. Bundled for Node, the kernel (and the
 * helper thread of '@chainrule/core/node') still loads from wherever the bundle is put.
 */

const src = path.join(__dirname, '..', 'src');
const NODE_BUILTINS = new Set(require('module').builtinModules as string[]);

function bundle(entry: string, platform: 'browser' | 'node'): { code: string; inputs: string[] } {
  const r = esbuild.buildSync({
    entryPoints: [path.join(src, entry)],
    bundle: true,
    platform,
    format: platform === 'browser' ? 'iife' : 'cjs',
    globalName: platform === 'browser' ? 'chainrule' : undefined,
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return { code: r.outputFiles[0].text, inputs: Object.keys(r.metafile.inputs) };
}

/** An expression: a 2×3·3×2 product on the wasm kernel, with what the kernels report. */
const product = `(() => {
  const kernel = chainrule.createKernel({ backend: 'wasm' });
  const a = new Float32Array([1, 2, 3, 4, 5, 6]);
  const b = new Float32Array([7, 8, 9, 10, 11, 12]);
  const out = new Float32Array(4);
  kernel.gemm(a, b, out, 2, 3, 2);
  return { info: kernel.info, out: Array.from(out), auto: chainrule.kernelInfo().name };
})()`;

describe('bundling core', () => {
  it('for the browser: no Node built-in, and it computes on the wasm kernel with no require, process or __dirname', () => {
    const { code, inputs } = bundle('index.ts', 'browser');
    const builtins = inputs.filter((i) => i.startsWith('node:') || NODE_BUILTINS.has(i));
    expect(builtins).toEqual([]);
    expect(inputs.some((i) => /worker_threads|node-helper/.test(i))).toBe(false);
    // A browser's globals, as far as core needs them: the JS built-ins (WebAssembly included), atob, console, TextDecoder/TextEncoder.
    const context = vm.createContext({ atob, console, TextDecoder, TextEncoder });
    vm.runInContext(code, context);
    expect(vm.runInContext('[typeof require, typeof process, typeof __dirname]', context)).toEqual(['undefined', 'undefined', 'undefined']);
    const r = vm.runInContext(product, context);
    expect(r.info).toEqual({ name: 'wasm-simd', threads: 1, reason: 'WebAssembly SIMD' });
    expect(r.out).toEqual([58, 64, 139, 154]);
    expect(r.auto).toBe('wasm-simd');
  });

  it('for Node: the bundle, moved elsewhere, still loads the wasm kernel and its helper thread', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainrule-bundle-'));
    try {
      fs.writeFileSync(path.join(dir, 'core.js'), bundle('index.ts', 'node').code);
      fs.writeFileSync(path.join(dir, 'node.js'), bundle('node.ts', 'node').code);
      const script = `
        const chainrule = require('./core.js');
        const r = ${product};
        const k2 = require('./node.js').createNodeKernel({ backend: 'wasm', threads: 2, threadMinMacs: { float32: 0 } });
        k2.threadsReady().then((ready) => {
          const a = Float32Array.from({ length: 64 * 64 }, (_, i) => (i % 7) - 3);
          const out = new Float32Array(64 * 64);
          k2.gemm(a, a, out, 64, 64, 64);
          const ref = new Float32Array(64 * 64);
          chainrule.matmul(a, a, ref, 64, 64, 64);
          console.log(JSON.stringify({ ...r, ready, two: k2.info.name, same: out.every((v, i) => v === ref[i]) }));
          k2.dispose();
        });`;
      const r = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8', timeout: 60000 }));
      expect(r).toEqual({ info: { name: 'wasm-simd', threads: 1, reason: 'WebAssembly SIMD' }, out: [58, 64, 139, 154], auto: 'wasm-simd', ready: true, two: 'wasm-simd x2', same: true });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
