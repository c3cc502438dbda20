import { VariableValue } from './expr/build-graph';

/** A lecture example: a formula and the values the slides use. */
export interface Preset {
  id: string;
  title: string;
  formula: string;
  values: Record<string, VariableValue>;
  /** What the slides read off the graph, shown next to it. */
  note: string;
  /** Another preset computing the same function another way (the page shows that both agree). */
  sameAs?: string;
}

const NEURON = { w0: 2, x0: -1, w1: -3, x1: -2, w2: -3 };

export const PRESETS: readonly Preset[] = [
  {
    id: 'add-multiply',
    title: 'f = (x + y) · z',
    formula: '(x + y) * z',
    values: { x: -2, y: 5, z: -4 },
    note: 'q = x + y = 3, f = q·z = −12; ∂f/∂x = ∂f/∂y = z = −4, ∂f/∂z = q = 3.',
  },
  {
    id: 'sigmoid-gates',
    title: 'Sigmoid neuron, primitive gates',
    formula: '1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))',
    values: NEURON,
    note: 'f = 0.73; ∂f/∂w = [−0.20, −0.39, 0.20], ∂f/∂x = [0.39, −0.59].',
    sameAs: 'sigmoid-neuron',
  },
  {
    id: 'sigmoid-neuron',
    title: 'Sigmoid neuron, one SigmoidGate',
    formula: 'sigmoid(w0*x0 + w1*x1 + w2)',
    values: NEURON,
    note: 'The same neuron with σ as one gate whose local gradient is σ(1 − σ) = 0.73·0.27 = 0.20.',
    sameAs: 'sigmoid-gates',
  },
  {
    id: 'gate-patterns',
    title: 'Gate patterns: add, max, mul',
    formula: '2 * (x * y + max(z, w))',
    values: { x: 3, y: -4, z: 2, w: -1 },
    note: 'add distributes, max routes (w gets 0), multiply switches: ∂f/∂x = −8, ∂f/∂y = 6, ∂f/∂z = 2, ∂f/∂w = 0.',
  },
  {
    id: 'branches',
    title: 'Gradients add at branches',
    formula: 'x * y + sigmoid(x)',
    values: { x: 2, y: -1 },
    note: 'x feeds two gates, so ∂f/∂x is the sum of what each sends back.',
  },
  {
    id: 'softmax',
    title: 'Softmax classifier: cat / car / frog',
    formula: 'softmax_loss(s, y)',
    values: { s: [[3.2, 5.1, -1.7]], y: [0] },
    note: 'scores cat 3.2, car 5.1, frog −1.7, true class cat: L = −ln 0.13 = 2.04 (0.89 in log₁₀ as on the slide); ∂L/∂s = p − onehot = [−0.87, 0.87, 0.00].',
  },
];

export function presetById(id: string): Preset | undefined {
  return PRESETS.find((p) => p.id === id);
}
