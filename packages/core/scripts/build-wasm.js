#!/usr/bin/env node
// Compiles the WebAssembly SIMD matmul kernel (assembly/gemm.ts) with AssemblyScript's asc into
// wasm/gemm.wasm. Run by the root `prepare` script, so `npm install` / `npm ci` build it from source.
// Without assemblyscript (a production install without devDependencies) it warns and exits 0: the
// library then uses its plain TypeScript kernels. A compile error fails the install loudly.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
let asc;
try {
  asc = require.resolve('assemblyscript/bin/asc.js', { paths: [root] });
} catch {
  console.warn('[@chainrule/core] assemblyscript is not installed: skipping the WebAssembly kernel (the plain TypeScript matmul will be used)');
  process.exit(0);
}
fs.mkdirSync(path.join(root, 'wasm'), { recursive: true });
const args = [
  asc,
  'assembly/gemm.ts',
  '-o', 'wasm/gemm.wasm',
  '-O3', '--noAssert',
  '--runtime', 'stub',
  // Imported, shared memory: the JS side owns it and a worker thread can share it (max 1 GiB, as in src/kernels/wasm-gemm.ts).
  '--importMemory', '--sharedMemory', '--initialMemory', '1', '--maximumMemory', '16384',
  '--enable', 'simd,threads',
];
const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  console.error('[@chainrule/core] asc failed to build wasm/gemm.wasm');
  process.exit(r.status ?? 1);
}
console.log(`[@chainrule/core] built wasm/gemm.wasm (${fs.statSync(path.join(root, 'wasm', 'gemm.wasm')).size} bytes)`);
