import { gradcheckGraph } from '@chainrule/core';
import { runAddMultiply } from '../src/add-multiply';
import { runCompositeSigmoid } from '../src/composite-sigmoid';
import { runCustomGate } from '../src/custom-gate';
import { buildPrimitiveNeuron, buildSigmoidNeuron, runSigmoidNeuron, W, X } from '../src/sigmoid-neuron';

test('(x + y) * z prints the lecture numbers', () => {
  const lines: string[] = [];
  const { values, grads } = runAddMultiply((l) => lines.push(l));
  expect(values).toEqual({ x: -2, y: 5, z: -4, q: 3, f: -12 });
  expect(grads).toEqual({ x: -4, y: -4, z: 3, q: -4, f: 1 });
  expect(lines[1]).toBe('forward:   x = -2, y = 5, z = -4, q = 3, f = -12');
  expect(lines[2]).toBe('backward:  df/dx = -4, df/dy = -4, df/dz = 3, df/dq = -4, df/df = 1');
});

test('the sigmoid neuron: both versions give the lecture numbers', () => {
  const lines: string[] = [];
  const { primitive, sigmoid } = runSigmoidNeuron((l) => lines.push(l));
  for (const r of [primitive, sigmoid]) {
    expect(r.output).toBeCloseTo(0.7311, 4);
    expect(r.dw.map((v) => +v.toFixed(2))).toEqual([-0.2, -0.39, 0.2]);
    expect(r.dx.map((v) => +v.toFixed(2))).toEqual([0.39, -0.59]);
  }
  expect(lines[1]).toBe('primitive gates (*, +, *-1, exp, +1, 1/x): f = 0.73, df/dw = [-0.20, -0.39, 0.20], df/dx = [0.39, -0.59]');
  expect(lines[3]).toBe('one SigmoidGate, backward σ(1 − σ)       : f = 0.73, df/dw = [-0.20, -0.39, 0.20], df/dx = [0.39, -0.59]');
  const feeds = { w0: W[0], w1: W[1], w2: W[2], x0: X[0], x1: X[1] };
  expect(gradcheckGraph(buildPrimitiveNeuron(), feeds).ok).toBe(true);
  expect(gradcheckGraph(buildSigmoidNeuron(), feeds).ok).toBe(true);
});

test('the composite sigmoid matches SigmoidGate and passes gradcheck', () => {
  const { maxDiff, gradcheckError } = runCompositeSigmoid(() => undefined);
  expect(maxDiff).toBeLessThan(1e-15);
  expect(gradcheckError).toBeLessThan(1e-7);
});

test('a custom gate runs in a graph and passes gradcheck with no change to the framework', () => {
  const { f, dfdx, gradcheckError } = runCustomGate(() => undefined);
  expect(f).toBeCloseTo(Math.sin(Math.PI / 3) + Math.PI / 3, 12);
  expect(dfdx).toBeCloseTo(1.5, 12);
  expect(gradcheckError).toBeLessThan(1e-7);
});
