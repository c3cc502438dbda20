import { GATE_OPTIONS } from '@chainrule/core';
import { inject, injectable, optional } from 'inversify';
import { ReduceOptions, SumGate } from './sum-gate';

/**
 * z = mean x, over every element or along `axis` (options { axis?, keepDims? }, as SumGate).
 * Backward distributes dout / count to every element that went into each mean. The mean of zero
 * elements is NaN (0/0), as in numpy.
 */
@injectable()
export class MeanGate extends SumGate {
  // Its own constructor: inversify reads the GATE_OPTIONS parameter from the class it constructs, not
  // from the parent, so without it a graph node's options never reached the gate.
  constructor(@inject(GATE_OPTIONS) @optional() options: ReduceOptions = {}) {
    super(options);
  }

  protected override scaleFor(count: number): number {
    return 1 / count;
  }
}
