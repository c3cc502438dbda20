import { runLossCurve } from '../src/loss-curve';
import { collector, readSvg, tempOut } from './helpers';

describe('loss-curve example', () => {
  test('the per-batch loss goes down while training, and the plot shows both curves', async () => {
    const out = tempOut('loss-curve');
    const c = collector();
    const result = await runLossCurve({ outDir: out, log: c.log, limit: 800, epochs: 2, batchSize: 32, window: 10 });
    expect(result.batches).toBe(2 * Math.ceil(640 / 32));
    expect(result.losses).toHaveLength(result.batches);
    expect(result.movingAverage).toHaveLength(result.batches);
    expect(result.lastAverage).toBeLessThan(result.firstAverage * 0.6);
    expect(result.losses[0]).toBeGreaterThan(1.5); // about ln 10 at the start
    const { texts } = readSvg(result.plots[0]);
    for (const label of ['Training loss over mini-batches', 'loss of each mini-batch', 'moving average (10 batches)', 'mini-batch', 'loss']) {
      expect(texts).toContain(label);
    }
  });
});
