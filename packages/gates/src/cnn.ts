import { bindGate, ComputationalGraph, DType, GateClass, GraphNode, InvalidArgumentError, ShapeError } from '@chainrule/core';
import { BatchNorm } from './batch-norm';
import { Conv2D } from './conv2d';
import { DropoutGate } from './dropout-gate';
import { FlattenGate } from './flatten-gate';
import { Linear } from './linear';
import { MaxPool2DGate } from './max-pool2d-gate';
import { ReLUGate } from './relu-gate';

/** One convolution block: Conv2D(kernel, padding) → [BatchNorm] → [MaxPool2D(pool)] → ReLU (the same function as ReLU then pooling, cheaper). */
export interface ConvBlock {
  /** Output channels of the convolution. */
  channels: number;
  /** Square kernel size. */
  kernel: number;
  /** Zero padding (default 0; kernel >> 1 keeps the size). */
  padding?: number;
  /** Max-pooling window and stride after the activation (default 2; 1 for none). */
  pool?: number;
}

export interface CNNOptions {
  /** One example's [C, H, W]; the input node holds [N, C, H, W]. */
  inputShape: readonly [number, number, number];
  /** The convolution blocks, in order. */
  conv: readonly ConvBlock[];
  /** Widths of the dense ReLU layers after flattening (default none). */
  hidden?: readonly number[];
  /** Scores out (the last Linear's width). */
  classes: number;
  /** Batch normalisation after every convolution (default false). */
  batchNorm?: boolean;
  /** Dropout probability before every dense layer (default 0: none). */
  dropout?: number;
  /** Layer i is seeded with seed + i (default 42). */
  seed?: number;
  /** dtype of every parameter (default 'float64'). */
  dtype?: DType;
}

/**
 * Adds a LeNet-style convolutional network to `graph` reading `input` ([N, C, H, W]) and returns the
 * raw scores node [N, classes]. Nodes are named conv1, conv1_bn, conv1_pool, conv1_relu, …, flatten,
 * fc1, fc1_relu, fc1_drop, …, out. The spatial size after every block is computed here, so a
 * kernel or pool that does not fit is reported now, naming the block, rather than at the first
 * forward. The gates it uses are bound in the graph's container when they are not yet.
 *
 * `cnn(g, x, { inputShape: [1, 28, 28], conv: [{ channels: 8, kernel: 5 }, { channels: 16, kernel: 5 }], hidden: [128], classes: 10 })`
 * is LeNet on digits: 28 → conv 24 → pool 12 → conv 8 → pool 4, then 256 → 128 → 10.
 */
export function cnn(graph: ComputationalGraph, input: GraphNode | string, options: CNNOptions): GraphNode {
  const [c0, h0, w0] = options.inputShape;
  if (![c0, h0, w0, options.classes].every((v) => Number.isInteger(v) && v > 0)) {
    throw new InvalidArgumentError(`cnn: inputShape and classes must be positive integers, got inputShape [${options.inputShape.join(', ')}], classes ${options.classes}`);
  }
  const dtype = options.dtype ?? 'float64';
  const seed = options.seed ?? 42;
  const dropout = options.dropout ?? 0;
  for (const gate of [Conv2D, BatchNorm, ReLUGate, MaxPool2DGate, FlattenGate, Linear, DropoutGate] as GateClass[]) {
    if (!graph.container.isBound(gate)) bindGate(graph.container, gate);
  }
  let node: GraphNode | string = input;
  let [c, h, w] = [c0, h0, w0];
  let layer = 0;
  options.conv.forEach((block, i) => {
    const name = `conv${i + 1}`;
    const padding = block.padding ?? 0;
    const pool = block.pool ?? 2;
    h = h + 2 * padding - block.kernel + 1;
    w = w + 2 * padding - block.kernel + 1;
    if (h < 1 || w < 1) throw new ShapeError(`cnn: block ${name}: kernel ${block.kernel} (padding ${padding}) is larger than its ${h - 2 * padding + block.kernel - 1}×${w - 2 * padding + block.kernel - 1} input`);
    node = graph.gate(Conv2D, [node], { name, options: { inChannels: c, outChannels: block.channels, kernel: block.kernel, padding, seed: seed + layer++, dtype } });
    c = block.channels;
    if (options.batchNorm) node = graph.gate(BatchNorm, [node], { name: `${name}_bn`, options: { numFeatures: c, dtype } });
    // Pool, then ReLU: max pooling and ReLU commute (both monotone), and the ReLU then runs on a quarter of the values.
    if (pool > 1) {
      if (h % pool !== 0 || w % pool !== 0) throw new ShapeError(`cnn: block ${name}: its ${h}×${w} output does not split into ${pool}×${pool} pooling windows`);
      node = graph.gate(MaxPool2DGate, [node], { name: `${name}_pool`, options: { kernel: pool } });
      h /= pool;
      w /= pool;
    }
    node = graph.gate(ReLUGate, [node], { name: `${name}_relu` });
  });
  node = graph.gate(FlattenGate, [node], { name: 'flatten' });
  const sizes = [c * h * w, ...(options.hidden ?? []), options.classes];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const last = i + 2 === sizes.length;
    const name = last ? 'out' : `fc${i + 1}`;
    if (dropout > 0) node = graph.gate(DropoutGate, [node], { name: `${name}_drop`, options: { p: dropout, seed: seed + 1000 + i } });
    node = graph.gate(Linear, [node], { name, options: { inFeatures: sizes[i], outFeatures: sizes[i + 1], seed: seed + layer++, dtype } });
    if (!last) node = graph.gate(ReLUGate, [node], { name: `${name}_relu` });
  }
  return node as GraphNode;
}
