import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/** A fresh temporary folder for an example's pictures. */
export function tempOut(name: string): string {
  return mkdtempSync(join(tmpdir(), `chainrule-${name}-`));
}

/** Collects what an example prints. */
export function collector(): { log: (line: string) => void; lines: string[]; text: () => string } {
  const lines: string[] = [];
  return { log: (line: string) => lines.push(line), lines, text: () => lines.join('\n') };
}

/** The text labels of an SVG (titles, axis titles, legend entries), entities decoded. */
export function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&'),
  );
}

/** Reads an SVG file and checks it is one well-formed-looking SVG document; returns its text labels. */
export function readSvg(file: string): { svg: string; texts: string[] } {
  const svg = readFileSync(file, 'utf8');
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
  expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  // every opened <g> is closed
  expect((svg.match(/<g[\s>]/g) ?? []).length).toBe((svg.match(/<\/g>/g) ?? []).length);
  return { svg, texts: svgTexts(svg) };
}
