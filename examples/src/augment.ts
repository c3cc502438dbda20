import { Random, TypedArray } from '@chainrule/core';

/** How far `distortImages` may move a digit: each draw is uniform in ±the limit. */
export interface Distortion {
  /** Shift in pixels on each axis. */
  shift: number;
  /** Rotation in degrees about the image centre. */
  rotate: number;
  /** Relative change of size: 0.1 draws a zoom factor in [0.9, 1.1]. */
  scale: number;
}

/**
 * Data augmentation for digits: every image of `src` (n rows of side×side pixels, background 0)
 * copied into `dst` under its own random affine map (a shift, a rotation and a zoom, each drawn
 * uniformly within `limits`), sampled bilinearly; pixels that map outside the source read the
 * background. A CNN that sees a digit moved, tilted and resized learns what stays the same, which
 * is what 8,000 training digits alone do not show it: the held-out digits are written at other
 * slants and sizes.
 */
export function distortImages(src: TypedArray, dst: TypedArray, n: number, side: number, limits: Distortion, rng: Random): void {
  const area = side * side;
  const centre = (side - 1) / 2;
  for (let r = 0; r < n; r++) {
    const angle = (rng.uniform(-limits.rotate, limits.rotate) * Math.PI) / 180;
    const zoom = 1 + rng.uniform(-limits.scale, limits.scale);
    const dx = rng.uniform(-limits.shift, limits.shift);
    const dy = rng.uniform(-limits.shift, limits.shift);
    // The inverse map: for each output pixel, where in the source it comes from.
    const cos = Math.cos(angle) / zoom;
    const sin = Math.sin(angle) / zoom;
    const base = r * area;
    for (let y = 0; y < side; y++) {
      const v = y - centre - dy;
      for (let x = 0; x < side; x++) {
        const u = x - centre - dx;
        const sx = cos * u + sin * v + centre;
        const sy = -sin * u + cos * v + centre;
        dst[base + y * side + x] = bilinear(src, base, side, sx, sy);
      }
    }
  }
}

/** The source image at the fractional point (sx, sy), 0 outside it. */
function bilinear(src: TypedArray, base: number, side: number, sx: number, sy: number): number {
  const x0 = Math.floor(sx);
  const y0 = Math.floor(sy);
  if (x0 < -1 || y0 < -1 || x0 >= side || y0 >= side) return 0;
  const fx = sx - x0;
  const fy = sy - y0;
  const top = (1 - fx) * pixel(src, base, side, x0, y0) + fx * pixel(src, base, side, x0 + 1, y0);
  const bottom = (1 - fx) * pixel(src, base, side, x0, y0 + 1) + fx * pixel(src, base, side, x0 + 1, y0 + 1);
  return (1 - fy) * top + fy * bottom;
}

/** Pixel (x, y) of the image at `base`, 0 (the background) outside it. */
function pixel(src: TypedArray, base: number, side: number, x: number, y: number): number {
  return x >= 0 && y >= 0 && x < side && y < side ? src[base + y * side + x] : 0;
}
