// About 300 lines: the examples' one plotting module (line charts, decision boundaries, contours,
// image grids) over vega-lite; each chart is one function.
import { mkdirSync, writeFileSync } from 'fs';
import { dirname } from 'path';
import * as vega from 'vega';
import { compile, TopLevelSpec } from 'vega-lite';

/**
 * Pictures for the examples: every plot is a vega-lite spec, compiled to vega and rendered to SVG
 * headless (vega's View with renderer 'none', which needs no canvas and no browser).
 */
export type Spec = TopLevelSpec;

/** One row of a plot's data table. */
export type Row = Record<string, number | string | null>;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** Plain white background, a little larger type than vega's defaults so the pictures read in a README. */
const CONFIG = {
  background: 'white',
  // No ARIA labels on every mark: they double the size of a scatter plot's SVG.
  aria: false,
  font: 'sans-serif',
  title: { fontSize: 15, anchor: 'start' as const, subtitleFontSize: 11, subtitleColor: '#555' },
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 0 },
  view: { stroke: '#ccc' },
};

/** Adds the schema and the shared config to a spec (fields the spec sets win). */
export function withDefaults(spec: Record<string, unknown>): Spec {
  const config = { ...CONFIG, ...((spec.config as object | undefined) ?? {}) };
  return { $schema: SCHEMA, ...spec, config } as Spec;
}

/** The spec rendered to an SVG document. */
export async function renderSvg(spec: Spec): Promise<string> {
  const compiled = compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Renders the spec and writes it to `file` (creating folders); returns the path written. */
export async function savePlot(file: string, spec: Spec): Promise<string> {
  const svg = await renderSvg(spec);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, svg);
  return file;
}

export interface LineChartOptions {
  title: string;
  subtitle?: string;
  rows: Row[];
  x: string;
  y: string;
  /** The field that splits rows into lines (drawn with a legend); omit for one line. */
  series?: string;
  xTitle?: string;
  yTitle?: string;
  seriesTitle?: string;
  /** Log-scaled y axis (values must be > 0). */
  logY?: boolean;
  /** Fixed order of the series in the legend and colours. */
  seriesOrder?: string[];
  width?: number;
  height?: number;
  /** Draw points on the line (for short series such as per-epoch numbers). */
  points?: boolean;
  /** y axis domain. */
  yDomain?: [number, number];
  /** d3-format of the axis labels, e.g. '.0%' or 'd'. */
  xFormat?: string;
  yFormat?: string;
  /** Integer ticks only on x (epochs, steps). */
  xIntegers?: boolean;
}

/** A line chart: one line per series, with axis titles and a legend. */
export function lineChart(o: LineChartOptions): Spec {
  const xs = [...new Set(o.rows.map((r) => r[o.x]).filter((v): v is number => typeof v === 'number'))].sort((a, b) => a - b);
  const integerTicks = o.xIntegers ? (xs.length <= 25 ? { values: xs, format: 'd' } : { tickMinStep: 1, format: 'd' }) : {};
  const encoding: Record<string, unknown> = {
    x: {
      field: o.x,
      type: 'quantitative',
      title: o.xTitle ?? o.x,
      axis: { ...(o.xFormat ? { format: o.xFormat } : {}), ...integerTicks },
    },
    y: {
      field: o.y,
      type: 'quantitative',
      title: o.yTitle ?? o.y,
      axis: o.yFormat ? { format: o.yFormat } : {},
      scale: { ...(o.logY ? { type: 'log' } : { zero: false }), ...(o.yDomain ? { domain: o.yDomain } : {}) },
    },
  };
  if (o.series) {
    encoding.color = {
      field: o.series,
      type: 'nominal',
      title: o.seriesTitle ?? o.series,
      ...(o.seriesOrder ? { sort: o.seriesOrder, scale: { domain: o.seriesOrder } } : {}),
    };
  }
  return withDefaults({
    title: o.subtitle ? { text: o.title, subtitle: o.subtitle } : o.title,
    width: o.width ?? 420,
    height: o.height ?? 260,
    data: { values: o.rows },
    mark: { type: 'line', point: o.points ?? false, strokeWidth: 2 },
    encoding,
  });
}

