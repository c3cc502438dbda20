/**
 * When the WebAssembly kernel cannot load, 'auto' falls back to the plain-JS kernel and says so once
 * (never silently slower), 'wasm' refuses, and the reason tells a missing build from corrupt bytes.
 * The embedded bytes are replaced here, and core is loaded afresh for each case.
 */
const mockBytes = { plain: '', shared: '' };
jest.mock('../src/kernels/gemm-wasm.generated', () => ({
  get GEMM_WASM_BASE64() {
    return mockBytes.plain;
  },
  get GEMM_WASM_SHARED_BASE64() {
    return mockBytes.shared;
  },
}));

type Core = typeof import('@chainrule/core');

function freshCore(plain: string): Core {
  mockBytes.plain = plain;
  let core: Core | undefined;
  jest.isolateModules(() => {
    core = require('@chainrule/core') as Core;
  });
  return core as Core;
}

describe('falling back from the WebAssembly kernel', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => (warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined)));
  afterEach(() => warn.mockRestore());

  it.each([
    ['missing', '', /WebAssembly kernel missing: it was not built at install/],
    ['corrupt', Buffer.from('not a wasm module').toString('base64'), /WebAssembly kernel corrupt: 17 bytes that do not validate/],
  ])('%s: auto runs on js and warns once; wasm refuses; kernelInfo says why', (_, bytes, reason) => {
    const core = freshCore(bytes);
    const a = core.createKernel({ backend: 'auto' });
    const b = core.createKernel();
    expect(a.info.name).toBe('js');
    expect(a.info.reason).toMatch(reason);
    expect(core.kernelInfo().reason).toMatch(reason); // the default kernel too
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(reason);
    expect(String(warn.mock.calls[0][0])).toMatch(/plain-JS kernel/);
    const out = new Float64Array(4);
    b.gemm(Float64Array.of(1, 2, 3, 4, 5, 6), Float64Array.of(7, 8, 9, 10, 11, 12), out, 2, 3, 2);
    expect(Array.from(out)).toEqual([58, 64, 139, 154]);
    expect(() => core.createKernel({ backend: 'wasm' })).toThrow(core.InvalidArgumentError);
    expect(() => core.createKernel({ backend: 'wasm' })).toThrow(reason);
    expect(core.createKernel({ backend: 'js' }).info.reason).toBe('js: chosen (backend: js)');
    expect(warn).toHaveBeenCalledTimes(1);
  });
});

describe('the one-thread kernel and its two builds', () => {
  const real = jest.requireActual('../src/kernels/gemm-wasm.generated') as { GEMM_WASM_BASE64: string; GEMM_WASM_SHARED_BASE64: string };
  afterEach(() => (mockBytes.shared = ''));

  test('prefers the shared-memory build and falls back to the plain one when it cannot load', () => {
    for (const shared of [real.GEMM_WASM_SHARED_BASE64, '']) {
      mockBytes.shared = shared;
      const core = freshCore(real.GEMM_WASM_BASE64);
      const k = core.createKernel({ backend: 'wasm' });
      expect(k.info.name).toBe('wasm-simd');
      const out = new Float32Array(4);
      k.gemm(Float32Array.of(1, 2, 3, 4, 5, 6), Float32Array.of(7, 8, 9, 10, 11, 12), out, 2, 3, 2);
      expect(Array.from(out)).toEqual([58, 64, 139, 154]);
      // Which memory the kernel's instance uses: shared only when the shared build loaded.
      const memory = (k as unknown as { gemm_: { memory: { buffer: ArrayBufferLike } } }).gemm_.memory;
      expect(memory.buffer instanceof SharedArrayBuffer).toBe(shared !== '');
    }
  });
});
