// About 300 lines: the four public save/load entry points and the rebuild they share; the format,
// its schema, integrity check and tensor codec each live in their own saved-*/tensor-codec file.
import { Container } from 'inversify';
import { GateRegistry } from './container';
import { ChainruleError } from './errors';
import { ComputationalGraph, GateGroup, GraphNode, InputOptions } from './graph';
import { withAllocationBudget } from './allocation-budget';
import { assertGraph } from './arguments';
import { DEFAULT_MAX_DEPTH, FORMAT_NAME, FORMAT_VERSION, LoadOptions, loadLimits, parseSaved, SavedGraphDescription, SavedModel, SavedNode } from './saved-format';
import { documentChecksum } from './saved-integrity';
import { checkPlainJson, encodeValue } from './saved-values';
import { describeArgument, formatShape, shapesEqual, sizeOf } from './shape';
import { Tensor } from './tensor';
import { decodeTensor, encodeTensor, nameMap, SavedTensor, SerializationError } from './tensor-codec';

export * from './saved-format';
export { documentChecksum } from './saved-integrity';
export { crc32, decodeTensor, encodeTensor, SerializationError } from './tensor-codec';
export type { SavedTensor } from './tensor-codec';

/**
 * Saving and loading graphs, parameters and training state. A graph is saved as its nodes, a
 * composite gate as one node (its registered name and options: loading expands it again), with
 * every parameter by qualified name (`fc1/W`). Loading validates everything before it writes
 * anything: a file that fails leaves the target as it was.
 */

export interface SaveOptions {
  /** Optimizer state (opaque to core; e.g. `optimizer.state()`). */
  optimizer?: unknown;
  /** Training history (opaque; e.g. `trainer.history`). */
  history?: unknown;
  /** Anything else worth keeping with the model. */
  metadata?: unknown;
  /** Indent the JSON (default: compact). */
  space?: number;
}

export interface LoadParametersOptions extends LoadOptions {
  /**
   * Default true: the file must hold exactly the graph's parameters. With false, parameters missing
   * from the file keep their values and extra ones in the file are ignored (shapes must still match).
   */
  strict?: boolean;
}

/** Saves the graph's description, every parameter value and, optionally, optimizer state and history. */
export function saveGraph(graph: ComputationalGraph, options: SaveOptions = {}): string {
  assertGraph(graph, 'saveGraph', SerializationError);
  return seal({ format: FORMAT_NAME, version: FORMAT_VERSION, graph: describeGraph(graph), parameters: saveParameterMap(graph) }, options);
}

/** Saves only the parameter values (and optional extras), for loadParameters into a graph built by code. */
export function saveParameters(graph: ComputationalGraph, options: SaveOptions = {}): string {
  assertGraph(graph, 'saveParameters', SerializationError);
  return seal({ format: FORMAT_NAME, version: FORMAT_VERSION, parameters: saveParameterMap(graph) }, options);
}

/**
 * Rebuilds a saved graph, finding every gate by its registered name in the container's gate
 * registry (so custom gates load once registered, and nothing else can be created), and restores
 * every parameter. Fails with SerializationError before building anything when a name is unknown.
 */
export function loadGraph(json: string | object, container: Container, options: LoadOptions = {}): ComputationalGraph {
  if (!(container instanceof Container)) throw new SerializationError(`loadGraph: expected the inversify Container that registers the gates (e.g. createGatesContainer()), got ${describeArgument(container)}`);
  const { maxElements } = loadLimits(options);
  const model = parseSaved(json, options);
  const desc = model.graph;
  if (!desc) throw new SerializationError('loadGraph: the file holds parameters only (written by saveParameters); build the graph in code and use loadParameters');
  const registry = GateRegistry.of(container);
  const unknown = desc.nodes.filter((n): n is Extract<SavedNode, { kind: 'gate' }> => n.kind === 'gate' && registry.classOf(n.gate) === undefined);
  if (unknown.length > 0) {
    throw new SerializationError(
      `loadGraph: ${unknown.map((n) => `node '${n.name}' uses gate '${n.gate}'`).join(', ')}, not registered in the container ` +
        `(registered: ${registry.names().join(', ') || 'none'}); register ${unknown.length === 1 ? 'it' : 'them'} (gatesModule, bindGate) before loading`,
    );
  }
  const graph = new ComputationalGraph(container, desc.options);
  for (const n of desc.nodes) {
    try {
      switch (n.kind) {
        case 'input': {
          const spec: InputOptions = {};
          if (n.shape) spec.shape = n.shape;
          if (n.dtype) spec.dtype = n.dtype;
          if (n.requiresGrad !== undefined) spec.requiresGrad = n.requiresGrad;
          graph.input(n.name, spec);
          break;
        }
        case 'parameter': {
          const node = graph.parameter(n.name, decodeTensor(model.parameters[n.name], `parameter '${n.name}'`));
          if (n.requiresGrad !== undefined) node.requiresGrad = n.requiresGrad;
          break;
        }
        case 'constant':
          graph.constant(n.name, decodeTensor(n.value, `constant '${n.name}'`));
          break;
        case 'gate':
          buildWithinBudget(n, model, maxElements, () => graph.gate(n.gate, n.inputs, n.options === undefined ? { name: n.name } : { name: n.name, options: n.options }));
          break;
      }
    } catch (e) {
      throw wrap(e, `loadGraph: rebuilding ${n.kind} '${n.name}'`);
    }
  }
  if (desc.output !== undefined) graph.setOutput(desc.output);
  try {
    graph.topologicalOrder();
  } catch (e) {
    throw wrap(e, 'loadGraph: the saved graph does not sort');
  }
  // Composite gates built their own parameters fresh: overwrite them with the saved values.
  applyParameters(graph, model, { strict: true }, 'loadGraph');
  return graph;
}

