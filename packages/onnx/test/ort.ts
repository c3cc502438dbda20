import { ComputationalGraph, Tensor } from '@chainrule/core';
import * as ort from 'onnxruntime-node';

// Creating an ONNX Runtime session takes a while on a busy machine: more than jest's default 5 s per test.
jest.setTimeout(60_000);

/** Runs ONNX model bytes on ONNX Runtime (CPU) with `feeds`, and returns its one output as a chainrule Tensor. */
export async function runOrt(model: Uint8Array, feeds: Record<string, Tensor>): Promise<Tensor> {
  const session = await ort.InferenceSession.create(model);
  try {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.dtype, t.data, t.shape.slice());
    const result = await session.run(ortFeeds);
    const out = result[session.outputNames[0]];
    const data = out.data as Float32Array | Float64Array;
    return new Tensor(data instanceof Float32Array ? Float32Array.from(data) : Float64Array.from(data), out.dims.slice());
  } finally {
    await session.release();
  }
}

/** max over elements of |a − b| / max(|b|, 1): relative where |b| ≥ 1, absolute below (values near 0 have no useful relative error). */
export function maxRelDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  let worst = 0;
  for (let i = 0; i < a.size; i++) {
    const d = Math.abs(a.data[i] - b.data[i]) / Math.max(Math.abs(b.data[i]), 1);
    if (!(d <= worst)) worst = d; // NaN propagates as a failure
  }
  return worst;
}

/** chainrule's forward output at `output` for `feeds`, copied (the graph reuses its buffers). */
export function chainruleOutput(graph: ComputationalGraph, feeds: Record<string, Tensor>, output?: string): Tensor {
  graph.forward(feeds);
  return (output ? graph.node(output) : graph.output).value!.clone();
}
