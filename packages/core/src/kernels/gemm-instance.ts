import { TypedArray } from '../tensor';
import { WasmApi, WasmMemory } from './wasm-module';

/**
 * One instance of the WebAssembly GEMM with its own linear memory: lays a product's operands out in
 * that memory, copies them in, runs row ranges of the product, copies the result out.
 *
 * Operands in ordinary JavaScript typed arrays are copied in (and the product out): O(mk + kn + mn)
 * copies against O(mkn) multiply-adds. Operands that already live in this memory (arrays from
 * `alloc`, which gates use for their outputs and gradients) are read and written where they are,
 * with no copy (issue 19, "operands where the kernel reads them"). Only a shared memory hands out
 * such arrays: growing it never moves or detaches them, whereas growing a plain memory detaches
 * every view of it. Views are cached, so a steady-state call allocates nothing.
 *
 * Layout: [static data | pack space per thread | arena of alloc'ed arrays ↑ | staging of copied operands ↑].
 */

interface GemmExports extends VectorExports {
  heapBase(): number;
  packBytes(elem: number): number;
  gemm32: GemmFn;
  gemm64: GemmFn;
}

/** The elementwise loops of assembly/vector.ts (byte addresses, element counts). */
export interface VectorExports {
  axpy32(y: number, x: number, n: number, a: number): void;
  axpy64(y: number, x: number, n: number, a: number): void;
  firstNonFinite32(x: number, n: number): number;
  firstNonFinite64(x: number, n: number): number;
  biasRelu32(y: number, b: number, rows: number, n: number, relu: number): void;
  reluGrad32(y: number, dout: number, dz: number, n: number): void;
  sumRows32(dz: number, db: number, rows: number, n: number): void;
  momentum32: MomentumFn;
  momentum64: MomentumFn;
  adam32: AdamFn;
  adam64: AdamFn;
}
type MomentumFn = (theta: number, grad: number, v: number, n: number, lr: number, mu: number, wd: number, nesterov: number) => void;
type AdamFn = (theta: number, grad: number, m: number, v: number, n: number, stepSize: number, rootBc2: number, shrink: number, l2: number, beta1: number, beta2: number, eps: number) => void;

/** Which instance's memory an ArrayBuffer is (shared memories only: their arrays never move), for owns() and vector-ops.ts. */
const instances = new WeakMap<ArrayBufferLike, GemmInstance>();

/** The instance whose memory holds `x`, or undefined for an ordinary array. */
export function instanceHolding(x: TypedArray): GemmInstance | undefined {
  return instances.get(x.buffer);
}
type GemmFn = (ta: number, tb: number, m: number, k: number, n: number, a: number, b: number, c: number, acc: number, r0: number, r1: number, pack: number) => void;

const PAGE = 65536;
const MAX_PAGES = 16384; // 1 GiB: must match --maximumMemory of the asc build (scripts/build-wasm.js)
const ALIGN = 64;
const align = (x: number): number => Math.ceil(x / ALIGN) * ALIGN;
/** Bytes the arena of alloc'ed arrays may take; beyond it alloc answers undefined (the caller uses an ordinary array). */
const ARENA_MAX = 256 * 1024 * 1024;

/** Where one product lives in the linear memory (byte addresses), and its call arguments. */
export interface GemmJob {
  elem: 4 | 8;
  ta: number;
  tb: number;
  m: number;
  k: number;
  n: number;
  aAt: number;
  bAt: number;
  cAt: number;
  acc: number;
  /** Whether C is the caller's own array (alloc'ed here): then nothing is copied out. */
  cOwn: boolean;
  /**
   * Where a helper thread writes its rows: the C it is handed (rows are addressed from it). For an
   * own C, rows from `helperFrom` on go to a staging area instead (see load), so this points below it.
   */
  helperCAt: number;
  /** The first row the helper computes into staging (−1: the helper writes where C is). */
  helperFrom: number;
}

export class GemmInstance {
  readonly memory: WasmMemory;
  /** The module's exports: the products, and the elementwise loops that vector-ops.ts runs on this memory's arrays. */
  readonly ex: GemmExports;
  private readonly base: number;
  /** Bytes of pack space per thread: thread t packs at base + t·packSize. */
  private readonly packSize: number;
  private buffer!: ArrayBufferLike;
  private f32!: Float32Array;
  private f64!: Float64Array;
  private readonly views32 = new Map<number, Map<number, TypedArray>>();
  private readonly views64 = new Map<number, Map<number, TypedArray>>();
  private readonly job: GemmJob = { elem: 4, ta: 0, tb: 0, m: 0, k: 0, n: 0, aAt: 0, bAt: 0, cAt: 0, acc: 0, cOwn: false, helperCAt: 0, helperFrom: -1 };
  /** End of the arena of alloc'ed arrays; copied operands are staged above it. */
  private arenaEnd: number;
  /** Released arrays by byte length·2 + (1 for float64), handed out again by alloc. */
  private readonly free = new Map<number, TypedArray[]>();

