import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const shim = fileURLToPath(new URL('./shims/node-builtins.ts', import.meta.url));

/**
 * The lab imports the packages' published entry points (their built dist/, so `npm run build` at
 * the root comes first: `npm run lab` does both). Until core and viz are browser-safe (issue 12),
 * the Node built-ins they import resolve to a shim and the two environment variables core reads at
 * load are defined away; see shims/node-builtins.ts.
 */
export default defineConfig({
  base: './',
  resolve: {
    alias: [{ find: /^(node:)?(fs|fs\/promises|path|worker_threads)$/, replacement: shim }],
  },
  define: {
    'process.env.CHAINRULE_MATMUL': 'undefined',
    'process.env.CHAINRULE_MATMUL_THREADS': 'undefined',
    __dirname: '"/"',
  },
  // chainrule names gates by their class names (graph node types, the gate registry, traces), so the
  // minifier must keep class and function names.
  build: { target: 'es2022', chunkSizeWarningLimit: 2500, rolldownOptions: { output: { keepNames: true } } },
  worker: { format: 'es', rolldownOptions: { output: { keepNames: true } } },
  preview: { host: '127.0.0.1', port: 4173 },
});
