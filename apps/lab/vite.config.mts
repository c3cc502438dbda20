import { defineConfig } from 'vite';

/**
 * The lab imports the packages' published entry points: Vite resolves @chainrule/* through their
 * exports maps to the built ESM (dist/esm), so the packages are built first (`npm run lab` does).
 */
export default defineConfig({
  base: './',
  // chainrule names gates by their class names (graph node types, the gate registry, traces), so the
  // minifier must keep class and function names.
  build: { target: 'es2022', chunkSizeWarningLimit: 2500, rolldownOptions: { output: { keepNames: true } } },
  worker: { format: 'es', rolldownOptions: { output: { keepNames: true } } },
  preview: { host: '127.0.0.1', port: 4173 },
});
