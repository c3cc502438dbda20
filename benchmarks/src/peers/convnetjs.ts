import { batchIndex, MlpData } from '../data';
import { MlpTrainer } from './types';

interface Vol {
  w: Float64Array;
}
interface FcLayer {
  layer_type: string;
  filters: Vol[];
  biases: Vol;
}
interface ConvNetJS {
  Net: new () => { makeLayers(defs: object[]): void; layers: FcLayer[] };
  Vol: new (sx: number, sy: number, depth: number, c?: number) => Vol;
  Trainer: new (net: object, options: object) => { train(x: Vol, y: number): { cost_loss: number } };
}

/** W1 in ConvNetJS 0.3: fc-relu-fc-relu-fc-softmax, its Trainer with plain SGD over batches of 64. */
export function convnetMlp(data: MlpData): MlpTrainer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cnn = require('convnetjs') as ConvNetJS;
  const { spec, sizes } = data;
  const F = sizes[0];
  const B = spec.batch;
  const net = new cnn.Net();
  const defs: object[] = [{ type: 'input', out_sx: 1, out_sy: 1, out_depth: F }];
  for (let l = 1; l < sizes.length - 1; l++) defs.push({ type: 'fc', num_neurons: sizes[l], activation: 'relu' });
  defs.push({ type: 'softmax', num_classes: sizes[sizes.length - 1] });
  net.makeLayers(defs);
  // Same initial weights: ConvNetJS keeps one filter (a row of W's transpose) per output neuron.
  const fcs = net.layers.filter((l) => l.layer_type === 'fc');
  fcs.forEach((layer, l) => {
    const n = sizes[l + 1];
    const w = data.weights[l];
    for (let o = 0; o < n; o++) {
      const f = layer.filters[o].w;
      for (let i = 0; i < sizes[l]; i++) f[i] = w[i * n + o];
      layer.biases.w[o] = data.biases[l][o];
    }
  });
  const trainer = new cnn.Trainer(net, { method: 'sgd', learning_rate: spec.lr, batch_size: B, l2_decay: 0, l1_decay: 0, momentum: 0 });
  const vol = new cnn.Vol(1, 1, F, 0);
  return {
    library: 'convnetjs',
    step(batch: number): number {
      const row0 = batchIndex(spec, batch) * B;
      let loss = 0;
      for (let r = 0; r < B; r++) {
        const off = (row0 + r) * F;
        for (let f = 0; f < F; f++) vol.w[f] = data.x[off + f];
        loss += trainer.train(vol, data.labels[row0 + r]).cost_loss;
      }
      return loss / B;
    },
  };
}
