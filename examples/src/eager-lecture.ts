/**
 * The lecture graphs written eagerly, beside the graph style: (x + y) · z and the sigmoid neuron as
 * ordinary code over Values (`x.add(y).mul(z)`, then `.backward()`), printed next to the numbers the
 * ComputationalGraph versions (add-multiply, sigmoid-neuron) give. Same gates, same numbers.
 */
import 'reflect-metadata';
import { value, Value } from '@chainrule/eager';
import { runAddMultiply } from './add-multiply';
import { runSigmoidNeuron, W, X } from './sigmoid-neuron';

export interface EagerLectureResult {
  addMultiply: { eager: { f: number; dx: number; dy: number; dz: number }; graph: { f: number; dx: number; dy: number; dz: number } };
  neuron: { eager: { f: number; dw: number[]; dx: number[] }; graph: { f: number; dw: number[]; dx: number[] } };
}

const fmt = (v: number): string => v.toFixed(2);

/** f = (x + y) · z at (−2, 5, −4), eagerly. */
export function eagerAddMultiply(): { f: number; dx: number; dy: number; dz: number } {
  const x = value(-2);
  const y = value(5);
  const z = value(-4);
  const f = x.add(y).mul(z);
  f.backward();
  return { f: f.item(), dx: x.gradItem(), dy: y.gradItem(), dz: z.gradItem() };
}

/** σ(w0·x0 + w1·x1 + w2) at w = [2, −3, −3], x = [−1, −2], eagerly, with σ written as the slides' 1 / (1 + e^−s). */
export function eagerNeuron(): { f: number; dw: number[]; dx: number[] } {
  const w = W.map((v) => value(v));
  const x = X.map((v) => value(v));
  const s: Value = w[0].mul(x[0]).add(w[1].mul(x[1])).add(w[2]);
  const f = s.neg().exp().add(1).pow(-1);
  f.backward();
  return { f: f.item(), dw: w.map((v) => v.gradItem()), dx: x.map((v) => v.gradItem()) };
}

export function runEagerLecture(log: (line: string) => void = console.log): EagerLectureResult {
  const quiet = (): void => undefined;
  const g = runAddMultiply(quiet);
  const graphAm = { f: g.values.f, dx: g.grads.x, dy: g.grads.y, dz: g.grads.z };
  const eagerAm = eagerAddMultiply();
  log('f = (x + y) * z at x = -2, y = 5, z = -4');
  log('  eager:  const f = x.add(y).mul(z); f.backward()');
  for (const [label, r] of [['eager', eagerAm], ['graph', graphAm]] as const) {
    log(`  ${label}: f = ${r.f}; df/dx = ${r.dx}, df/dy = ${r.dy}, df/dz = ${r.dz}`);
  }
  const n = runSigmoidNeuron(quiet).sigmoid;
  const graphNeuron = { f: n.output, dw: n.dw, dx: n.dx };
  const eagerN = eagerNeuron();
  log('sigmoid neuron σ(w0*x0 + w1*x1 + w2) at w = [2, -3, -3], x = [-1, -2]');
  log('  eager:  w[0].mul(x[0]).add(w[1].mul(x[1])).add(w[2]).neg().exp().add(1).pow(-1)');
  for (const [label, r] of [['eager', eagerN], ['graph', graphNeuron]] as const) {
    log(`  ${label}: f = ${fmt(r.f)}; df/dw = [${r.dw.map(fmt).join(', ')}], df/dx = [${r.dx.map(fmt).join(', ')}]`);
  }
  return { addMultiply: { eager: eagerAm, graph: graphAm }, neuron: { eager: eagerN, graph: graphNeuron } };
}

if (require.main === module) runEagerLecture();
