import { ComputationalGraph, kernelModule, MatmulKernel, Tensor } from '@chainrule/core';
import { createGatesContainer, mlp, ReLUGate, SoftmaxCrossEntropyGate } from '@chainrule/gates';
import { SGD } from '@chainrule/optim';
import { batchIndex, MlpData } from '../data';
import { MlpTrainer } from './types';

/**
 * chainrule's W1: the user-level API (mlp() of Linear layers, SoftmaxCrossEntropyGate, SGD) in
 * float32, with every batch prepared once as a tensor view over the data set, so a step is
 * forwardInputs + backward + optimizer.step and nothing else. The graph's container binds `kernel`.
 * `layers` 'fused' (the default, what a user after speed writes) builds each hidden layer as
 * `Linear({ activation: 'relu' })`, one AffineGate node, as PyTorch's peer runs addmm (the bias in
 * the product) then relu; 'unfused': MatMulGate → AddGate → ReLUGate nodes, as the lectures draw it.
 * Both compute the same bits.
 */
export function chainruleMlp(data: MlpData, kernel: MatmulKernel, library = 'chainrule', layers: 'fused' | 'unfused' = 'fused'): MlpTrainer {
  const { spec, sizes } = data;
  const B = spec.batch;
  const F = sizes[0];
  const g = new ComputationalGraph(createGatesContainer(kernelModule(kernel)));
  const x = g.input('x', { shape: [null, F], dtype: 'float32', requiresGrad: false });
  const y = g.input('y', { shape: [null], dtype: 'float32', requiresGrad: false });
  const scores = mlp(g, x, sizes, ReLUGate, { dtype: 'float32', fuse: layers === 'fused' });
  g.gate(SoftmaxCrossEntropyGate, [scores, y], { name: 'loss' });
  // The shared initial weights, by shape (parameters() lists W, b of each layer in order).
  const params = g.parameters();
  let wi = 0;
  let bi = 0;
  for (const p of params) {
    const v = p.value as Tensor;
    if (v.rank === 2) v.data.set(data.weights[wi++]);
    else v.data.set(data.biases[bi++]);
  }
  if (wi !== data.weights.length || bi !== data.biases.length) throw new Error('chainrule W1: unexpected parameter list');
  const opt = new SGD(params, { lr: spec.lr });
  const nBatches = Math.floor(spec.samples / B);
  const xs: Tensor[] = [];
  const ys: Tensor[] = [];
  const labels = Float32Array.from(data.labels);
  for (let i = 0; i < nBatches; i++) {
    xs.push(new Tensor(data.x.subarray(i * B * F, (i + 1) * B * F), [B, F]));
    ys.push(new Tensor(labels.subarray(i * B, (i + 1) * B), [B]));
  }
  const feeds: Tensor[] = [xs[0], ys[0]];
  return {
    library,
    step(batch: number): number {
      const i = batchIndex(spec, batch);
      feeds[0] = xs[i];
      feeds[1] = ys[i];
      const loss = g.forwardInputs(feeds).data[0];
      g.backward();
      opt.step();
      return loss;
    },
  };
}
