import { makeMlpData, MlpSpec } from '../data';
import { chainruleMlp } from '../peers/chainrule-mlp';
import { convnetMlp } from '../peers/convnetjs';
import { plainMlp } from '../peers/plain-mlp';
import { torchMissing, torchVersion, torchW1 } from '../peers/pytorch';
import { tfjsMlp } from '../peers/tfjs';
import { MlpTrainer } from '../peers/types';
import { ThroughputOptions, trainRepetition } from '../train-throughput';
import { CHAINRULE_KERNELS, chainruleLibraries, Peer, wasmAvailable, withKernel, Workload } from './common';

export interface W1Options extends ThroughputOptions {
  spec: MlpSpec;
  /** The case name in the table ('float32' for the W1). */
  case: string;
  /** Also run chainrule with the plain-JS kernel. */
  variants: boolean;
  /** Which peers this case runs at all (the large case runs only against PyTorch). */
  peers: Peer[];
}

/**
 * W1, MLP training: each library's repetition in its own process, from the same data, initial
 * weights and batches (makeMlpData is deterministic, so every process regenerates the same bytes).
 */
export const W1: Workload<W1Options> = {
  title: 'W1 mlp-train',
  metric: 'training throughput',
  unit: 'samples/s',
  libraries(o, peers) {
    // W1 only: the MLP as MatMulGate → AddGate → ReLUGate nodes too (the headline row fuses each Linear + ReLU).
    const run = [...chainruleLibraries(o.variants), ...(o.variants ? ['chainrule (unfused layers)'] : [])];
    const skipped: string[] = [];
    for (const p of o.peers) {
      if (!peers.includes(p)) continue;
      if (p === 'pytorch' && !torchVersion()) skipped.push(`pytorch skipped: ${torchMissing()}`);
      else run.push(p);
    }
    return { run, skipped };
  },
  async run(library, rep, o) {
    const data = makeMlpData(o.spec);
    const B = o.spec.batch;
    if (library === 'pytorch') return [torchW1(data, o, rep, o.case)];
    const kernel = CHAINRULE_KERNELS[library];
    if (kernel) {
      const note = library !== 'chainrule' ? undefined : wasmAvailable() ? 'wasm SIMD kernel, 1 thread, Linear({ activation: relu })' : 'js kernel (wasm did not load)';
      const layers = library === 'chainrule (unfused layers)' ? 'unfused' : 'fused';
      return [await withKernel(kernel.backend, kernel.threads, (k) => trainRepetition(chainruleMlp(data, k, library, layers), B, o, rep, o.case, note))];
    }
    const peers: Record<string, () => Promise<MlpTrainer> | MlpTrainer> = {
      'tfjs-cpu': () => tfjsMlp(data, 'cpu'),
      'tfjs-wasm': () => tfjsMlp(data, 'wasm'),
      convnetjs: () => convnetMlp(data),
      'plain JS': () => plainMlp(data),
    };
    const make = peers[library];
    if (!make) throw new Error(`W1: unknown library '${library}'`);
    return [trainRepetition(await make(), B, o, rep, o.case, library === 'convnetjs' ? 'float64 inside ConvNetJS' : undefined)];
  },
};
