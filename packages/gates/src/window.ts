import { formatShape, formatSpec, InvalidArgumentError, ShapeError, ShapeSpec } from '@chainrule/core';

/**
 * The geometry that Conv2DGate, MaxPool2DGate and AvgPool2DGate share: a kernel window of
 * kh×kw taps, dilated by dh/dw, slid over an NCHW input padded by ph/pw with steps sh/sw.
 * Options give each as one number (both axes) or [height, width].
 */
export interface Window {
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
}

/** [height, width] from an option given as one number or a pair; `min` is the smallest allowed value. */
export function pairOption(gate: string, key: string, value: unknown, fallback: readonly [number, number], min: number): [number, number] {
  if (value === undefined) return [fallback[0], fallback[1]];
  const pair = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((v) => Number.isInteger(v) && v >= min)) {
    throw new InvalidArgumentError(
      `${gate}: option '${key}' must be an integer ≥ ${min} or a pair [height, width] of them, got ${JSON.stringify(value)}`,
    );
  }
  return [pair[0], pair[1]];
}

/**
 * Output height and width of the window over an input of `h`×`w` (named `what` in errors), as
 * PyTorch computes them: (h + 2·ph − dh·(kh − 1) − 1) / sh + 1. Throws ShapeError, naming the gate
 * and the numbers, when the dilated kernel is larger than the padded input, or when the stride does
 * not divide the distance it travels (an output size that is not an integer: rows or columns of the
 * input would be silently dropped).
 */
export function windowOutput(gate: string, win: Window, inputShape: readonly number[], h: number, w: number): [number, number] {
  const spanH = win.dh * (win.kh - 1) + 1;
  const spanW = win.dw * (win.kw - 1) + 1;
  const paddedH = h + 2 * win.ph;
  const paddedW = w + 2 * win.pw;
  if (spanH > paddedH || spanW > paddedW) {
    throw new ShapeError(
      `${gate}.forward: the kernel (${win.kh}×${win.kw}, dilation ${win.dh}×${win.dw}, spanning ${spanH}×${spanW}) is larger than the padded input ` +
        `${paddedH}×${paddedW} (input ${formatShape(inputShape)}, padding ${win.ph}×${win.pw})`,
    );
  }
  if ((paddedH - spanH) % win.sh !== 0 || (paddedW - spanW) % win.sw !== 0) {
    throw new ShapeError(
      `${gate}.forward: the output size is not an integer: (${paddedH} − ${spanH}) / ${win.sh} + 1 = ${((paddedH - spanH) / win.sh + 1).toFixed(2)} rows, ` +
        `(${paddedW} − ${spanW}) / ${win.sw} + 1 = ${((paddedW - spanW) / win.sw + 1).toFixed(2)} columns (input ${formatShape(inputShape)}, ` +
        `kernel ${win.kh}×${win.kw}, stride ${win.sh}×${win.sw}, padding ${win.ph}×${win.pw}, dilation ${win.dh}×${win.dw}); change the padding or the stride`,
    );
  }
  return [(paddedH - spanH) / win.sh + 1, (paddedW - spanW) / win.sw + 1];
}

/** Throws ShapeError unless x is rank 4 (NCHW). */
export function expectNCHW(gate: string, shape: readonly number[], what = 'input'): void {
  if (shape.length !== 4) {
    throw new ShapeError(`${gate}.forward: expected the ${what} as [N, C, H, W] (rank 4), got ${formatShape(shape)}`);
  }
}

/** The options of a windowed gate, each one number or [height, width]. */
export interface WindowOptions {
  kernel?: number | [number, number];
  stride?: number | [number, number];
  padding?: number | [number, number];
  dilation?: number | [number, number];
}

/**
 * Reads `keys` of a windowed gate's options (rejecting any other key, naming the gate): kernel and
 * stride ≥ 1, padding ≥ 0, dilation ≥ 1. A missing stride defaults to `strideDefault` (the kernel
 * for pooling, 1 for convolution); the others to kernel 1, padding 0, dilation 1.
 */
export function readWindow(gate: string, options: object, keys: readonly (keyof WindowOptions)[], strideDefault: 'kernel' | 1): Window {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidArgumentError(`${gate}: options must be an object, got ${JSON.stringify(options)}`);
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!(keys as readonly string[]).includes(key)) {
      throw new InvalidArgumentError(`${gate}: unknown option '${key}' (expected ${keys.map((k) => `'${k}'`).join(', ')})`);
    }
  }
  const [kh, kw] = pairOption(gate, 'kernel', o.kernel, [1, 1], 1);
  const [sh, sw] = pairOption(gate, 'stride', o.stride, strideDefault === 'kernel' ? [kh, kw] : [1, 1], 1);
  const [ph, pw] = pairOption(gate, 'padding', o.padding, [0, 0], 0);
  const [dh, dw] = pairOption(gate, 'dilation', o.dilation, [1, 1], 1);
  return { kh, kw, sh, sw, ph, pw, dh, dw };
}

/**
 * A pooling gate's window, checked: given a kernel, and padding at most half the kernel (as
 * PyTorch requires), so every window holds at least one real input element.
 */
export function checkPoolWindow(gate: string, options: object, win: Window): Window {
  if ((options as WindowOptions).kernel === undefined) {
    throw new InvalidArgumentError(`${gate}: option 'kernel' is required (an integer ≥ 1 or [height, width]), got ${JSON.stringify(options)}`);
  }
  if (2 * win.ph > win.kh || 2 * win.pw > win.kw) {
    throw new InvalidArgumentError(`${gate}: padding ${win.ph}×${win.pw} must be at most half the kernel ${win.kh}×${win.kw}`);
  }
  return win;
}

/** expectNCHW for a declared shape (shape rules run when the graph is built). */
export function expectNCHWSpec(x: ShapeSpec): void {
  if (x.length !== 4) throw new ShapeError(`expected the input as [N, C, H, W] (rank 4), got ${formatSpec(x)}`);
}

/** windowOutput for a declared NCHW shape: null sizes where H or W is known only at forward. */
export function windowSpec(gate: string, win: Window, x: ShapeSpec): [number | null, number | null] {
  expectNCHWSpec(x);
  const [h, w] = [x[2], x[3]];
  if (h === null || w === null) return [null, null];
  return windowOutput(gate, win, x as number[], h, w);
}
