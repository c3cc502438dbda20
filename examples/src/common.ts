import { join } from 'path';

/** What every example of this package takes: where its pictures go and where its lines are printed. */
export interface ExampleOptions {
  /** Folder for the example's pictures (created when needed); default `out/<example>`. */
  outDir?: string;
  /** Where the example prints what it shows; default console.log. Pass `() => {}` to keep tests quiet. */
  log?: (line: string) => void;
  /** The seed of every random choice the example makes. */
  seed?: number;
}

export function outDirFor(name: string, options: ExampleOptions): string {
  return options.outDir ?? join('out', name);
}

export function loggerFor(options: ExampleOptions): (line: string) => void {
  return options.log ?? ((line: string) => console.log(line));
}

/** `12.3%` */
export function percent(fraction: number, digits = 1): string {
  return `${(100 * fraction).toFixed(digits)}%`;
}

/** Right-pads for aligned tables in the console. */
export function pad(s: string | number, width: number): string {
  const text = String(s);
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}
