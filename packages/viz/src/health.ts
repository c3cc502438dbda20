import { assertGraph, assertOptions, ComputationalGraph } from '@chainrule/core';
import { healthFlags } from './health-flags';
import { measureGraph } from './health-measure';
import { HealthOptions, HealthReport, NonFiniteFinding } from './health-types';
import { findingFromError, scanBackward, scanForward } from './non-finite';

/**
 * A gradient-health report of a graph after a forward and backward pass on a batch: per gate node
 * (and parameter) the norms of its output and its gradient; for gates that declare they saturate
 * (sigmoid, tanh) the share of saturated units; for gates that declare their units can die (ReLU)
 * the units dead for the whole batch; and the first gate, in forward then backward order, that
 * produced NaN or Infinity, with the inputs it got. Gates inside composite gates are the graph's,
 * named `composite/inner`. What a gate is measured for comes from its class's static `description.health`.
 *
 * With `graph.finiteCheck` on, forward/backward throw a NonFiniteError at the first bad gate: pass
 * it as `options.error` and the report names that gate (the graph's values stop there). Without it,
 * the report scans the values and gradients itself.
 */
export function healthReport(graph: ComputationalGraph, options: HealthOptions = {}): HealthReport {
  assertGraph(graph, 'healthReport');
  assertOptions(options, 'healthReport');
  const gates = measureGraph(graph, options);
  const hasGradients = gates.some((g) => g.gradNorm !== undefined);
  let firstNonFinite: NonFiniteFinding | undefined;
  if (options.error !== undefined) firstNonFinite = findingFromError(graph, options.error, options.seed);
  if (!firstNonFinite && options.finiteScan !== false) {
    firstNonFinite = scanForward(graph) ?? (hasGradients ? scanBackward(graph) : undefined);
  }
  return { gates, firstNonFinite, flags: healthFlags(gates, firstNonFinite, options), hasGradients };
}
