import { ComputationalGraph, GraphNode, Tensor } from '@chainrule/core';
import { analyzeBackward, BackwardAnalysis, safeOutput } from './analysis';
import { innerGraph, isComposite } from './composite';
import { formatNumber, formatTensor, gateClassName, hasDefaultName, NumberFormat } from './format';

/** How toDot / toSvg draw a graph. */
export interface DotOptions extends NumberFormat {
  /** Layout direction: 'LR' (default, inputs on the left as in the lecture slides) or 'TB'. */
  rankdir?: 'LR' | 'TB' | 'RL' | 'BT';
  /** Draw the gradient under each value once a backward has run (default true). */
  gradients?: boolean;
  /**
   * Which gradient an edge shows. 'edge' (default): what the consuming gate sent back along that
   * edge, so at a branch each outgoing edge shows its own share and the node shows their sum (Σ).
   * 'node': the source node's whole gradient on every edge. 'edge' falls back to 'node' when the
   * shares do not add up to the graph's gradients (see BackwardAnalysis.consistent).
   */
  edgeGradients?: 'edge' | 'node';
  /**
   * Composite gates to draw as one box instead of a cluster holding their subgraph:
   * true for all, or node names / gate types. Default: none (every composite is expanded).
   */
  collapse?: boolean | readonly string[];
  /** Colour of forward values (default dark green, as on the slides). */
  valueColor?: string;
  /** Colour of gradients (default dark red, as on the slides). */
  gradColor?: string;
  /** A title drawn above the graph. */
  title?: string;
  /** Label of the terminal node the output wire runs into (default: the output node's name). */
  outputLabel?: string;
  /** Draw a small legend of node kinds and colours (default false). */
  legend?: boolean;
}

interface Ctx {
  opts: Required<Pick<DotOptions, 'digits' | 'inline' | 'gradients' | 'edgeGradients' | 'valueColor' | 'gradColor'>> & DotOptions;
  lines: string[];
}

const NODE_STYLE: Record<string, string> = {
  input: 'shape=ellipse, style=filled, fillcolor="#dbeafe", color="#1d4ed8"',
  parameter: 'shape=box, style="rounded,filled", fillcolor="#fef3c7", color="#b45309", penwidth=1.5',
  constant: 'shape=octagon, style=filled, fillcolor="#e5e7eb", color="#4b5563"',
  gate: 'shape=box, style=filled, fillcolor="#ffffff", color="#111827"',
  composite: 'shape=box, style=filled, fillcolor="#ede9fe", color="#6d28d9", peripheries=2',
  port: 'shape=plaintext, fontsize=9, fontcolor="#6d28d9"',
  output: 'shape=plaintext, fontsize=12',
};

