// Issue 15's fuzz property (b), as a class: NaN or ±Infinity fed anywhere into a training step
// (a feature, a label, a parameter, or a gradient through a gate that corrupts it), with every
// optimizer, either policy, with or without clipping, through the Trainer or by hand. Whatever
// happens, no parameter that was finite becomes non-finite without an error, and a refused or
// skipped step changes nothing: parameters, gradients and optimizer state are bit for bit as before.
import 'reflect-metadata';
import { ChainruleError, ComputationalGraph, Gate, Tensor } from '@chainrule/core';
import { createGatesContainer, Linear, ReLUGate, SoftmaxCrossEntropyGate } from '@chainrule/gates';
import { clipGradNorm, Optimizer, Parameter, Trainer } from '@chainrule/optim';
import fc from 'fast-check';
import { injectable } from 'inversify';
import { bits, RULES } from './helpers';

// A fixed seed keeps CI deterministic; FC_SEED explores other draws, FC_RUNS runs more cases.
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261202) });
const RUNS = Number(process.env.FC_RUNS ?? 150);

/** Identity forward; backward passes dout on, with one element replaced when `poison` says so. */
@injectable()
class Poison implements Gate {
  static poison: { index: number; value: number } | undefined;
  private readonly grads = [Tensor.zeros([0])];
  forward(...inputs: Tensor[]): Tensor {
    return inputs[0].clone();
  }
  backward(dout: Tensor): Tensor[] {
    const g = (this.grads[0] = dout.clone());
    if (Poison.poison) g.data[Poison.poison.index % g.size] = Poison.poison.value;
    return this.grads;
  }
}

const BATCH = 4;
function network() {
  const graph = new ComputationalGraph(createGatesContainer());
  graph.input('x', { shape: [null, 2], requiresGrad: false });
  graph.input('y', { requiresGrad: false });
  const h = graph.gate(Poison, [graph.gate(Linear, ['x'], { name: 'fc1', options: { inFeatures: 2, outFeatures: 3, seed: 1 } })], { name: 'poison' });
  const scores = graph.gate(Linear, [graph.gate(ReLUGate, [h], { name: 'relu' })], { name: 'fc2', options: { inFeatures: 3, outFeatures: 2, seed: 2 } });
  graph.gate(SoftmaxCrossEntropyGate, [scores, 'y'], { name: 'loss' });
  return { graph, scores };
}

const site = fc.constantFrom('feature', 'label', 'parameter', 'gradient', 'none');
const bad = fc.constantFrom(NaN, Infinity, -Infinity);
const caseArb = fc.record({
  rule: fc.constantFrom(...Object.keys(RULES)),
  policy: fc.constantFrom('throw' as const, 'skip' as const),
  clip: fc.boolean(),
  viaTrainer: fc.boolean(),
  site,
  value: bad,
  param: fc.nat(3), // fc1/W, fc1/b, fc2/W, fc2/b
  index: fc.nat(20),
  features: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 2 * BATCH, maxLength: 2 * BATCH }),
  labels: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: BATCH, maxLength: BATCH }),
});

const finite = (p: Parameter): boolean => (p.value as Tensor).isFinite();
const grads = (params: readonly Parameter[]): string => JSON.stringify(params.map((p) => Array.from(p.grad?.data ?? [], String)));
const state = (opt: Optimizer): string => JSON.stringify(opt.state(), (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));

let casesTried = 0;
const outcomes: Record<string, number> = {};
afterAll(() => console.log(`non-finite training-step property: ${casesTried} cases tried ${JSON.stringify(outcomes)}`));

test('NaN or ±Infinity anywhere in a training step: an error or a skip that changed nothing, never a silently non-finite parameter', () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      casesTried++;
      Poison.poison = undefined;
      const { graph, scores } = network();
      const params = graph.parameters();
      const made = RULES[c.rule](params);
      const Rule = made.constructor as new (p: Parameter[], o: object) => Optimizer;
      const opt = new Rule(params, { ...made.hyperparameters, nonFinite: c.policy });
      const features = Float64Array.from(c.features);
      const labels = c.labels.slice();
      const trainer = new Trainer({ graph, optimizer: opt, features: 'x', labels: 'y', scores, batchSize: BATCH, shuffle: false, clipNorm: c.clip ? 1 : undefined });
      trainer.fit({ features, labels }, { epochs: 1 }); // one clean step, so the state is not all zeros

      if (c.site === 'feature') features[c.index % features.length] = c.value;
      if (c.site === 'label') labels[c.index % labels.length] = c.value;
      if (c.site === 'gradient') Poison.poison = { index: c.index, value: c.value };
      if (c.site === 'parameter') {
        const d = (params[c.param].value as Tensor).data;
        d[c.index % d.length] = c.value;
      }
      const wasFinite = params.map(finite);
      const valuesBefore = bits(params);
      const stateBefore = state(opt);
      // The gradients the step is given, recorded just before it runs (backward has replaced them by then).
      let gradsAtStep: string | undefined;
      const step = opt.step.bind(opt);
      opt.step = () => {
        gradsAtStep = grads(params);
        return step();
      };
      let error: unknown;
      let applied = true;
      try {
        if (c.viaTrainer) {
          const skipped: boolean[] = [];
          trainer.fit({ features, labels }, { epochs: 1, onStep: (s) => skipped.push(s.skipped) });
          applied = !skipped[0];
        } else {
          graph.forward({ x: Tensor.from(Array.from(features), { shape: [BATCH, 2] }), y: Tensor.from(labels) });
          graph.backward();
          if (c.clip) clipGradNorm(params, 1, { nonFinite: c.policy });
          applied = opt.step();
        }
      } catch (e) {
        error = e;
      }
      const outcome = error ? 'refused' : applied ? 'applied' : 'skipped';
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      if (error) expect(error).toBeInstanceOf(ChainruleError);
      if (error || !applied) {
        expect(bits(params)).toEqual(valuesBefore);
        expect(state(opt)).toBe(stateBefore);
        if (gradsAtStep !== undefined) expect(grads(params)).toBe(gradsAtStep);
      } else {
        params.forEach((p, k) => {
          if (wasFinite[k]) expect(finite(p)).toBe(true);
        });
        if (wasFinite.every(Boolean)) expect(state(opt)).not.toMatch(/NaN|Infinity/);
      }
      if (c.site === 'none') expect(outcome).toBe('applied');
    }),
    { numRuns: RUNS },
  );
});
