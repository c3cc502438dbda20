// @chainrule/viz/node: the Node-only part of viz (file output). Kept out of the main entry so that a
// browser bundle of @chainrule/viz never reaches `fs` or `path`.
import { ComputationalGraph } from '@chainrule/core';
import { mkdir, writeFile } from 'fs/promises';
import { dirname } from 'path';
import { DotOptions, toDot } from './dot';
import { dotToSvg } from './svg';

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
