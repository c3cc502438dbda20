import 'reflect-metadata';
import { kernelInfo } from '@chainrule/core';
import { makePoints } from './datasets';
import { FromWorker, ToWorker } from './protocol';
import { NetworkSession } from './session';

/**
 * Trains in a Web Worker so the page stays responsive: in slices of about 25 ms, posting loss and
 * accuracy after each, the decision boundary and health report every few slices, and the
 * inspected layer's weights and gradients.
 */
const post = (m: FromWorker) => (self as unknown as { postMessage(m: FromWorker): void }).postMessage(m);
const RES = 48;
let session: NetworkSession | undefined;
let running = false;
let trainMs = 0;
let slices = 0;
let inspected = '';

function report(full: boolean): void {
  if (!session) return;
  const s = session;
  const accuracy = s.accuracy();
  post({
    type: 'progress',
    steps: s.steps,
    loss: s.lastLoss,
    accuracy,
    trainMs,
    running,
    res: RES,
    grid: full ? s.grid(RES) : undefined,
    health: full ? s.health() : undefined,
    layer: full && inspected ? s.layer(inspected) : undefined,
  });
}

function slice(): void {
  if (!running || !session) return;
  const t0 = performance.now();
  while (performance.now() - t0 < 25) session.train(5);
  trainMs += performance.now() - t0;
  slices++;
  report(slices % 6 === 0);
  setTimeout(slice, 0);
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  try {
    if (m.type === 'init') {
      running = false;
      trainMs = 0;
      slices = 0;
      const data = makePoints(m.dataset, m.points);
      session = new NetworkSession(m.settings, data);
      inspected = session.layers[0];
      const k = kernelInfo();
      post({ type: 'ready', layers: session.layers, x: data.x, y: data.y, classes: data.classes, kernel: `${k.name} (${k.reason})` });
      report(true);
    } else if (m.type === 'run') {
      if (!running) {
        running = true;
        setTimeout(slice, 0);
      }
    } else if (m.type === 'pause') {
      running = false;
      report(true);
    } else if (m.type === 'step') {
      running = false;
      const t0 = performance.now();
      session?.train(1);
      trainMs += performance.now() - t0;
      report(true);
    } else if (m.type === 'inspect') {
      inspected = m.layer;
      report(true);
    }
  } catch (err) {
    running = false;
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};
