/**
 * Jest's node environment runs tests in a separate realm whose Float32Array is not the one the
 * onnxruntime-node addon creates its output arrays with, so onnxruntime-common's `instanceof`
 * checks fail ("A float32 tensor's data must be type of Float32Array"). This environment hands the
 * test realm the outer realm's typed-array constructors, so both sides agree. Tests that run ONNX
 * Runtime opt in with a `@jest-environment` docblock.
 */
const { TestEnvironment } = require('jest-environment-node');

const TYPED_ARRAYS = [
  'Float32Array', 'Float64Array', 'Int8Array', 'Int16Array', 'Int32Array', 'Uint8Array', 'Uint8ClampedArray',
  'Uint16Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array',
];

class OrtEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of TYPED_ARRAYS) this.global[name] = globalThis[name];
  }
}

module.exports = OrtEnvironment;
