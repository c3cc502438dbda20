/**
 * TEMPORARY, until core and viz are browser-safe on main (issue 12, branches `kernels` and `web`):
 * the few Node built-ins that @chainrule/core (the WebAssembly kernel's file loader, the worker-thread
 * helper) and @chainrule/viz (writeGraphPicture) import at load. In the page they are never called
 * on a path the lab uses: existsSync reports no kernel file, so core falls back to its JS matmul.
 * vite.config.ts aliases `fs`, `fs/promises`, `path` and `worker_threads` here; delete both once
 * the packages import no Node built-in.
 */
const unavailable = (what: string) => (): never => {
  throw new Error(`${what} is not available in the browser`);
};

export const existsSync = (): boolean => false;
export const readFileSync = unavailable('fs.readFileSync');
export const mkdir = unavailable('fs/promises.mkdir');
export const writeFile = unavailable('fs/promises.writeFile');
export const join = (...parts: string[]): string => parts.join('/');
export const dirname = (p: string): string => p.replace(/\/[^/]*$/, '');
export const resolve = join;
export class Worker {
  constructor() {
    throw new Error('worker_threads is not available in the browser');
  }
}
export const isMainThread = true;
export const parentPort = null;
export const workerData = undefined;
export default { existsSync, readFileSync, mkdir, writeFile, join, dirname, resolve, Worker, isMainThread, parentPort, workerData };