/** Escapes text for a Graphviz HTML-like label. */
function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Escapes text for a quoted DOT string. */
function q(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function optionText(node: GraphNode, digits: number): string {
  if (!node.options) return '';
  const parts = Object.entries(node.options).map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v, digits) : JSON.stringify(v)}`);
  return parts.join(', ');
}

function nodeLabel(node: GraphNode, ctx: Ctx, branchGrad: Tensor | undefined, composite: boolean): string {
  const rows: string[] = [];
  if (node.kind === 'gate') {
    rows.push(`<b>${esc(node.gateType ?? gateClassName(node))}</b>`);
    if (!hasDefaultName(node)) rows.push(`<font point-size="10">${esc(node.name)}</font>`);
    const o = optionText(node, ctx.opts.digits);
    if (o) rows.push(`<font point-size="9">${esc(o)}</font>`);
    if (composite) rows.push('<font point-size="9">(composite)</font>');
  } else {
    rows.push(`<b>${esc(node.name)}</b>`);
    if (node.kind !== 'input') rows.push(`<font point-size="9">${node.kind}</font>`);
  }
  if (branchGrad !== undefined) {
    rows.push(`<font point-size="9" color="${ctx.opts.gradColor}">Σ ${esc(formatTensor(branchGrad, ctx.opts))}</font>`);
  }
  return `<${rows.join('<br/>')}>`;
}

function edgeLabel(value: Tensor | undefined, grad: Tensor | undefined, ctx: Ctx): string | undefined {
  if (value === undefined && grad === undefined) return undefined;
  const rows: string[] = [];
  rows.push(`<font color="${ctx.opts.valueColor}">${esc(formatTensor(value, ctx.opts))}</font>`);
  if (grad !== undefined && ctx.opts.gradients) rows.push(`<font color="${ctx.opts.gradColor}">${esc(formatTensor(grad, ctx.opts))}</font>`);
  return `<${rows.join('<br/>')}>`;
}

function isCollapsed(node: GraphNode, collapse: DotOptions['collapse']): boolean {
  if (collapse === true) return true;
  if (!collapse) return false;
  return collapse.includes(node.name) || (node.gateType !== undefined && collapse.includes(node.gateType)) || collapse.includes(gateClassName(node));
}

/**
 * Emits one graph's nodes and edges; `prefix` keeps ids unique across nested composites (whose
 * input nodes are drawn as small port nodes). Returns, for every node, the DOT id that edges leaving
 * it start from (for an expanded composite: its subgraph's output node).
 */
function emitGraph(graph: ComputationalGraph, prefix: string, indent: string, ctx: Ctx): Map<GraphNode, string> {
  const order = graph.topologicalOrder();
  const analysis: BackwardAnalysis | undefined = ctx.opts.gradients ? analyzeBackward(graph) : undefined;
  const perEdge = ctx.opts.edgeGradients === 'edge' && analysis?.consistent === true;
  if (analysis?.hasGradients && !analysis.consistent && ctx.opts.edgeGradients === 'edge') {
    ctx.lines.push(`${indent}// edge gradients: re-running the gates did not reproduce the gradient of '${analysis.mismatch ?? '?'}', so edges show node gradients`);
  }
  const ids = new Map<GraphNode, string>();
  // Ids of the nodes consumers draw their edges from (a composite's output node inside its cluster).
  const sources = new Map<GraphNode, string>();
  for (const node of order) {
    const id = `${prefix}n${node.id}`;
    ids.set(node, id);
    const uses = analysis?.consumers.get(node)?.length ?? 0;
    const branch = perEdge && uses > 1 && node.grad !== undefined ? node.grad : undefined;
    const sub = isCollapsed(node, ctx.opts.collapse) ? undefined : innerGraph(node);
    if (sub) {
      const kind = node.gateType ?? gateClassName(node);
      const title = hasDefaultName(node) ? kind : `${kind} ${node.name}`;
      ctx.lines.push(`${indent}subgraph ${q(`cluster_${id}`)} {`);
      const sum = branch === undefined ? '' : `<br/><font point-size="9" color="${ctx.opts.gradColor}">Σ ${esc(formatTensor(branch, ctx.opts))}</font>`;
      ctx.lines.push(`${indent}  label=<<b>${esc(title)}</b>${sum}>; style="rounded,dashed"; color="#6d28d9"; fontcolor="#6d28d9";`);
      // The subgraph's input nodes become small port nodes inside the cluster.
      const innerIds = emitGraph(sub, `${id}_`, `${indent}  `, ctx);
      ctx.lines.push(`${indent}}`);
      // Outer inputs run into the subgraph's input ports.
      node.inputNodes.forEach((input, j) => {
        const port = innerIds.get(sub.inputs[j]);
        if (port === undefined) return;
        const grad = perEdge ? analysis?.gates.get(node)?.contributions[j] : input.grad;
        emitEdge(sources.get(input) ?? (ids.get(input) as string), port, input.value, input.grad === undefined ? undefined : grad, `${indent}`, ctx);
      });
      const innerOut = safeOutput(sub);
      sources.set(node, innerOut ? (innerIds.get(innerOut) as string) : id);
      continue;
    }
    let style: string;
    if (node.kind === 'gate') style = isComposite(node) ? NODE_STYLE.composite : NODE_STYLE.gate;
    else if (node.kind === 'input' && prefix !== '') style = NODE_STYLE.port; // a composite's input: a port
    else style = NODE_STYLE[node.kind];
    const tooltip = node.kind === 'gate' ? `${node.name} (${node.gateType})` : `${node.kind} '${node.name}'`;
    ctx.lines.push(`${indent}${q(id)} [label=${nodeLabel(node, ctx, branch, isComposite(node))}, ${style}, tooltip=${q(tooltip)}];`);
    sources.set(node, id);
    if (node.kind !== 'gate') continue;
    node.inputNodes.forEach((input, j) => {
      const grad = perEdge ? analysis?.gates.get(node)?.contributions[j] : input.grad;
      emitEdge(sources.get(input) as string, id, input.value, input.grad === undefined ? undefined : grad, indent, ctx);
    });
  }
  const result = new Map<GraphNode, string>();
  for (const node of order) result.set(node, sources.get(node) as string);
  return result;
}

