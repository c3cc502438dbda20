import { assertGraph, assertOptions, ComputationalGraph, GateGroup, GraphNode, Tensor } from '@chainrule/core';
import { analyzeBackward, BackwardAnalysis, safeOutput } from './analysis';
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
   * Composite gates to draw as one box instead of a cluster holding their nodes:
   * true for all, or composite names / gate types. Default: none (every composite is expanded).
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

function nodeLabel(node: GraphNode, ctx: Ctx, branchGrad: Tensor | undefined): string {
  const rows: string[] = [];
  if (node.kind === 'gate') {
    rows.push(`<b>${esc(node.gateType ?? gateClassName(node))}</b>`);
    if (!hasDefaultName(node)) rows.push(`<font point-size="10">${esc(node.name)}</font>`);
    const o = optionText(node, ctx.opts.digits);
    if (o) rows.push(`<font point-size="9">${esc(o)}</font>`);
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

function isCollapsed(group: GateGroup, collapse: DotOptions['collapse']): boolean {
  if (collapse === true) return true;
  if (!collapse) return false;
  return collapse.includes(group.name) || collapse.includes(group.gateType) || collapse.includes(group.gate.constructor.name);
}

function groupLabel(group: GateGroup, ctx: Ctx, composite: boolean): string {
  const local = group.name.slice(group.name.lastIndexOf('/') + 1);
  const rows = [`<b>${esc(composite ? group.gateType : `${group.gateType} ${local}`)}</b>`];
  if (composite) rows.push(`<font point-size="10">${esc(local)}</font>`);
  const o = group.options ? Object.entries(group.options).map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v, ctx.opts.digits) : JSON.stringify(v)}`).join(', ') : '';
  if (o) rows.push(`<font point-size="9">${esc(o)}</font>`);
  if (composite) rows.push('<font point-size="9">(composite)</font>');
  return `<${rows.join('<br/>')}>`;
}

/**
 * Emits the graph's nodes, a composite gate's nodes inside a dashed cluster labelled with it (or,
 * collapsed, one box standing for all of them), then every edge. Returns, for every node, the DOT
 * id that edges leaving it start from (the box, for a node inside a collapsed composite).
 */
function emitGraph(graph: ComputationalGraph, ctx: Ctx): Map<GraphNode, string> {
  const order = graph.topologicalOrder();
  const analysis: BackwardAnalysis | undefined = ctx.opts.gradients ? analyzeBackward(graph) : undefined;
  const perEdge = ctx.opts.edgeGradients === 'edge' && analysis?.consistent === true;
  if (analysis?.hasGradients && !analysis.consistent && ctx.opts.edgeGradients === 'edge') {
    ctx.lines.push(`  // edge gradients: re-running the gates did not reproduce the gradient of '${analysis.mismatch ?? '?'}', so edges show node gradients`);
  }
  const groupIds = new Map<GateGroup, string>(graph.groups.map((g, i) => [g, `g${i}`]));
  /** The outermost collapsed composite a node is inside, if any. */
  const boxOf = (node: GraphNode): GateGroup | undefined => {
    let box: GateGroup | undefined;
    for (let g = node.group; g !== undefined; g = g.parent) if (isCollapsed(g, ctx.opts.collapse)) box = g;
    return box;
  };
  const ids = new Map<GraphNode, string>();
  const members = new Map<GateGroup | undefined, string[]>();
  const add = (group: GateGroup | undefined, line: string) => members.set(group, [...(members.get(group) ?? []), line]);
  const boxes = new Set<GateGroup>();
  for (const node of order) {
    const box = boxOf(node);
    if (box !== undefined) {
      ids.set(node, groupIds.get(box) as string);
      if (!boxes.has(box)) {
        boxes.add(box);
        add(box.parent, `${q(groupIds.get(box) as string)} [label=${groupLabel(box, ctx, true)}, ${NODE_STYLE.composite}, tooltip=${q(`${box.name} (${box.gateType})`)}];`);
      }
      continue;
    }
    const id = `n${node.id}`;
    ids.set(node, id);
    const uses = analysis?.consumers.get(node)?.length ?? 0;
    const branch = perEdge && uses > 1 && node.grad !== undefined ? node.grad : undefined;
    const tooltip = node.kind === 'gate' ? `${node.name} (${node.gateType})` : `${node.kind} '${node.name}'`;
    add(node.group, `${q(id)} [label=${nodeLabel(node, ctx, branch)}, ${NODE_STYLE[node.kind]}, tooltip=${q(tooltip)}];`);
  }
  const emitMembers = (group: GateGroup | undefined, indent: string): void => {
    for (const line of members.get(group) ?? []) ctx.lines.push(`${indent}${line}`);
    for (const child of graph.groups) {
      if (child.parent !== group || isCollapsed(child, ctx.opts.collapse)) continue; // a collapsed one is a box among its parent's members
      ctx.lines.push(`${indent}subgraph ${q(`cluster_${groupIds.get(child)}`)} {`);
      ctx.lines.push(`${indent}  label=${groupLabel(child, ctx, false)}; style="rounded,dashed"; color="#6d28d9"; fontcolor="#6d28d9";`);
      emitMembers(child, `${indent}  `);
      ctx.lines.push(`${indent}}`);
    }
  };
  emitMembers(undefined, '  ');
  const drawn = new Set<string>();
  for (const node of order) {
    if (node.kind !== 'gate') continue;
    const to = ids.get(node) as string;
    node.inputNodes.forEach((input, j) => {
      const from = ids.get(input) as string;
      if (from === to) return; // both inside one collapsed composite
      if (boxOf(node) !== undefined && drawn.has(`${from}->${to}`)) return; // one wire per input of a box
      drawn.add(`${from}->${to}`);
      const grad = perEdge && boxOf(node) === undefined ? analysis?.gates.get(node)?.contributions[j] : input.grad;
      emitEdge(from, to, input.value, input.grad === undefined ? undefined : grad, '  ', ctx);
    });
  }
  return ids;
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
 * A composite gate's nodes sit in a dashed cluster labelled with it, or become one box with `collapse`.
 *
 * Call it after forward (values) and backward (gradients); before, it draws the bare structure.
 * Edge gradients come from re-applying each gate's backward to its node's gradient (see
 * `edgeGradients`); node values and gradients of the graph are left as they were.
 */
export function toDot(graph: ComputationalGraph, options: DotOptions = {}): string {
  assertGraph(graph, 'toDot');
  assertOptions(options, 'toDot');
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
  const ids = emitGraph(graph, ctx);
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
