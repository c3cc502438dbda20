/**
 * The logistic function and its integral, written once so that no exponential overflows:
 * σ(v) as e^v / (1 + e^v) for negative v, and softplus(v) = log(1 + e^v) as max(v, 0) + log1p(e^(−|v|)).
 * SigmoidGate, SoftplusGate and BinaryCrossEntropyWithLogitsGate share them (small enough for V8 to inline).
 */
export function stableSigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

export function stableSoftplus(v: number): number {
  return (v > 0 ? v : 0) + Math.log1p(Math.exp(-Math.abs(v)));
}

/**
 * softplus(v) − v·t, binary cross-entropy on logit v against target t, written as
 * (1 − t)·v + log1p(e^(−v)) for v > 0 and −t·v + log1p(e^v) otherwise, with a zero coefficient
 * giving 0 rather than 0·∞: so v = +∞ with t = 1 (and v = −∞ with t = 0) is the limit 0, not ∞ − ∞.
 */
export function logitCrossEntropy(v: number, t: number): number {
  const a = v > 0 ? 1 - t : -t;
  return (a === 0 ? 0 : a * v) + Math.log1p(Math.exp(-Math.abs(v)));
}