  /** `threads` pack areas are reserved, one per thread that may run rows of a product at once. */
  constructor(api: WasmApi, readonly module: object, private readonly shared: boolean, private readonly threads: number) {
    this.memory = new api.Memory({ initial: 1, maximum: MAX_PAGES, shared });
    this.ex = new api.Instance(module, { env: { memory: this.memory } }).exports as GemmExports;
    this.base = align(this.ex.heapBase());
    this.packSize = align(this.ex.packBytes(8));
    this.arenaEnd = this.packAt(threads);
    this.refresh();
  }

  /** A zeroed array of `len` elements in this memory, or undefined (plain memory, or the arena is full). */
  alloc(f32: boolean, len: number): TypedArray | undefined {
    if (!this.shared) return undefined;
    const elem = f32 ? 4 : 8;
    const reused = this.free.get(len * elem * 2 + (f32 ? 0 : 1))?.pop();
    if (reused !== undefined) return reused.fill(0);
    const at = this.arenaEnd;
    const end = align(at + len * elem);
    if (end - this.packAt(this.threads) > ARENA_MAX) return undefined;
    this.ensure(end);
    this.arenaEnd = end;
    // Zeroed explicitly: the region may have held a product's staged operands (staging sits above the arena).
    return (f32 ? new Float32Array(this.buffer, at, len) : new Float64Array(this.buffer, at, len)).fill(0);
  }

  /** Gives an alloc'ed array back for a later alloc of the same size (ignored for other arrays). */
  release(data: TypedArray): void {
    if (!this.owns(data)) return;
    const key = data.byteLength * 2 + (data.BYTES_PER_ELEMENT === 4 ? 0 : 1);
    let list = this.free.get(key);
    if (list === undefined) this.free.set(key, (list = []));
    if (!list.includes(data)) list.push(data);
  }

  /** Whether `x` is an array of this memory (then the kernel reads and writes it in place). */
  owns(x: TypedArray): boolean {
    return instances.get(x.buffer) === this;
  }

  /** Whether a product's operands fit in the memory (with generous room for pack space and alignment). */
  static fits(m: number, k: number, n: number, elem: number): boolean {
    return (m * k + k * n + m * n) * elem + (1 << 24) <= MAX_PAGES * PAGE;
  }

  /** Byte address of thread t's pack space. */
  packAt(thread: number): number {
    return this.base + thread * this.packSize;
  }

  /**
   * Lays out and copies in a[…], b[…] (and out, to accumulate into) unless they are arrays of this
   * memory; returns the job (reused object). `helperFrom`: the product is split and a helper thread
   * computes rows [helperFrom, m). When C is an array of this memory those rows are staged, not
   * written in place: a helper lost mid-product could still write there afterwards, and must never
   * write into a tensor (the caller's own rows are written in place; `helperRowsIn` copies the
   * helper's in once it has finished).
   */
  load(transA: boolean, transB: boolean, a: TypedArray, b: TypedArray, out: TypedArray, m: number, k: number, n: number, accumulate: boolean, helperFrom = -1): GemmJob {
    const f32 = out.BYTES_PER_ELEMENT === 4; // not instanceof: arrays from another realm (iframe, vm) count too
    const elem = f32 ? 4 : 8;
    const aOwn = this.owns(a);
    const bOwn = this.owns(b);
    // Accumulating into an own C is not done in place: a helper that fails half-way could not be undone.
    const cOwn = !accumulate && this.owns(out);
    let top = this.arenaEnd;
    const aAt = aOwn ? a.byteOffset : top;
    if (!aOwn) top = align(top + m * k * elem);
    const bAt = bOwn ? b.byteOffset : top;
    if (!bOwn) top = align(top + k * n * elem);
    const cAt = cOwn ? out.byteOffset : top;
    if (!cOwn) top = align(top + m * n * elem);
    const staged = cOwn && helperFrom >= 0;
    // The helper addresses rows from its C: point it helperFrom rows below the staging area (the
    // address arithmetic is 32-bit in WebAssembly, so a base below 0 wraps and lands exactly there).
    const helperCAt = staged ? top - helperFrom * n * elem : cAt;
    if (staged) top += (m - helperFrom) * n * elem;
    this.ensure(top);
    const all = f32 ? this.f32 : this.f64;
    const shift = f32 ? 2 : 3; // element offsets by shifts: small integers, never boxed doubles
    if (!aOwn) copyIn(all, a, aAt >>> shift, m * k);
    if (!bOwn) copyIn(all, b, bAt >>> shift, k * n);
    if (accumulate) copyIn(all, out, cAt >>> shift, m * n);
    const j = this.job;
    j.elem = elem;
    j.ta = transA ? 1 : 0;
    j.tb = transB ? 1 : 0;
    j.m = m;
    j.k = k;
    j.n = n;
    j.aAt = aAt;
    j.bAt = bAt;
    j.cAt = cAt;
    j.acc = accumulate ? 1 : 0;
    j.cOwn = cOwn;
    j.helperCAt = helperCAt;
    j.helperFrom = staged ? helperFrom : -1;
    return j;
  }

