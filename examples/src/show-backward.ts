import { ComputationalGraph } from '@chainrule/core';
import { traceBackward } from '@chainrule/viz';
import { writeGraphPicture } from '@chainrule/viz/node';
import { join } from 'path';
import { ExampleOptions, loggerFor, outDirFor } from './common';

/**
 * What the lecture examples add to their numbers: the chain-rule trace of the backward pass, and
 * the graph drawn with every wire's value and gradient (DOT and SVG).
 */
export async function showBackward(
  graph: ComputationalGraph,
  example: string,
  picture: string,
  title: string,
  options: ExampleOptions,
): Promise<{ dot: string; svg: string }> {
  const log = loggerFor(options);
  log('');
  log(`backward pass, one gate at a time (${title}):`);
  for (const line of traceBackward(graph, { digits: 3 }).trimEnd().split('\n')) log(`  ${line}`);
  const files = await writeGraphPicture(graph, join(outDirFor(example, options), picture), { title });
  log(`wrote ${files.svg} (and ${files.dot}): the graph with values and, below them, gradients`);
  return files;
}
