import { ConfigurationResult } from './vanishing-gradients';

/**
 * What the printed gradient norms mean, in the lectures' terms (vanishing/exploding gradients, the
 * derivatives of sigmoid and tanh), with the numbers of this run: how much the gradient shrinks per
 * layer on its way to the input, and why.
 */
export function explainNorms(results: readonly ConfigurationResult[], depth: number, width: number): string[] {
  const find = (activation: string, init: string) => results.find((r) => r.activation === activation && r.init === init);
  const e = (v: number) => v.toExponential(2);
  /** The mean factor by which the norm changes per layer from the output side (layer depth) to the input (layer 1). */
  const perLayer = (r: ConfigurationResult) => Math.pow(r.firstOverLast, 1 / (depth - 1));
  const lines = ['What the norms mean:'];
  const sig = find('sigmoid', 'naive');
  if (sig) {
    lines.push(
      `  vanishing gradients: with sigmoid and N(0, 0.01²) weights, ‖dL/dW‖ falls from ${e(sig.gradNorms[depth - 1])} at layer ${depth} to ${e(sig.gradNorms[0])} at layer 1, ` +
        `×${perLayer(sig).toFixed(3)} per layer: backward through each layer multiplies the gradient by σ'(z) ≤ 1/4 and by the small weights ` +
        `(about 1/4 · 0.01·√${width} = ${(0.25 * 0.01 * Math.sqrt(width)).toFixed(3)}), so it shrinks ` +
        'geometrically on its way to the input and the first layers hardly learn.',
    );
  }
  const sigX = find('sigmoid', 'xavier');
  if (sigX) {
    lines.push(
      `  Xavier's larger weights help but do not cure sigmoid: still ×${perLayer(sigX).toFixed(3)} per layer (first/last ${e(sigX.firstOverLast)}), close to σ''s own bound of 1/4 per layer: ` +
        'Xavier keeps the weights from shrinking the signal, but the derivative still does (tanh\'s is 1 at 0).',
    );
  }
  const tanhN = find('tanh', 'naive');
  const reluN = find('relu', 'naive');
  if (tanhN && reluN) {
    const std = (r: ConfigurationResult) => `${e(r.activationStd[0])} after layer 1 to ${e(r.activationStd[r.activationStd.length - 1])} after layer ${depth - 1}`;
    lines.push(
      `  tanh and ReLU with N(0, 0.01²): first/last stays near 1 (${e(tanhN.firstOverLast)}, ${e(reluN.firstOverLast)}), but every norm is tiny (below ${e(Math.max(...tanhN.gradNorms, ...reluN.gradNorms))}): ` +
        `each layer scales its input by about 0.01·√${width} = ${(0.01 * Math.sqrt(width)).toFixed(2)}, so the activations die out (tanh's spread falls from ${std(tanhN)}) and the gradients with them.`,
    );
  }
  const tanhX = find('tanh', 'xavier');
  const reluH = find('relu', 'he');
  if (tanhX && reluH) {
    lines.push(
      `  healthy: tanh with Xavier and ReLU with He keep every layer's norm the same order (first/last ${e(tanhX.firstOverLast)} and ${e(reluH.firstOverLast)}): ` +
        'the initial weights are scaled so that a layer neither shrinks nor grows the signal, forward or backward.',
    );
  }
  return lines;
}
