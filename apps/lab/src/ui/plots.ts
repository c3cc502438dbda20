import { formatNumber } from '@chainrule/viz';

/** The network mode's pictures as SVG text, so each can be shown and downloaded as it is. */

export const CLASS_COLORS = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2'];
const REGION_COLORS = ['#c6d6ea', '#fcd9b6', '#cbe6c6', '#f6c8c8', '#cfe8e6', '#e6d3e2'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Predicted-class regions (res × res cells over [-lim, lim]², row 0 at the top) with the data points on top. */
export function boundarySvg(grid: Uint8Array | undefined, res: number, x: Float64Array, y: Float64Array, size = 360, lim = 1.1): string {
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" width="${size}" height="${size}" class="boundary">`];
  parts.push(`<rect width="${size}" height="${size}" fill="#f9fafb"/>`);
  if (grid && grid.length === res * res) {
    const cell = size / res;
    for (let r = 0; r < res; r++) {
      // one rect per run of equal cells in a row keeps the picture small
      let c = 0;
      while (c < res) {
        const k = grid[r * res + c];
        let e = c + 1;
        while (e < res && grid[r * res + e] === k) e++;
        parts.push(`<rect x="${(c * cell).toFixed(1)}" y="${(r * cell).toFixed(1)}" width="${((e - c) * cell + 0.5).toFixed(1)}" height="${(cell + 0.5).toFixed(1)}" fill="${REGION_COLORS[k % REGION_COLORS.length]}"/>`);
        c = e;
      }
    }
  }
  const px = (v: number) => (((v + lim) / (2 * lim)) * size).toFixed(1);
  const py = (v: number) => (((lim - v) / (2 * lim)) * size).toFixed(1);
  for (let i = 0; i < y.length; i++) {
    parts.push(`<circle cx="${px(x[2 * i])}" cy="${py(x[2 * i + 1])}" r="3.2" fill="${CLASS_COLORS[y[i] % CLASS_COLORS.length]}" stroke="#fff" stroke-width="0.8"/>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

/** Loss against step, on a log scale when it spans more than a factor of 20. */
export function lossSvg(steps: readonly number[], losses: readonly number[], width = 360, height = 200): string {
  const pad = { l: 44, r: 10, t: 10, b: 26 };
  const finite = losses.filter((v) => Number.isFinite(v) && v > 0);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="Helvetica, sans-serif" font-size="10">`];
  parts.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  if (finite.length >= 2) {
    const lo = Math.min(...finite);
    const hi = Math.max(...finite);
    const log = hi / lo > 20;
    const f = (v: number) => (log ? Math.log10(v) : v);
    const [a, b] = [f(lo), f(hi) === f(lo) ? f(lo) + 1 : f(hi)];
    const s0 = steps[0];
    const s1 = steps[steps.length - 1] === s0 ? s0 + 1 : steps[steps.length - 1];
    const X = (s: number) => pad.l + ((s - s0) / (s1 - s0)) * (width - pad.l - pad.r);
    const Y = (v: number) => pad.t + (1 - (f(v) - a) / (b - a)) * (height - pad.t - pad.b);
    const pts = steps.map((s, i) => (Number.isFinite(losses[i]) && losses[i] > 0 ? `${X(s).toFixed(1)},${Y(losses[i]).toFixed(1)}` : '')).filter(Boolean);
    parts.push(`<polyline fill="none" stroke="#b91c1c" stroke-width="1.5" points="${pts.join(' ')}"/>`);
    parts.push(`<line x1="${pad.l}" y1="${height - pad.b}" x2="${width - pad.r}" y2="${height - pad.b}" stroke="#374151"/>`);
    parts.push(`<line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${height - pad.b}" stroke="#374151"/>`);
    parts.push(`<text x="${pad.l - 4}" y="${pad.t + 8}" text-anchor="end">${formatNumber(hi, 3)}</text>`);
    parts.push(`<text x="${pad.l - 4}" y="${height - pad.b}" text-anchor="end">${formatNumber(lo, 3)}</text>`);
    parts.push(`<text x="${pad.l}" y="${height - 8}">step ${s0}</text>`);
    parts.push(`<text x="${width - pad.r}" y="${height - 8}" text-anchor="end">${s1}${log ? ' (log scale)' : ''}</text>`);
  } else {
    parts.push(`<text x="${width / 2}" y="${height / 2}" text-anchor="middle" fill="#6b7280">train to see the loss</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

/** A matrix as a heat map (blue negative, red positive, scaled to its largest magnitude) with a title. */
export function matrixSvg(title: string, values: readonly number[] | undefined, rows: number, cols: number, x0 = 0, y0 = 0, cell = 14): { svg: string; width: number; height: number } {
  const width = Math.max(cols * cell, 120);
  const height = rows * cell + 16;
  const parts = [`<text x="${x0}" y="${y0 + 11}" font-size="11">${esc(title)}</text>`];
  if (values) {
    const m = Math.max(1e-12, ...values.map(Math.abs));
    values.forEach((v, i) => {
      const t = Math.min(1, Math.abs(v) / m);
      const c = v >= 0 ? `rgb(${255},${Math.round(255 * (1 - t))},${Math.round(255 * (1 - t))})` : `rgb(${Math.round(255 * (1 - t))},${Math.round(255 * (1 - t))},255)`;
      const r = Math.floor(i / cols);
      const k = i % cols;
      parts.push(`<rect x="${x0 + k * cell}" y="${y0 + 16 + r * cell}" width="${cell - 1}" height="${cell - 1}" fill="${c}"><title>${esc(title)}[${r}, ${k}] = ${v}</title></rect>`);
    });
  }
  return { svg: parts.join(''), width, height };
}

/** A layer's W, dW, b and db side by side. */
export function layerSvg(name: string, shape: number[], weight: number[], weightGrad: number[] | undefined, bias: number[], biasGrad: number[] | undefined): string {
  const [rows, cols] = shape;
  const cell = Math.max(4, Math.min(14, Math.floor(300 / Math.max(rows, cols))));
  const items = [
    matrixSvg(`${name}.W [${rows}×${cols}]`, weight, rows, cols, 0, 0, cell),
    matrixSvg(`∂L/∂${name}.W`, weightGrad, rows, cols, 0, 0, cell),
    matrixSvg(`${name}.b [${cols}]`, bias, 1, cols, 0, 0, cell),
    matrixSvg(`∂L/∂${name}.b`, biasGrad, 1, cols, 0, 0, cell),
  ];
  let x = 0;
  const groups = items.map((it) => {
    const g = `<g transform="translate(${x},0)">${it.svg}</g>`;
    x += it.width + 16;
    return g;
  });
  const height = Math.max(...items.map((i) => i.height)) + 4;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${x} ${height}" width="${x}" height="${height}" font-family="Helvetica, sans-serif">${groups.join('')}</svg>`;
}