/**
 * Restores saved parameter values into an existing graph, in place (optimizers holding the tensors
 * keep working). Validates every name, shape, dtype and checksum first: on failure nothing is written.
 */
export function loadParameters(graph: ComputationalGraph, json: string | object, options: LoadParametersOptions = {}): SavedModel {
  assertGraph(graph, 'loadParameters', SerializationError);
  const model = parseSaved(json, options);
  applyParameters(graph, model, options, 'loadParameters');
  return model;
}

/** Every parameter of the graph by name: its own, `fc1/W` for one a composite gate added. */
export function namedParameters(graph: ComputationalGraph): Map<string, GraphNode> {
  assertGraph(graph, 'namedParameters', SerializationError);
  const out = new Map<string, GraphNode>();
  for (const n of graph.parameters()) out.set(n.name, n);
  return out;
}

function saveParameterMap(graph: ComputationalGraph): Record<string, SavedTensor> {
  const out = nameMap<SavedTensor>();
  for (const [name, node] of namedParameters(graph)) {
    if (!(node.value instanceof Tensor)) throw new SerializationError(`save: parameter '${name}' has no value`);
    out[name] = encodeTensor(node.value);
  }
  return out;
}

/** Adds the extras and the checksum over everything (saved-integrity.ts), which also refuses what loading would find too deep. */
function seal(body: Omit<SavedModel, 'checksum'>, options: SaveOptions): string {
  const { format, version, ...rest } = body;
  if (options.optimizer !== undefined) rest.optimizer = encodeValue(options.optimizer, 'optimizer', 1, DEFAULT_MAX_DEPTH);
  if (options.history !== undefined) rest.history = encodeValue(options.history, 'history', 1, DEFAULT_MAX_DEPTH);
  if (options.metadata !== undefined) rest.metadata = encodeValue(options.metadata, 'metadata', 1, DEFAULT_MAX_DEPTH);
  const checksum = documentChecksum({ format, version, ...rest }, DEFAULT_MAX_DEPTH, 'save');
  return JSON.stringify({ format, version, checksum, ...rest }, null, options.space);
}

/** The graph's nodes in the order they were added; a top-level composite's nodes become its one node. */
function describeGraph(graph: ComputationalGraph): SavedGraphDescription {
  const registry = GateRegistry.of(graph.container);
  const nodes: SavedNode[] = [];
  const written = new Set<GateGroup>();
  for (const n of graph.nodes) {
    if (n.group !== undefined) {
      let top = n.group;
      while (top.parent !== undefined) top = top.parent;
      if (!written.has(top)) {
        written.add(top);
        nodes.push(gateNode(registry, top.name, top.gateType, top.gate, top.inputs, top.options, `composite '${top.name}' (${top.gateType})`));
      }
      continue;
    }
    switch (n.kind) {
      case 'input': {
        const s: SavedNode = { kind: 'input', name: n.name };
        const spec = n.inputSpec ?? {};
        if (spec.shape) s.shape = spec.shape.slice();
        if (spec.dtype) s.dtype = spec.dtype;
        s.requiresGrad = n.requiresGrad;
        nodes.push(s);
        break;
      }
      case 'parameter':
        nodes.push({ kind: 'parameter', name: n.name, requiresGrad: n.requiresGrad });
        break;
      case 'constant':
        nodes.push({ kind: 'constant', name: n.name, value: encodeTensor(n.value as Tensor) });
        break;
      case 'gate':
        nodes.push(gateNode(registry, n.name, n.gateType as string, n.gate as object, n.inputRefs, n.options, n.describe()));
        break;
    }
  }
  const desc: SavedGraphDescription = { nodes, options: { finiteCheck: graph.finiteCheck, strictGates: graph.strictGates } };
  const output = graph.findOutput(); // none where the graph leaves its output ambiguous: loading finds the same
  if (output !== undefined) desc.output = savedName(output);
  return desc;
}