function emitEdge(from: string, to: string, value: Tensor | undefined, grad: Tensor | undefined, indent: string, ctx: Ctx): void {
  const label = edgeLabel(value, grad, ctx);
  ctx.lines.push(`${indent}${q(from)} -> ${q(to)}${label ? ` [label=${label}]` : ''};`);
}

/**
 * The graph as Graphviz DOT, drawn as in the lecture slides: one box per gate labelled with its
 * kind (and its name, unless it kept the default one), inputs as blue ellipses, parameters as
 * amber rounded boxes, constants as grey octagons, and every wire labelled with its forward value
 * (green, above) and, after backward, its gradient (red, below). The output wire runs into a
 * terminal node and carries the output's value and the seed (1 for a scalar loss). Tensors print
 * as shape and summary (`[4×3] norm 2.5, min -1, max 2`), scalars as compact numbers (-12).
 * Composite gates are clusters holding their subgraph, or single boxes with `collapse`.
 *
 * Call it after forward (values) and backward (gradients); before, it draws the bare structure.
 * Edge gradients come from re-applying each gate's backward to its node's gradient (see
 * `edgeGradients`); node values and gradients of the graph are left as they were.
 */
export function toDot(graph: ComputationalGraph, options: DotOptions = {}): string {
  const ctx: Ctx = {
    opts: {
      ...options,
      digits: options.digits ?? 4,
      inline: options.inline ?? 1,
      gradients: options.gradients ?? true,
      edgeGradients: options.edgeGradients ?? 'edge',
      valueColor: options.valueColor ?? '#15803d',
      gradColor: options.gradColor ?? '#b91c1c',
    },
    lines: [],
  };
  const lines = ctx.lines;
  lines.push('digraph chainrule {');
  lines.push(`  rankdir=${options.rankdir ?? 'LR'};`);
  lines.push('  graph [fontname="Helvetica", nodesep=0.4, ranksep=0.7];');
  lines.push('  node [fontname="Helvetica", fontsize=12, margin="0.12,0.06"];');
  lines.push('  edge [fontname="Helvetica", fontsize=10, color="#374151", arrowsize=0.7];');
  const headerEnd = lines.length;
  let legend = '';
  const ids = emitGraph(graph, '', '  ', ctx);
  const out = safeOutput(graph);
  if (out) {
    const outId = ids.get(out) as string;
    const label = options.outputLabel ?? out.name;
    lines.push(`  "__output" [label=${q(label)}, ${NODE_STYLE.output}, tooltip="the graph's output"];`);
    emitEdge(outId, '__output', out.value, out.grad, '  ', ctx);
  }
  if (options.legend) {
    const cell = (text: string, bg: string, border: string) => `<td bgcolor="${bg}" color="${border}" border="1" cellpadding="3">${text}</td>`;
    legend =
      '<table border="0" cellspacing="4" cellborder="0"><tr>' +
      cell('input', '#dbeafe', '#1d4ed8') +
      cell('parameter', '#fef3c7', '#b45309') +
      cell('constant', '#e5e7eb', '#4b5563') +
      cell('<b>gate</b>', '#ffffff', '#111827') +
      cell('composite', '#ede9fe', '#6d28d9') +
      `<td><font color="${ctx.opts.valueColor}">forward value</font><br/><font color="${ctx.opts.gradColor}">gradient</font></td>` +
      '</tr></table>';
  }
  if (options.title || legend) {
    // Title and legend go in the graph's label, which takes no part in the layout.
    const rows = [options.title ? `<tr><td><b>${esc(options.title)}</b></td></tr>` : '', legend ? `<tr><td>${legend}</td></tr>` : ''].join('');
    lines.splice(headerEnd, 0, `  labelloc=t; fontsize=14; label=<<table border="0" cellborder="0">${rows}</table>>;`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
