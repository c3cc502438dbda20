import { Tensor } from '@chainrule/core';
import { makeScalarData, scalarParams } from '../data';
import { bytesPerStep } from '../harness';
import { eagerScalarStep } from '../peers/chainrule-eager';
import { chainruleScalarGraph, scalarContainer } from '../peers/chainrule-scalar';
import { LeanValue, leanOps } from '../peers/lean-value';
import { Value, valueOps } from '../peers/micrograd';
import { useBackend } from '../peers/tfjs';
import { countScalarNodes, scalarMlpLoss, ScalarOps } from '../peers/types';
import { CaseResult, timeFor, Workload } from './common';

export interface W2Options {
  points: number;
  sizes: number[];
  reps: number;
  /** Milliseconds timed per repetition (after as long again of warm-up, so the process's JIT has settled). */
  minMs: number;
  /** Steps in the eager allocation measurement (0: skip it). */
  allocSteps: number;
}

/** The cases a floor is compared in: its one measurement stands beside each of chainrule's modes. */
const CASES = ['reuse graph', 'rebuild graph', 'eager'];

/** A step (forward + backward, gradients zeroed) of each library, returning the loss. */
function stepOf(library: string, o: W2Options): () => number {
  const data = makeScalarData(o.points, 7);
  const params0 = scalarParams(11, o.sizes);
  const floor = <V extends { grad: number; data: number; backward(): void }>(make: (x: number) => V, ops: ScalarOps<V>): (() => number) => {
    const p = Array.from(params0, make);
    const x = Array.from(data.x, make);
    const y = Array.from(data.y, make);
    return () => {
      for (const v of p) v.grad = 0;
      const l = scalarMlpLoss(ops, p, x, y, o.sizes);
      l.backward();
      return l.data;
    };
  };
  switch (library) {
    case 'lean JS':
      return floor((v) => new LeanValue(v), leanOps);
    case 'plain JS':
      return floor((v) => new Value(v), valueOps);
    case 'chainrule (eager)':
      return eagerScalarStep(params0, data.x, data.y, o.sizes);
  }
  const container = scalarContainer();
  const pt = Array.from(params0, (v) => Tensor.from(v));
  const xt = Array.from(data.x, (v) => Tensor.from(v));
  const yt = Array.from(data.y, (v) => Tensor.from(v));
  if (library === 'chainrule (reuse)') {
    const g = chainruleScalarGraph(container, pt, xt, yt, o.sizes);
    const nodes = g.nodes.filter((n) => n.kind === 'gate').length;
    if (nodes !== countScalarNodes(o.points, o.sizes)) throw new Error(`W2: chainrule graph has ${nodes} gate nodes, expected ${countScalarNodes(o.points, o.sizes)}`);
    return () => {
      const loss = g.forward().item();
      g.backward();
      return loss;
    };
  }
  if (library === 'chainrule (rebuild)') {
    return () => {
      const h = chainruleScalarGraph(container, pt, xt, yt, o.sizes);
      const loss = h.forward().item();
      h.backward();
      return loss;
    };
  }
  throw new Error(`W2: unknown library '${library}'`);
}

/** tfjs: eager scalar ops under variableGrads (float32), the closest it has to a scalar graph. */
async function tfjsStep(backend: 'cpu' | 'wasm', o: W2Options): Promise<{ step: () => number; dispose: () => void }> {
  const t = await useBackend(backend);
  const data = makeScalarData(o.points, 7);
  const tp = Array.from(scalarParams(11, o.sizes), (v) => t.variable(t.scalar(v, 'float32')));
  const tx = Array.from(data.x, (v) => t.scalar(v, 'float32'));
  const ty = Array.from(data.y, (v) => t.scalar(v, 'float32'));
  type S = import('@tensorflow/tfjs').Scalar;
  const ops: ScalarOps<S> = { add: (a, b) => t.add(a, b), mul: (a, b) => t.mul(a, b), sub: (a, b) => t.sub(a, b), tanh: (a) => t.tanh(a) };
  return {
    step: () => {
      const { value, grads } = t.variableGrads(() => scalarMlpLoss(ops, tp as unknown as S[], tx, ty, o.sizes));
      const l = value.dataSync()[0];
      value.dispose();
      for (const k of Object.keys(grads)) grads[k].dispose();
      return l;
    },
    dispose: () => {
      for (const v of [...tp, ...tx, ...ty]) v.dispose();
    },
  };
}

const NOTES: Record<string, string> = {
  'chainrule (reuse)': 'ComputationalGraph built once, forward + backward per step',
  'chainrule (rebuild)': 'new ComputationalGraph (same container) every step',
  'lean JS': 'micrograd Value as written (closures, recursive topo sort with a Set): the lean floor',
  'plain JS': 'micrograd-style with an explicit DFS stack (the earlier floor)',
};

/** W2, micrograd's scalar graph: chainrule's three modes against the two plain-JS floors and tfjs, a process per library and repetition. */
export const W2: Workload<W2Options> = {
  title: 'W2 scalar-graph',
  metric: 'forward+backward',
  unit: 'nodes/s',
  libraries(_o, peers) {
    const run = ['chainrule (reuse)', 'chainrule (rebuild)', 'chainrule (eager)'];
    for (const p of ['lean JS', 'plain JS', 'tfjs-cpu', 'tfjs-wasm'] as const) if (peers.includes(p)) run.push(p);
    return { run, skipped: [] };
  },
  async run(library, rep, o) {
    const nodes = countScalarNodes(o.points, o.sizes);
    if (library.startsWith('tfjs-')) {
      // A few steps only: tfjs runs at ~20,000 nodes/s, seconds per step.
      const backend = library === 'tfjs-cpu' ? 'cpu' : 'wasm';
      const { step, dispose } = await tfjsStep(backend, o);
      step();
      let loss = NaN;
      const { calls, seconds } = timeFor(() => void (loss = step()), 0);
      dispose();
      return [{ case: 'rebuild graph', value: (nodes * calls) / seconds, loss, note: 'eager scalar ops + variableGrads (float32)' }];
    }
    const step = stepOf(library, o);
    let loss = NaN;
    const run = (): void => void (loss = step());
    timeFor(run, o.minMs);
    const { calls, seconds } = timeFor(run, o.minMs);
    const value = (nodes * calls) / seconds;
    if (library.startsWith('chainrule (')) {
      const kase = library === 'chainrule (reuse)' ? 'reuse graph' : library === 'chainrule (rebuild)' ? 'rebuild graph' : 'eager';
      const r: CaseResult = { case: kase, library: 'chainrule', value, loss, note: NOTES[library] };
      if (kase === 'eager') {
        r.note = '@chainrule/eager, recorded every step';
        if (rep === 0 && o.allocSteps > 0) {
          r.bytesPerStep = bytesPerStep(run, o.allocSteps);
          r.bytesPerNode = r.bytesPerStep / nodes;
        }
      }
      return [r];
    }
    return CASES.map((kase) => ({ case: kase, value, loss, note: NOTES[library] }));
  },
};
