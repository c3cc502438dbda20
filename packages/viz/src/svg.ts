import { ComputationalGraph, InvalidArgumentError } from '@chainrule/core';
import { instance, Viz } from '@viz-js/viz';
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
