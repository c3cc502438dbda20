import { ChainruleError } from '@chainrule/core';

/** A graph that cannot be written as ONNX: a gate with no mapping, a missing input, a bad option. */
export class OnnxExportError extends ChainruleError {
  constructor(message: string, at?: { node?: string; gate?: string }) {
    super(message);
    if (at?.node !== undefined) this.node = at.node;
    if (at?.gate !== undefined) this.gate = at.gate;
  }
}

/** An ONNX model that cannot be read into a graph: an operator or attribute outside the supported set. */
export class OnnxImportError extends ChainruleError {
  constructor(message: string, at?: { node?: string; gate?: string }) {
    super(message);
    if (at?.node !== undefined) this.node = at.node;
    if (at?.gate !== undefined) this.gate = at.gate;
  }
}
