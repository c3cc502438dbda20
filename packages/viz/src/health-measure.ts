import { ComputationalGraph, describeGate, GateHealthDescription, GraphNode, Tensor } from '@chainrule/core';
import { gateClassName, tensorStats } from './format';
import { GateHealth, HealthOptions } from './health-types';

type Saturates = NonNullable<GateHealthDescription['saturates']>;

/** The threshold a saturating gate is measured with: the caller's override, else the gate's declared one. */
export function saturationThreshold(s: Saturates, options: HealthOptions): number {
  const shorthand = s.activation === 'sigmoid' ? options.sigmoidSaturation : s.activation === 'tanh' ? options.tanhSaturation : undefined;
  return options.saturation?.[s.activation] ?? shorthand ?? s.threshold;
}

function nonFinite(t: Tensor | undefined): number {
  if (!t) return 0;
  let n = 0;
  for (let i = 0; i < t.data.length; i++) if (!Number.isFinite(t.data[i])) n++;
  return n;
}

function deadUnits(t: Tensor): NonNullable<GateHealth['dead']> {
  const rows = t.rank >= 2 ? t.shape[0] : 1;
  const units = rows === 0 ? 0 : t.size / rows;
  let count = 0;
  for (let u = 0; u < units; u++) {
    let dead = true;
    for (let r = 0; r < rows && dead; r++) if (t.data[r * units + u] !== 0) dead = false;
    if (dead) count++;
  }
  return { count, units, rows, share: units ? count / units : 0 };
}

function saturation(t: Tensor, s: Saturates, threshold: number): NonNullable<GateHealth['saturated']> {
  let count = 0;
  for (let i = 0; i < t.data.length; i++) if (Math.abs(t.data[i] - s.centre) > threshold) count++;
  return { activation: s.activation, count, total: t.size, share: t.size ? count / t.size : 0 };
}

/** One GateHealth per gate, parameter and input with a gradient, in topological order (a composite's gates are `<composite>/<inner>`). */
export function measureGraph(graph: ComputationalGraph, options: HealthOptions): GateHealth[] {
  const out: GateHealth[] = [];
  for (const node of graph.topologicalOrder()) {
    const keep = node.kind === 'gate' || node.kind === 'parameter' || (node.kind === 'input' && node.grad !== undefined);
    if (keep && node.value !== undefined) out.push(measureNode(node, node.value, node.name, options));
  }
  return out;
}

function measureNode(node: GraphNode, v: Tensor, path: string, options: HealthOptions): GateHealth {
  const g = node.grad;
  const h: GateHealth = {
    path,
    node,
    kind: node.kind as GateHealth['kind'],
    gateType: node.kind === 'gate' ? (node.gateType ?? gateClassName(node)) : `(${node.kind})`,
    shape: v.shape,
    outputNorm: tensorStats(v).norm,
    gradNorm: g ? tensorStats(g).norm : undefined,
    nonFiniteOutputs: nonFinite(v),
    nonFiniteGrads: nonFinite(g),
  };
  const declared = node.kind === 'gate' ? describeGate(node.gate)?.health : undefined;
  if (declared?.saturates) h.saturated = saturation(v, declared.saturates, saturationThreshold(declared.saturates, options));
  if (declared?.dies) h.dead = deadUnits(v);
  return h;
}
