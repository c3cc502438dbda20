// The browser half of the W1 browser-vs-Node benchmark (w1-browser-vs-node.ts bundles this file for
// Chromium): the same data, model and timing function as `npm run bench`'s W1, exposed to the runner
// as globalThis.chainruleW1.
import 'reflect-metadata';
import { defaultKernel, kernelInfo } from '@chainrule/core';
import { makeMlpData, W1_SPEC } from '../data';
import { chainruleMlp } from '../peers/chainrule-mlp';
import { MlpTrainer } from '../peers/types';
import { timeW1, W1Samples, W1Timing } from '../w1-timing';

/** What the runner calls in the page. */
export interface W1Page {
  /** Builds the data and the network; returns the kernel in use. */
  start(): { wasm: boolean; backend: string };
  time(timing: W1Timing): W1Samples;
}

let trainer: MlpTrainer | undefined;
const page: W1Page = {
  start() {
    trainer = chainruleMlp(makeMlpData(W1_SPEC), defaultKernel);
    return { wasm: kernelInfo().name.startsWith('wasm'), backend: kernelInfo().name };
  },
  time(timing) {
    if (!trainer) throw new Error('chainruleW1.time before start');
    return timeW1(trainer, W1_SPEC, timing);
  },
};
(globalThis as { chainruleW1?: W1Page }).chainruleW1 = page;
