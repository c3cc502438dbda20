import { ComputationalGraph, InvalidArgumentError } from '@chainrule/core';
import { instance, Viz } from '@viz-js/viz';
import { mkdir, writeFile } from 'fs/promises';
import { dirname } from 'path';
import { DotOptions, toDot } from './dot';

let vizInstance: Promise<Viz> | undefined;

/** The WebAssembly Graphviz, started once per process and reused. */
function viz(): Promise<Viz> {
  if (!vizInstance) {
    vizInstance = instance();
    vizInstance.catch(() => {
      vizInstance = undefined; // let a later call try again
    });
  }
  return vizInstance;
}

/** Renders DOT text to SVG with the WebAssembly Graphviz bundled by @viz-js/viz (no system Graphviz needed). */
export async function dotToSvg(dot: string): Promise<string> {
  const v = await viz();
  try {
    return v.renderString(dot, { format: 'svg', engine: 'dot' });
  } catch (e) {
    throw new InvalidArgumentError(`dotToSvg: Graphviz could not render the DOT text: ${(e as Error)?.message ?? String(e)}`);
  }
}

/** The graph picture of `toDot` rendered to SVG in-process. */
export async function toSvg(graph: ComputationalGraph, options: DotOptions = {}): Promise<string> {
  return dotToSvg(toDot(graph, options));
}

/** Where writeGraphPicture put the two files. */
export interface GraphPictureFiles {
  dot: string;
  svg: string;
}

/**
 * Writes the graph picture next to each other as `<path>.dot` and `<path>.svg` (creating the
 * folder if needed) and returns the two paths. The DOT is built once, so both files show the
 * same values and gradients.
 */
export async function writeGraphPicture(graph: ComputationalGraph, pathWithoutExtension: string, options: DotOptions = {}): Promise<GraphPictureFiles> {
  const dot = toDot(graph, options);
  const svg = await dotToSvg(dot);
  const files = { dot: `${pathWithoutExtension}.dot`, svg: `${pathWithoutExtension}.svg` };
  await mkdir(dirname(files.dot), { recursive: true });
  await writeFile(files.dot, dot, 'utf8');
  await writeFile(files.svg, svg, 'utf8');
  return files;
}
