import { ChainruleError } from '@chainrule/core';

/**
 * A result used after backward() freed the tape it was recorded on (PyTorch's "Trying to backward
 * through the graph a second time"): calling backward twice, or feeding last step's result into this
 * step's computation. `detach()` keeps a value as data; `backward({ retainGraph: true })` keeps the tape.
 */
export class FreedTapeError extends ChainruleError {}

/** backward() on a result that depends on no value requiring a gradient (PyTorch: "does not require grad"). */
export class NoGradientError extends ChainruleError {}
