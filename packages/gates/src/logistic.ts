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
