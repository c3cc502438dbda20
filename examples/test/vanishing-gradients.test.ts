import { runVanishingGradients } from '../src/vanishing-gradients';
import { collector, readSvg, tempOut } from './helpers';

describe('vanishing-gradients example', () => {
  test('ReLU with He init keeps the first layer within 100x of the last; naive sigmoid does not', async () => {
    const out = tempOut('vanishing');
    const c = collector();
    const result = await runVanishingGradients({ outDir: out, log: c.log, width: 64, batch: 64 });
    expect(result.depth).toBe(10);
    const find = (activation: string, init: string) => {
      const r = result.results.find((x) => x.activation === activation && x.init === init);
      if (!r) throw new Error(`no ${activation}/${init}`);
      return r;
    };
    for (const r of result.results) expect(r.gradNorms).toHaveLength(10);
    const reluHe = find('relu', 'he');
    expect(reluHe.gradNorms[0] / reluHe.gradNorms[9]).toBeLessThan(100);
    expect(reluHe.gradNorms[0] / reluHe.gradNorms[9]).toBeGreaterThan(0.01);
    expect(reluHe.healthy).toBe(true);
    const naiveSigmoid = find('sigmoid', 'naive');
    expect(naiveSigmoid.gradNorms[0] / naiveSigmoid.gradNorms[9]).toBeLessThan(1e-2);
    expect(naiveSigmoid.healthy).toBe(false);
    expect(find('sigmoid', 'xavier').firstOverLast).toBeGreaterThan(naiveSigmoid.firstOverLast * 1e3);
    expect(find('tanh', 'xavier').healthy).toBe(true);
    const { texts } = readSvg(result.plots[0]);
    for (const label of ['Gradient norm per layer', 'sigmoid', 'tanh', 'relu', 'activation', 'initialisation', 'N(0, 0.01²)', 'Xavier / He', '‖dL/dW‖ (log scale)']) {
      expect(texts).toContain(label);
    }
    expect(c.text()).toContain('<- vanishing towards the input');
    expect(result.healthReport).toContain('SoftmaxCrossEntropyGate');
    expect(c.text()).toContain('@chainrule/viz healthReport');
  });
});
