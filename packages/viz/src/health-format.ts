import { assertOptions, describeArgument, InvalidArgumentError } from '@chainrule/core';
import { formatNumber, formatPercent, formatShapeCompact } from './format';
import { HealthReport } from './health-types';

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

/** The report as a text table, then its flags and the first non-finite gate with its inputs. */
export function formatHealthReport(report: HealthReport, options: { digits?: number } = {}): string {
  if (report === null || typeof report !== 'object' || !Array.isArray(report.gates) || !Array.isArray(report.flags)) {
    throw new InvalidArgumentError(`formatHealthReport: expected a report from healthReport(graph), got ${describeArgument(report)}`);
  }
  assertOptions(options, 'formatHealthReport');
  const digits = options.digits ?? 3;
  const header = ['node', 'gate', 'shape', '|out|', '|grad|', 'saturated', 'dead', 'non-finite'];
  const rows = report.gates.map((g) => [
    g.path,
    g.gateType,
    formatShapeCompact(g.shape),
    formatNumber(g.outputNorm, digits),
    g.gradNorm === undefined ? '-' : formatNumber(g.gradNorm, digits),
    g.saturated ? formatPercent(g.saturated.share) : '',
    g.dead ? `${g.dead.count}/${g.dead.units}` : '',
    g.nonFiniteOutputs || g.nonFiniteGrads ? `${g.nonFiniteOutputs} out, ${g.nonFiniteGrads} grad` : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = [false, false, false, true, true, true, true, false];
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i], numeric[i])).join('  ').trimEnd();
  const out: string[] = [line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of rows) out.push(line(r));
  if (!report.hasGradients) out.push('(no gradients: run backward first for the |grad| column)');
  if (report.flags.length === 0) out.push('No problems found.');
  else {
    out.push('Flags:');
    for (const f of report.flags) out.push(`  - ${f}`);
  }
  const nf = report.firstNonFinite;
  if (nf) {
    out.push(`First non-finite (${nf.phase}, found by ${nf.source === 'error' ? 'the finite check' : 'scanning'}): ${nf.path}${nf.gateType ? ` (${nf.gateType})` : ''}`);
    for (const i of nf.inputs) out.push(`  ${i.name} = ${i.summary}${i.finite ? '' : '  <- not finite'}`);
  }
  return `${out.join('\n')}\n`;
}
