import { ComputationalGraph } from '@chainrule/core';
import { mkdirSync, writeFileSync } from 'fs';
import { dirname } from 'path';
import { exportOnnx, ExportOptions } from './export';

/**
 * Node-only entry (`@chainrule/onnx/node`): writing files needs `fs`, which the browser path of
 * `@chainrule/onnx` must not import.
 */

/** Exports `graph` as exportOnnx does and writes the bytes to `path` (folders created as needed); returns the byte count. */
export function writeOnnx(path: string, graph: ComputationalGraph, options: ExportOptions = {}): number {
  const bytes = exportOnnx(graph, options);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  return bytes.length;
}
