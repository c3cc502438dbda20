import { describeGate } from '@chainrule/core';
import { formatNumber, formatPercent } from './format';
import { saturationThreshold } from './health-measure';
import { GateHealth, HealthOptions, NonFiniteFinding } from './health-types';

/** One line per problem: the first NaN/Infinity, dead and saturated units, zero gradients, a wide gradient spread. */
export function healthFlags(gates: readonly GateHealth[], firstNonFinite: NonFiniteFinding | undefined, options: HealthOptions): string[] {
  const flags: string[] = [];
  if (firstNonFinite) flags.push(`non-finite: ${firstNonFinite.message}`);
  const saturationFlag = options.saturationFlag ?? 0.5;
  for (const g of gates) {
    const where = g.kind === 'gate' ? `'${g.path}' (${g.gateType})` : `${g.kind} '${g.path}'`;
    const declared = describeGate(g.node.gate)?.health;
    if (g.dead && g.dead.count > 0) {
      const all = g.dead.count === g.dead.units;
      flags.push(
        `dead ${declared?.dies?.unit ?? 'unit'}: ${where}: ${all ? 'all ' : ''}${g.dead.count} of ${g.dead.units} unit${g.dead.units === 1 ? '' : 's'} output 0 for every row of the batch of ${g.dead.rows}` +
          (all ? ': no gradient passes through it' : ''),
      );
    }
    const saturates = declared?.saturates;
    if (g.saturated && saturates && g.saturated.total > 0 && g.saturated.share >= saturationFlag) {
      const rule = `${saturates.symbol} > ${saturationThreshold(saturates, options)}`;
      flags.push(`saturated: ${where}: ${formatPercent(g.saturated.share)} of its units (${rule}), where the local gradient is almost 0`);
    }
    if (g.gradNorm === 0 && g.node.grad !== undefined && g.node.grad.size > 0 && !(g.dead && g.dead.count === g.dead.units)) {
      flags.push(`zero gradient: ${where}: dL/d(${g.path}) is 0 everywhere`);
    }
  }
  const spread = gradientSpreadFlag(gates, options.gradientSpread ?? 1e4);
  if (spread) flags.push(spread);
  return flags;
}

/** The parameters with the smallest and largest gradient norm, when they are further apart than `limit`. */
function gradientSpreadFlag(gates: readonly GateHealth[], limit: number): string | undefined {
  let lo: GateHealth | undefined;
  let hi: GateHealth | undefined;
  for (const g of gates) {
    if (g.kind !== 'parameter' || g.gradNorm === undefined || !(g.gradNorm > 0) || !Number.isFinite(g.gradNorm)) continue;
    if (!lo || g.gradNorm < (lo.gradNorm as number)) lo = g;
    if (!hi || g.gradNorm > (hi.gradNorm as number)) hi = g;
  }
  if (!lo || !hi || lo === hi) return undefined;
  const ratio = (hi.gradNorm as number) / (lo.gradNorm as number);
  if (ratio <= limit) return undefined;
  return (
    `vanishing/exploding gradients: parameter '${lo.path}' has gradient norm ${formatNumber(lo.gradNorm as number, 3)}, ` +
    `${ratio.toExponential(1)} times smaller than parameter '${hi.path}' (${formatNumber(hi.gradNorm as number, 3)})`
  );
}
