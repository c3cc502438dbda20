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
    // the explanation is printed, and the numbers it quotes are this run's
    for (const line of result.explanation) expect(c.lines).toContain(line);
    const text = result.explanation.join('\n');
    const e = (v: number) => v.toExponential(2);
    const perLayer = Math.pow(naiveSigmoid.gradNorms[0] / naiveSigmoid.gradNorms[9], 1 / 9);
    expect(text).toContain(`‖dL/dW‖ falls from ${e(naiveSigmoid.gradNorms[9])} at layer 10 to ${e(naiveSigmoid.gradNorms[0])} at layer 1, ×${perLayer.toFixed(3)} per layer`);
    // the per-layer factor is what σ' ≤ 1/4 times weights of scale 0.01·√width predicts, within a factor 2
    expect(perLayer).toBeGreaterThan(0.5 * 0.25 * 0.01 * Math.sqrt(64));
    expect(perLayer).toBeLessThan(2 * 0.25 * 0.01 * Math.sqrt(64));
    expect(text).toContain(`(about 1/4 · 0.01·√64 = ${(0.25 * 0.08).toFixed(3)})`);
    const sigX = find('sigmoid', 'xavier');
    expect(text).toContain(`still ×${Math.pow(sigX.firstOverLast, 1 / 9).toFixed(3)} per layer (first/last ${e(sigX.firstOverLast)})`);
    const tanhN = find('tanh', 'naive');
    expect(text).toContain(`tanh's spread falls from ${e(tanhN.activationStd[0])} after layer 1 to ${e(tanhN.activationStd[8])} after layer 9`);
    expect(text).toContain(`first/last ${e(find('tanh', 'xavier').firstOverLast)} and ${e(reluHe.firstOverLast)}`);
    expect(result.healthReport).toContain('SoftmaxCrossEntropyGate');
    expect(c.text()).toContain('@chainrule/viz healthReport');
  });
});
