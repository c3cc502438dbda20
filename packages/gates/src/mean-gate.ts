import { injectable } from 'inversify';
import { SumGate } from './sum-gate';

/**
 * z = mean x, over every element or along `axis` (options { axis?, keepDims? }, as SumGate).
 * Backward distributes dout / count to every element that went into each mean. The mean of zero
 * elements is NaN (0/0), as in numpy.
 */
@injectable()
export class MeanGate extends SumGate {
  protected override scaleFor(count: number): number {
    return 1 / count;
  }
}
