/**
 * Every error chainrule throws derives from ChainruleError, so `catch (e) { if (e instanceof ChainruleError) ... }`
 * separates the library's complaints about input from bugs. Messages name the node, the gate and
 * what was expected against what came, because a shape error without a place is a debugging session.
 */
export class ChainruleError extends Error {
  /** The name of the graph node the error arose at, where there is one (set by the graph). */
  node?: string;
  /** The gate type of that node (the name it is registered under). */
  gate?: string;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shapes that do not broadcast, multiply or match what a node declared. */
export class ShapeError extends ChainruleError {}

/** A gate called with the wrong number of inputs. */
export class ArityError extends ChainruleError {}

/** A float32 tensor where float64 was required, or the reverse. */
export class DTypeError extends ChainruleError {}

/** forward() was not given a value for an input node, or was given one for a name the graph does not have. */
export class FeedError extends ChainruleError {}

/** A gate class or name that the container has no binding for, or a class that cannot be bound. */
export class UnknownGateError extends ChainruleError {}

/** The graph's edges form a cycle, so there is no order to run the gates in. */
export class CycleError extends ChainruleError {}

/** backward() asked for before a successful forward(), or a gate's backward called before its forward. */
export class BackwardBeforeForwardError extends ChainruleError {}

/** A gate's backward broke the contract: wrong number, shape or dtype of gradients, or it changed dout. */
export class GradientContractError extends ChainruleError {}

/** Finite-check mode found NaN or Infinity; the message names the first gate that produced it. */
export class NonFiniteError extends ChainruleError {}

/** An argument that makes no sense on its own: a negative size, an unknown option, a bad hyperparameter. */
export class InvalidArgumentError extends ChainruleError {}
