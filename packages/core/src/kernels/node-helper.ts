import { Worker } from 'worker_threads';
import { HelperHandle, HelperSpawner } from './helper-thread';

/**
 * Node's helper thread for the two-thread kernel: a worker_threads Worker running the protocol's
 * program over the shared memory. Only '@chainrule/core/node' reaches this file, so browser bundles
 * of core never see worker_threads.
 */
export const spawnNodeHelper: HelperSpawner = ({ module, memory, ctrl, source }) => {
  const worker = new Worker(`const { module, memory, ctrl } = require('worker_threads').workerData;\n${source}`, {
    eval: true,
    workerData: { module, memory, ctrl },
  });
  worker.unref(); // an idle helper never keeps the process alive
  const handle: HelperHandle & { exited: boolean } = {
    exited: false,
    terminate: () => void worker.terminate(),
  };
  // Seen between calls (events need the event loop); an 'error' listener also keeps a crashing helper from crashing the process.
  worker.on('exit', () => (handle.exited = true));
  worker.on('error', () => (handle.exited = true));
  return handle;
};
