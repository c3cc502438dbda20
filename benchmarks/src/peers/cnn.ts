import { ComputationalGraph, kernelModule, MatmulKernel, Tensor } from '@chainrule/core';
import { cnn, Conv2D, createGatesContainer, Linear, SoftmaxCrossEntropyGate } from '@chainrule/gates';
import { SGD } from '@chainrule/optim';
import { CnnData } from '../cnn-data';
import { MlpTrainer } from './types';
import { readLoss, TfBackend, useBackend } from './tfjs';

type TFTensor = import('@tensorflow/tfjs').Tensor;
type TF4D = import('@tensorflow/tfjs').Tensor4D;
type TF2D = import('@tensorflow/tfjs').Tensor2D;
type TF5D = import('@tensorflow/tfjs').Tensor5D;

/**
 * chainrule's W4: the library's cnn() recipe (Conv2D, MaxPool2DGate, ReLUGate, Linear) with SGD,
 * float32, batches prepared once as views. The graph's container binds `kernel`.
 */
export function chainruleCnn(data: CnnData, kernel: MatmulKernel, library = 'chainrule'): MlpTrainer {
  const { spec, weights: w } = data;
  const B = spec.batch;
  const g = new ComputationalGraph(createGatesContainer(kernelModule(kernel)));
  const x = g.input('x', { shape: [null, 1, 28, 28], dtype: 'float32', requiresGrad: false });
  const y = g.input('y', { shape: [null], dtype: 'float32', requiresGrad: false });
  const scores = cnn(g, x, {
    inputShape: [1, 28, 28],
    conv: [{ channels: spec.channels[0], kernel: 5 }, { channels: spec.channels[1], kernel: 5 }],
    hidden: [spec.hidden],
    classes: 10,
    dtype: 'float32',
  });
  g.gate(SoftmaxCrossEntropyGate, [scores, y], { name: 'loss' });
  const set = (layer: Conv2D | Linear, W: Float32Array, b: Float32Array): void => {
    (layer.weight.value as Tensor).data.set(W);
    (layer.bias?.value as Tensor).data.set(b);
  };
  set(g.group('conv1').gate as Conv2D, w.conv1W, w.conv1b);
  set(g.group('conv2').gate as Conv2D, w.conv2W, w.conv2b);
  set(g.group('fc1').gate as Linear, w.fc1W, w.fc1b);
  set(g.group('out').gate as Linear, w.fc2W, w.fc2b);
  const opt = new SGD(g.parameters(), { lr: spec.lr });
  const nBatches = Math.floor(spec.samples / B);
  const labels = Float32Array.from(data.labels);
  const xs = Array.from({ length: nBatches }, (_, i) => new Tensor(data.x.subarray(i * B * 784, (i + 1) * B * 784), [B, 1, 28, 28]));
  const ys = Array.from({ length: nBatches }, (_, i) => new Tensor(labels.subarray(i * B, (i + 1) * B), [B]));
  const feeds: Tensor[] = [xs[0], ys[0]];
  return {
    library,
    step(batch: number): number {
      const i = batch % nBatches;
      feeds[0] = xs[i];
      feeds[1] = ys[i];
      const loss = g.forwardInputs(feeds).data[0];
      g.backward();
      opt.step();
      return loss;
    },
  };
}

/**
 * The same network and initial weights in TensorFlow.js (NHWC, its native layout): conv2d + bias,
 * maxPool, relu, twice, then two dense layers, tf.losses.softmaxCrossEntropy, tf.train.sgd. The
 * weights are transposed to tfjs's layouts ([KH, KW, C, F] filters; the first dense layer's rows
 * permuted from NCHW to NHWC flattening), so both libraries compute the same function.
 *
 * The wasm backend of tfjs 4.22 registers no Conv2DBackpropFilter kernel (conv2d trains only on
 * cpu/webgl), so there each convolution runs as tf.conv3d over a depth of 1: the same products,
 * through the Conv3D, Conv3DBackpropInputV2 and Conv3DBackpropFilterV2 kernels it does register.
 */