  /** After the helper finished its rows: copies them from staging into C (nothing to do when it wrote into C). */
  helperRowsIn(j: GemmJob): void {
    if (j.helperFrom < 0) return;
    const all = j.elem === 4 ? this.f32 : this.f64;
    const shift = j.elem === 4 ? 2 : 3;
    const staged = (j.helperCAt + j.helperFrom * j.n * j.elem) >>> shift; // the staging area (helperCAt itself may be below 0)
    all.copyWithin((j.cAt >>> shift) + j.helperFrom * j.n, staged, staged + (j.m - j.helperFrom) * j.n);
  }

  /** Rows [r0, r1) of the job's product, with thread t's pack space. */
  run(j: GemmJob, r0: number, r1: number, thread: number): void {
    const fn = j.elem === 4 ? this.ex.gemm32 : this.ex.gemm64;
    fn(j.ta, j.tb, j.m, j.k, j.n, j.aAt, j.bAt, j.cAt, j.acc, r0, r1, this.packAt(thread));
  }

  /** Copies rows [r0, r1) of `out` back into C (to redo those rows after a helper failed while accumulating). */
  restoreRows(j: GemmJob, out: TypedArray, r0: number, r1: number): void {
    const all = j.elem === 4 ? this.f32 : this.f64;
    (all as Float64Array).set(out.subarray(r0 * j.n, r1 * j.n) as Float64Array, (j.cAt >>> (j.elem === 4 ? 2 : 3)) + r0 * j.n);
  }

  /** out[0 .. m·n) = C (nothing to do when C is out itself). */
  store(j: GemmJob, out: TypedArray): void {
    if (j.cOwn) return;
    (out as Float64Array).set(this.view(j.elem === 4, j.cAt, j.m * j.n) as Float64Array);
  }

  /** A cached view of `len` elements at byte address `at` (views are objects: caching keeps steps allocation-free). */
  private view(f32: boolean, at: number, len: number): TypedArray {
    const cache = f32 ? this.views32 : this.views64;
    let byLen = cache.get(at);
    if (byLen === undefined) cache.set(at, (byLen = new Map()));
    let v = byLen.get(len);
    if (v === undefined) {
      v = f32 ? new Float32Array(this.buffer, at, len) : new Float64Array(this.buffer, at, len);
      byLen.set(len, v);
    }
    return v;
  }

  private ensure(bytes: number): void {
    if (bytes > this.buffer.byteLength) {
      this.memory.grow(Math.ceil((bytes - this.buffer.byteLength) / PAGE));
      this.refresh();
    }
  }

  private refresh(): void {
    this.buffer = this.memory.buffer;
    // Every buffer object a shared memory has had maps to it: a view on any of them is an array of this memory (shared memory never moves).
    if (this.shared) instances.set(this.buffer, this);
    this.f32 = new Float32Array(this.buffer);
    this.f64 = new Float64Array(this.buffer, 0, this.buffer.byteLength >> 3);
    this.views32.clear();
    this.views64.clear();
  }
}

/** all[at .. at+len) = src[0 .. len) without allocating when src has exactly len elements. */
function copyIn(all: TypedArray, src: TypedArray, at: number, len: number): void {
  if (src.length === len) (all as Float64Array).set(src as Float64Array, at);
  else (all as Float64Array).set(src.subarray(0, len) as Float64Array, at);
}
