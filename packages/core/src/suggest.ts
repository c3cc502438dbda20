import { distance } from 'fastest-levenshtein';

/**
 * "Did you mean" for a name that is not known (a gate, an option, a feed): the known names closest
 * by edit distance, compared case-insensitively, so `'Relu'` and `'ReLU'` find `ReLUGate`. A name
 * that is a known name without its `Gate` suffix counts as an exact match. Only names within
 * a third of the name's length are offered (none but case changes for names under 3 characters):
 * far-off suggestions are noise.
 */
export function suggest(name: string, known: readonly string[], max = 3): string[] {
  const wanted = String(name).toLowerCase();
  const limit = wanted.length < 3 ? 0 : Math.max(1, Math.floor(wanted.length / 3));
  const scored: { name: string; d: number }[] = [];
  for (const k of known) {
    const lower = k.toLowerCase();
    const stem = lower.endsWith('gate') ? lower.slice(0, -4) : lower;
    const d = Math.min(distance(wanted, lower), distance(wanted, stem));
    if (d <= limit) scored.push({ name: k, d });
  }
  scored.sort((a, b) => a.d - b.d || a.name.localeCompare(b.name));
  // A name that differs only in case is the answer; closer names hide farther ones.
  const best = scored.length > 0 ? scored[0].d : 0;
  return scored.filter((s) => s.d === best).slice(0, max).map((s) => s.name);
}

/** ` (did you mean 'ReLUGate'?)`, or '' when nothing is close: appended to an unknown-name message. */
export function didYouMean(name: string, known: readonly string[]): string {
  const close = suggest(name, known);
  if (close.length === 0) return '';
  return ` (did you mean ${close.map((k) => `'${k}'`).join(' or ')}?)`;
}