export async function tfjsCnn(data: CnnData, backend: TfBackend): Promise<MlpTrainer> {
  const t = await useBackend(backend);
  const asConv3d = backend === 'wasm';
  const { spec, weights: w, flat } = data;
  const B = spec.batch;
  const [c1, c2] = spec.channels;
  const filter = (W: Float32Array, f: number, c: number): Float32Array => {
    const out = new Float32Array(W.length);
    for (let fi = 0; fi < f; fi++) for (let ci = 0; ci < c; ci++) for (let k = 0; k < 25; k++) out[(k * c + ci) * f + fi] = W[(fi * c + ci) * 25 + k];
    return out;
  };
  const fc1 = new Float32Array(w.fc1W.length);
  for (let ci = 0; ci < c2; ci++) for (let p = 0; p < 16; p++) fc1.set(w.fc1W.subarray((ci * 16 + p) * spec.hidden, (ci * 16 + p + 1) * spec.hidden), (p * c2 + ci) * spec.hidden);
  const vars = {
    k1: t.variable(t.tensor4d(filter(w.conv1W, c1, 1), [5, 5, 1, c1])),
    b1: t.variable(t.tensor1d(w.conv1b)),
    k2: t.variable(t.tensor4d(filter(w.conv2W, c2, c1), [5, 5, c1, c2])),
    b2: t.variable(t.tensor1d(w.conv2b)),
    w3: t.variable(t.tensor2d(fc1, [flat, spec.hidden])),
    b3: t.variable(t.tensor1d(w.fc1b)),
    w4: t.variable(t.tensor2d(w.fc2W, [spec.hidden, 10])),
    b4: t.variable(t.tensor1d(w.fc2b)),
  };
  const opt = t.train.sgd(spec.lr);
  const nBatches = Math.floor(spec.samples / B);
  const xs: TF4D[] = [];
  const ys: TFTensor[] = [];
  for (let i = 0; i < nBatches; i++) {
    xs.push(t.tensor4d(data.x.subarray(i * B * 784, (i + 1) * B * 784), [B, 28, 28, 1]));
    ys.push(t.oneHot(t.tensor1d(data.labels.subarray(i * B, (i + 1) * B), 'int32'), 10));
  }
  return {
    library: `tfjs-${backend}`,
    note: asConv3d ? 'conv as conv3d of depth 1 (no Conv2DBackpropFilter in tfjs-wasm)' : 'NHWC conv2d',
    step(batch: number, wantLoss: boolean): number {
      const i = batch % nBatches;
      const cost = opt.minimize(() => {
        const conv = (input: TF4D, k: TF4D): TF4D => {
          if (!asConv3d) return t.conv2d(input, k, 1, 'valid');
          const [n, h, w, c] = input.shape;
          const [kh, kw, , f] = k.shape;
          const y = t.conv3d(t.reshape(input, [n, 1, h, w, c]) as TF5D, t.reshape(k, [1, kh, kw, c, f]) as TF5D, 1, 'valid');
          return t.reshape(y, [n, h - kh + 1, w - kw + 1, f]);
        };
        const block = (input: TF4D, k: TF4D, b: TFTensor): TF4D => t.relu(t.maxPool(t.add(conv(input, k), b) as TF4D, 2, 2, 'valid'));
        const h2 = block(block(xs[i], vars.k1, vars.b1), vars.k2, vars.b2);
        const h3 = t.relu(t.add(t.matMul(t.reshape(h2, [B, flat]) as TF2D, vars.w3), vars.b3)) as TF2D;
        const logits = t.add(t.matMul(h3, vars.w4), vars.b4);
        return t.losses.softmaxCrossEntropy(ys[i], logits) as import('@tensorflow/tfjs').Scalar;
      }, wantLoss);
      return readLoss(cost);
    },
    dispose(): void {
      for (const v of [...Object.values(vars), ...xs, ...ys]) v.dispose();
      opt.dispose();
    },
  };
}
