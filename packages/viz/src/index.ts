export { toDot } from './dot';
export type { DotOptions } from './dot';
export { toSvg, dotToSvg } from './svg';
export { formatNumber, formatTensor, formatValues, tensorStats } from './format';
export type { TensorStats, NumberFormat } from './format';
export { traceBackward, builtinTraceRules } from './trace';
export type { TraceOptions, TraceRule, RuleContext } from './trace';
export { healthReport, formatHealthReport } from './health';
export type { HealthOptions, HealthReport, GateHealth, NonFiniteFinding } from './health';
