import { cli } from '../src/run-example';
import { EXAMPLES, listExamples, runExample } from '../src/registry';
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { collector, tempOut } from './helpers';

describe('npm run example', () => {
  const names = EXAMPLES.map((e) => e.name);

  test('registers the lecture graphs and the example networks, one list line each', () => {
    for (const name of ['add-multiply', 'sigmoid-neuron', 'softmax-classifier', 'three-layer-network', 'two-layer-net', 'spiral', 'vanishing-gradients', 'optimizers', 'loss-curve', 'mnist']) expect(names).toContain(name);
    expect(new Set(names).size).toBe(names.length);
    const lines = listExamples().split('\n');
    expect(lines).toHaveLength(EXAMPLES.length);
    lines.forEach((line, i) => expect(line.trim().startsWith(EXAMPLES[i].name)).toBe(true));
  });

  test('with no name it lists the examples; an unknown name is an error', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
    const error = jest.spyOn(console, 'error').mockImplementation((s: string) => void err.push(s));
    try {
      expect(await cli([])).toBe(0);
      expect(out.join('\n')).toContain(listExamples());
      expect(await cli(['no-such-example'])).toBe(2);
      expect(err.join('\n')).toContain("unknown example 'no-such-example'");
      expect(await cli(['spiral', 'optimizers'])).toBe(2);
      expect(await cli(['spiral', '--seed', 'x'])).toBe(2);
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  });

  test('runs the lecture graphs by name and prints what they show', async () => {
    const c = collector();
    const out = tempOut('add-multiply');
    await runExample('add-multiply', { log: c.log, outDir: out });
    expect(c.text()).toContain('df/dx = -4');
    // The chain-rule trace and the graph picture with values and gradients.
    expect(c.text()).toContain('MultiplyGate f = q · z (multiply switches): ∂f/∂q = z = -4; upstream 1 → ∂L/∂q = (-4) × 1 = -4');
    expect(c.text()).toContain('AddGate q = x + y (add distributes)');
    const svg = readFileSync(join(out, 'graph.svg'), 'utf8');
    expect(svg.startsWith('<svg') || svg.startsWith('<?xml')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(readFileSync(join(out, 'graph.dot'), 'utf8')).toContain('-12');
    const d = collector();
    const out2 = tempOut('sigmoid-neuron');
    await runExample('sigmoid-neuron', { log: d.log, outDir: out2 });
    expect(d.text()).toContain('0.73');
    expect(d.text()).toContain('SigmoidGate');
    expect(existsSync(join(out2, 'primitive-gates.svg')) && existsSync(join(out2, 'sigmoid-gate.svg'))).toBe(true);
    for (const name of ['composite-sigmoid', 'custom-gate', 'softmax-classifier', 'three-layer-network', 'two-layer-net']) {
      const e = collector();
      await runExample(name, { log: e.log });
      expect(e.lines.length).toBeGreaterThan(0);
    }
    await expect(runExample('nope', { log: () => undefined })).rejects.toThrow(/unknown example 'nope'/);
  });
});