/** How the file names a node: a top-level composite's output by the composite's name (`fc1`), which loading gives it again. */
function savedName(node: GraphNode): string {
  let top = node.group;
  while (top?.parent !== undefined) top = top.parent;
  return top !== undefined && top.output === node ? top.name : node.name;
}

function gateNode(
  registry: GateRegistry,
  name: string,
  gateType: string,
  gate: object,
  inputs: readonly (GraphNode | string)[],
  options: Readonly<Record<string, unknown>> | undefined,
  where: string,
): SavedNode {
  const s: SavedNode = { kind: 'gate', name, gate: registeredName(registry, gateType, gate.constructor, where), inputs: inputs.map((r) => (typeof r === 'string' ? r : savedName(r))) };
  if (options !== undefined) {
    checkPlainJson(options, `save: ${where} options`, DEFAULT_MAX_DEPTH - 4); // the options sit 4 levels deep: $.graph.nodes[i].options
    s.options = JSON.parse(JSON.stringify(options)) as Record<string, unknown>;
  }
  return s;
}

/** The name the registry knows this gate's class by: its gateType when registered to that class, else any other. */
function registeredName(registry: GateRegistry, gateType: string, ctor: unknown, where: string): string {
  if (registry.classOf(gateType) === ctor) return gateType;
  const other = registry.nameOf(ctor as never);
  if (other !== undefined) return other;
  const cls = (ctor as { name?: string }).name ?? gateType;
  throw new SerializationError(
    `save: ${where}: its gate class ${cls} is not registered in the graph's container, so a saved file could not name it; ` +
      `register it with bindGate(container, ${cls}, '${cls}')`,
  );
}

function applyParameters(graph: ComputationalGraph, model: SavedModel, options: LoadParametersOptions, where: string): void {
  const strict = options.strict ?? true;
  const targets = namedParameters(graph);
  const problems: string[] = [];
  const writes: [Tensor, Tensor][] = [];
  for (const [name, node] of targets) {
    const saved = model.parameters[name];
    if (saved === undefined) {
      if (strict) problems.push(`parameter '${name}' is missing from the file`);
      continue;
    }
    const value = node.value as Tensor;
    if (!shapesEqual(saved.shape, value.shape)) {
      problems.push(`parameter '${name}' has shape ${formatShape(saved.shape)} in the file, expected ${formatShape(value.shape)}`);
      continue;
    }
    if (saved.dtype !== value.dtype) {
      problems.push(`parameter '${name}' is ${saved.dtype} in the file, expected ${value.dtype}`);
      continue;
    }
    try {
      writes.push([value, decodeTensor(saved, `parameter '${name}'`)]);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (strict) {
    for (const name of Object.keys(model.parameters)) {
      if (!targets.has(name)) problems.push(`the file has parameter '${name}', which the graph does not (graph has: ${[...targets.keys()].join(', ') || 'none'})`);
    }
  }
  if (problems.length > 0) {
    throw new SerializationError(`${where}: the file does not fit the graph, nothing was loaded: ${problems.join('; ')}`);
  }
  for (const [target, source] of writes) target.data.set(source.data);
  graph.invalidate(); // the gates' caches hold the old values: the next backward needs a new forward
}

/** Room for what a gate allocates while built besides its saved parameters (a composite's scratch constants). */
const BUILD_ALLOWANCE = 1 << 16;

/**
 * Builds one gate node allowing it to allocate only what its saved parameters (`<name>/...`) hold
 * plus BUILD_ALLOWANCE, and never more than maxElements: a composite whose options ask for more
 * (a Linear of 6000×6000 saved with 2×8 weights) is refused before it allocates or initialises them,
 * since it could only fail later when its parameters did not fit the file's.
 */
function buildWithinBudget(n: Extract<SavedNode, { kind: 'gate' }>, model: SavedModel, maxElements: number, build: () => void): void {
  let saved = 0;
  for (const name of Object.keys(model.parameters)) if (name.startsWith(`${n.name}/`)) saved += sizeOf(model.parameters[name].shape);
  const limit = Math.min(maxElements, saved + BUILD_ALLOWANCE);
  const refuse = (requested: number, left: number): SerializationError =>
    new SerializationError(
      `loadGraph: gate node '${n.name}' (${n.gate}) with options ${JSON.stringify(n.options ?? {})} asked to allocate ${requested} values, ` +
        `more than the ${left} left of its budget (${saved} in its saved parameters + ${BUILD_ALLOWANCE}, at most maxElements ${maxElements}): ` +
        `its options do not match its saved parameters; nothing was allocated`,
    );
  withAllocationBudget(limit, refuse, build);
}

function wrap(e: unknown, where: string): SerializationError {
  if (e instanceof SerializationError) return e;
  const err = new SerializationError(`${where}: ${(e as Error)?.message ?? String(e)}`);
  (err as Error & { cause?: unknown }).cause = e;
  if (e instanceof ChainruleError) {
    err.node = e.node;
    err.gate = e.gate;
  }
  return err;
}