/** Trailing moving average over `window` values (shorter at the start). */
export function movingAverage(values: readonly number[], window: number): number[] {
  const out: number[] = new Array(values.length);
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
    if (i >= window) sum -= values[i - window];
    out[i] = sum / Math.min(i + 1, window);
  }
  return out;
}

/** A uniform grid of `n` values from lo to hi inclusive. */
export function linspace(lo: number, hi: number, n: number): number[] {
  if (n === 1) return [lo];
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

/**
 * Cells of a class map over a grid, merged into horizontal runs of the same class so a heatmap of
 * predicted classes stays a few hundred rectangles (and a small SVG) instead of one per cell.
 * `classes[r * xs.length + c]` is the class at (xs[c], ys[r]); each run is a row with x, x2, y, y2.
 */
export function classRuns(xs: readonly number[], ys: readonly number[], classes: ArrayLike<number>, label: (k: number) => string): Row[] {
  const dx = xs.length > 1 ? xs[1] - xs[0] : 1;
  const dy = ys.length > 1 ? ys[1] - ys[0] : 1;
  const rows: Row[] = [];
  for (let r = 0; r < ys.length; r++) {
    let start = 0;
    for (let c = 1; c <= xs.length; c++) {
      const k = classes[r * xs.length + start];
      if (c === xs.length || classes[r * xs.length + c] !== k) {
        rows.push({ x: xs[start] - dx / 2, x2: xs[c - 1] + dx / 2, y: ys[r] - dy / 2, y2: ys[r] + dy / 2, region: label(k) });
        start = c;
      }
    }
  }
  return rows;
}

/**
 * Contour lines of f over a grid (marching squares), joined into polylines: rows of
 * { level, line, i, x, y } where `line` names one polyline and `i` orders its points, ready for a
 * vega-lite line mark with `detail: line` and `order: i`.
 */
export function contourLines(
  f: (x: number, y: number) => number,
  xs: readonly number[],
  ys: readonly number[],
  levels: readonly number[],
): Row[] {
  const nx = xs.length;
  const ny = ys.length;
  const z = new Float64Array(nx * ny);
  for (let r = 0; r < ny; r++) for (let c = 0; c < nx; c++) z[r * nx + c] = f(xs[c], ys[r]);
  const rows: Row[] = [];
  let lineId = 0;
  for (const level of levels) {
    // Each crossing point lies on a grid edge; key it by the edge so segments can be chained.
    const point = new Map<string, [number, number]>();
    const adjacency = new Map<string, string[]>();
    const edgePoint = (r1: number, c1: number, r2: number, c2: number): string => {
      const key = `${r1},${c1},${r2},${c2}`;
      if (!point.has(key)) {
        const a = z[r1 * nx + c1];
        const b = z[r2 * nx + c2];
        const t = a === b ? 0.5 : (level - a) / (b - a);
        point.set(key, [xs[c1] + t * (xs[c2] - xs[c1]), ys[r1] + t * (ys[r2] - ys[r1])]);
      }
      return key;
    };
    const link = (p: string, q: string): void => {
      if (!adjacency.has(p)) adjacency.set(p, []);
      if (!adjacency.has(q)) adjacency.set(q, []);
      (adjacency.get(p) as string[]).push(q);
      (adjacency.get(q) as string[]).push(p);
    };
    for (let r = 0; r + 1 < ny; r++) {
      for (let c = 0; c + 1 < nx; c++) {
        // Corners: 0 = (r,c), 1 = (r,c+1), 2 = (r+1,c+1), 3 = (r+1,c); edges between consecutive corners.
        const corners: [number, number][] = [[r, c], [r, c + 1], [r + 1, c + 1], [r + 1, c]];
        const above = corners.map(([rr, cc]) => z[rr * nx + cc] > level);
        const crossings: string[] = [];
        for (let e = 0; e < 4; e++) {
          const [r1, c1] = corners[e];
          const [r2, c2] = corners[(e + 1) % 4];
          if (above[e] !== above[(e + 1) % 4]) {
            crossings.push(r1 < r2 || (r1 === r2 && c1 < c2) ? edgePoint(r1, c1, r2, c2) : edgePoint(r2, c2, r1, c1));
          }
        }
        if (crossings.length === 2) link(crossings[0], crossings[1]);
        else if (crossings.length === 4) {
          link(crossings[0], crossings[1]);
          link(crossings[2], crossings[3]);
        }
      }
    }
    const visited = new Set<string>();
    const walk = (startKey: string): void => {
      const chain: string[] = [startKey];
      visited.add(startKey);
      let current = startKey;
      for (;;) {
        const next = (adjacency.get(current) ?? []).find((k) => !visited.has(k));
        if (next === undefined) {
          // closed loop: repeat the first point so the line closes
          if ((adjacency.get(current) ?? []).includes(startKey) && chain.length > 2) chain.push(startKey);
          break;
        }
        visited.add(next);
        chain.push(next);
        current = next;
      }
      const id = `c${lineId++}`;
      chain.forEach((key, i) => {
        const [x, y] = point.get(key) as [number, number];
        rows.push({ level, line: id, i, x: round(x), y: round(y) });
      });
    };
    // Open chains first (from their ends), then closed loops.
    for (const [key, neighbours] of adjacency) if (neighbours.length === 1 && !visited.has(key)) walk(key);
    for (const key of adjacency.keys()) if (!visited.has(key)) walk(key);
  }
  return rows;
}

/** Four significant decimals are plenty for a picture and keep the SVG small. */
export function round(v: number, digits = 4): number {
  const s = 10 ** digits;
  return Math.round(v * s) / s;
}

export interface ImageGridOptions {
  title: string;
  subtitle?: string;
  /** The pictures, each with a label and row-major values of height × width. */
  images: readonly { label: string; values: ArrayLike<number>; height: number; width: number }[];
  /** Panels per row (default 8). */
  columns?: number;
  /** Side of one pixel in the picture (default 6). */
  pixel?: number;
  /** 'greys' (default: each image scaled to its own min..max, dark = high) or 'redblue' (symmetric around 0, for weights). */
  scheme?: 'greys' | 'redblue';
}

/**
 * Small images side by side (a CNN's filters, its feature maps): one panel per image, a rect mark
 * per pixel, each image normalised to its own range so weak and strong maps are both visible.
 */
export function imageGrid(o: ImageGridOptions): Spec {
  const rows: Row[] = [];
  const height = Math.max(...o.images.map((im) => im.height));
  const width = Math.max(...o.images.map((im) => im.width));
  for (const im of o.images) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < im.values.length; i++) {
      lo = Math.min(lo, im.values[i]);
      hi = Math.max(hi, im.values[i]);
    }
    const bound = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    for (let r = 0; r < im.height; r++) {
      for (let c = 0; c < im.width; c++) {
        const v = im.values[r * im.width + c];
        const value = o.scheme === 'redblue' ? v / bound : hi > lo ? (v - lo) / (hi - lo) : 0;
        rows.push({ panel: im.label, row: r, col: c, value: round(value, 3) });
      }
    }
  }
  const pixel = o.pixel ?? 6;
  const axis = { field: '', type: 'ordinal', axis: null };
  return withDefaults({
    title: o.subtitle ? { text: o.title, subtitle: o.subtitle } : o.title,
    data: { values: rows },
    facet: { field: 'panel', type: 'nominal', title: null, sort: o.images.map((im) => im.label), header: { labelFontSize: 11 } },
    columns: o.columns ?? 8,
    spec: {
      width: width * pixel,
      height: height * pixel,
      mark: { type: 'rect' },
      encoding: {
        x: { ...axis, field: 'col', scale: { domain: Array.from({ length: width }, (_, i) => i) } },
        y: { ...axis, field: 'row', scale: { domain: Array.from({ length: height }, (_, i) => i) } },
        color: {
          field: 'value',
          type: 'quantitative',
          legend: null,
          scale: o.scheme === 'redblue' ? { scheme: 'redblue', domain: [-1, 1], reverse: true } : { scheme: 'greys', domain: [0, 1] },
        },
      },
    },
    config: { view: { stroke: '#999' } },
  });
}
