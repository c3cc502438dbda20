import { VariableValue } from './expr/build-graph';
import { ClickedPoint, DatasetName, DATASETS } from './network/datasets';
import { Activation, ACTIVATIONS, DEFAULT_NETWORK, NetworkSettings, OptimizerName, OPTIMIZERS } from './network/session';
import { PRESETS } from './presets';

/** Everything a shared link restores. */
export interface LabState {
  mode: 'expression' | 'network';
  formula: string;
  values: Record<string, VariableValue>;
  dataset: DatasetName;
  points: ClickedPoint[];
  network: NetworkSettings;
}

export function defaultState(): LabState {
  const first = PRESETS[0];
  return { mode: 'expression', formula: first.formula, values: { ...first.values }, dataset: 'spiral', points: [], network: { ...DEFAULT_NETWORK, hidden: [...DEFAULT_NETWORK.hidden] } };
}

const round = (v: number) => Math.round(v * 1000) / 1000;

/** The state as a URL hash (`#mode=…&f=…`): short, readable, and every field optional. */
export function encodeState(s: LabState): string {
  const p = new URLSearchParams();
  p.set('mode', s.mode);
  if (s.mode === 'expression') {
    p.set('f', s.formula);
    p.set('v', JSON.stringify(s.values));
  } else {
    const n = s.network;
    p.set('data', s.dataset);
    p.set('layers', n.hidden.join('-'));
    p.set('act', n.activation);
    p.set('opt', n.optimizer);
    p.set('lr', String(n.lr));
    p.set('batch', String(n.batchSize));
    p.set('seed', String(n.seed));
    if (s.dataset === 'custom' && s.points.length > 0) p.set('pts', s.points.map(([a, b, c]) => `${round(a)},${round(b)},${c}`).join(';'));
  }
  return `#${p.toString()}`;
}

function oneOf<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

function positive(value: string | null, fallback: number): number {
  const v = Number(value);
  return value !== null && Number.isFinite(v) && v > 0 ? v : fallback;
}

function isValue(v: unknown): v is VariableValue {
  return typeof v === 'number' ? Number.isFinite(v) : Array.isArray(v) && v.every(isValue);
}

/** Reads a hash written by encodeState; anything missing or malformed keeps its default. */
export function decodeState(hash: string): LabState {
  const s = defaultState();
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  s.mode = p.get('mode') === 'network' ? 'network' : 'expression';
  const f = p.get('f');
  if (f !== null && f.trim() !== '') {
    s.formula = f;
    s.values = {};
  }
  try {
    const v = JSON.parse(p.get('v') ?? 'null') as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, value] of Object.entries(v)) if (/^[A-Za-z_]\w*$/.test(k) && isValue(value)) s.values[k] = value;
    }
  } catch {
    // a hand-edited link with broken JSON keeps the default values
  }
  s.dataset = oneOf(p.get('data'), DATASETS, 'spiral');
  const layers = p.get('layers');
  if (layers !== null) {
    const hidden = layers === '' ? [] : layers.split('-').map(Number);
    if (hidden.every((h) => Number.isInteger(h) && h > 0 && h <= 256) && hidden.length <= 6) s.network.hidden = hidden;
  }
  s.network.activation = oneOf<Activation>(p.get('act'), ACTIVATIONS, s.network.activation);
  s.network.optimizer = oneOf<OptimizerName>(p.get('opt'), OPTIMIZERS, s.network.optimizer);
  s.network.lr = positive(p.get('lr'), s.network.lr);
  s.network.batchSize = Math.round(positive(p.get('batch'), s.network.batchSize));
  s.network.seed = Math.round(positive(p.get('seed'), s.network.seed));
  const pts = p.get('pts');
  if (pts) {
    s.points = pts
      .split(';')
      .map((t) => t.split(',').map(Number))
      .filter((t) => t.length === 3 && t.every(Number.isFinite) && Number.isInteger(t[2]) && t[2] >= 0 && t[2] < 6)
      .map((t) => [t[0], t[1], t[2]] as ClickedPoint);
  }
  return s;
}
