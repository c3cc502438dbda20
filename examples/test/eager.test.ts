import { runEagerLecture } from '../src/eager-lecture';
import { runEagerMoons } from '../src/eager-moons';
import { runEagerRnn } from '../src/eager-rnn';

test('eager lecture graphs print the same numbers as the graph style', () => {
  const lines: string[] = [];
  const r = runEagerLecture((l) => lines.push(l));
  expect(r.addMultiply.eager).toEqual({ f: -12, dx: -4, dy: -4, dz: 3 });
  expect(r.addMultiply.eager).toEqual(r.addMultiply.graph);
  expect(lines).toContain('  eager: f = -12; df/dx = -4, df/dy = -4, df/dz = 3');
  expect(lines).toContain('  graph: f = -12; df/dx = -4, df/dy = -4, df/dz = 3');
  expect(lines).toContain('  eager: f = 0.73; df/dw = [-0.20, -0.39, 0.20], df/dx = [0.39, -0.59]');
  expect(lines).toContain('  graph: f = 0.73; df/dw = [-0.20, -0.39, 0.20], df/dx = [0.39, -0.59]');
  const { eager, graph } = r.neuron;
  [...eager.dw, ...eager.dx].forEach((v, i) => expect(v).toBeCloseTo([...graph.dw, ...graph.dx][i], 15));
});

test('micrograd moons demo trained eagerly: the loss falls and the classifier separates the moons', () => {
  const r = runEagerMoons({ log: () => undefined, steps: 40, every: 100 });
  expect(r.parameters).toBe(16 * 3 + 16 * 17 + 17);
  expect(r.losses[39]).toBeLessThan(0.5 * r.losses[0]);
  expect(r.accuracies[39]).toBeGreaterThanOrEqual(0.95);
}, 120_000);

test('char-RNN trained eagerly: loss per character falls well below the uniform guess', () => {
  const lines: string[] = [];
  const r = runEagerRnn({ log: (l) => lines.push(l), iterations: 300, hidden: 32, sampleEvery: 150 });
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  expect(r.losses[0]).toBeCloseTo(Math.log(r.vocab), 2); // small initial weights: a uniform guess
  expect(mean(r.losses.slice(-50))).toBeLessThan(0.6 * Math.log(r.vocab));
  expect(r.samples).toHaveLength(3);
  expect(lines.filter((l) => l.startsWith('  sample: '))).toHaveLength(3);
}, 120_000);
