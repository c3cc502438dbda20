import { ChainruleError, ComputationalGraph, Tensor } from '@chainrule/core';
import { AddGate, MultiplyGate } from '@chainrule/gates';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { dotToSvg, formatNumber, formatTensor, toDot, toSvg } from '../src';
import { writeGraphPicture } from '../src/node';
import { addMultiply, ComposedSigmoidGate, container } from './lecture-graphs';

/** The label of the edge `from -> to` (by node ids), split into its value and gradient lines. */
function edge(dot: string, from: string, to: string): { value: string; grad?: string } {
  const line = dot.split('\n').find((l) => l.includes(`"${from}" -> "${to}"`));
  if (!line) throw new Error(`no edge ${from} -> ${to} in\n${dot}`);
  const fonts = [...line.matchAll(/<font color="[^"]+">([^<]*)<\/font>/g)].map((m) => m[1]);
  return { value: fonts[0], grad: fonts[1] };
}

/** A strict enough XML check for Graphviz's SVG: every tag closed in order, one root <svg>. */
function checkWellFormed(xml: string): void {
  const body = xml
    .replace(/<\?xml[^?]*\?>/g, '')
    .replace(/<!DOCTYPE[^>]*>/g, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .trim();
  expect(body.startsWith('<svg')).toBe(true);
  expect(body.endsWith('</svg>')).toBe(true);
  const stack: string[] = [];
  let roots = 0;
  for (const m of body.matchAll(/<(\/?)([A-Za-z][\w:.-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>/g)) {
    const [, close, name, , selfClose] = m;
    if (close) {
      expect(stack.pop()).toBe(name);
    } else if (!selfClose) {
      if (stack.length === 0) roots++;
      stack.push(name);
    }
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
  // No stray '<' outside tags (text is escaped).
  expect(body.replace(/<(\/?)([A-Za-z][\w:.-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>/g, '')).not.toMatch(/</);
}

/** The text elements of an SVG, entities decoded, with their fill colour. */
function svgTexts(svg: string): { text: string; fill?: string }[] {
  const decode = (s: string) =>
    s
      .replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d)))
      .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&');
  return [...svg.matchAll(/<text([^>]*)>([^<]*)<\/text>/g)].map((m) => ({ text: decode(m[2]), fill: /fill="([^"]+)"/.exec(m[1])?.[1] }));
}

describe('formatNumber and formatTensor', () => {
  test('numbers are compact', () => {
    expect(formatNumber(-12.000000001)).toBe('-12');
    expect(formatNumber(3)).toBe('3');
    expect(formatNumber(0.7310585786300049)).toBe('0.7311');
    expect(formatNumber(0.7310585786300049, 2)).toBe('0.73');
    expect(formatNumber(-0.19661193324148185, 2)).toBe('-0.2');
    expect(formatNumber(-0)).toBe('0');
    expect(formatNumber(1234567)).toBe('1.235e6');
    expect(formatNumber(0.00001234)).toBe('1.234e-5');
    expect(formatNumber(123456)).toBe('123456');
    expect(formatNumber(NaN)).toBe('NaN');
    expect(formatNumber(-Infinity)).toBe('-Infinity');
  });

  test('tensors print as shape and summary, scalars as their number', () => {
    expect(formatTensor(Tensor.from(-12.000000001))).toBe('-12');
    expect(formatTensor(Tensor.from([[3, -4], [0, 0]]))).toBe('[2×2] norm 5, min -4, max 3');
    expect(formatTensor(Tensor.from([1, NaN, Infinity]))).toBe('[3] norm 1, min 1, max 1, 1 NaN, 1 Inf');
    expect(formatTensor(Tensor.from([2]))).toBe('[1] (2)');
    expect(formatTensor(Tensor.from([1, -3]), { inline: 2 })).toBe('[2] (1, -3)');
  });
});

describe('toDot', () => {
  test('the lecture graph (x + y) · z: values above, gradients below every wire', () => {
    const { g } = addMultiply();
    const dot = toDot(g);
    expect(dot.startsWith('digraph chainrule {')).toBe(true);
    expect(dot.trimEnd().endsWith('}')).toBe(true);
    // One box per gate, labelled with its kind (and its name); inputs drawn as ellipses.
    expect(dot).toMatch(/"n3" \[label=<<b>AddGate<\/b><br\/><font point-size="10">q<\/font>>, shape=box/);
    expect(dot).toMatch(/"n4" \[label=<<b>MultiplyGate<\/b><br\/><font point-size="10">f<\/font>>, shape=box/);
    for (const [id, name] of [['n0', 'x'], ['n1', 'y'], ['n2', 'z']]) {
      expect(dot).toMatch(new RegExp(`"${id}" \\[label=<<b>${name}</b>>, shape=ellipse`));
    }
    // The lecture's numbers: x = -2, y = 5, z = -4, q = 3, f = -12; gradients -4, -4, 3, q's -4, f's 1.
    expect(edge(dot, 'n0', 'n3')).toEqual({ value: '-2', grad: '-4' });
    expect(edge(dot, 'n1', 'n3')).toEqual({ value: '5', grad: '-4' });
    expect(edge(dot, 'n2', 'n4')).toEqual({ value: '-4', grad: '3' });
    expect(edge(dot, 'n3', 'n4')).toEqual({ value: '3', grad: '-4' });
    expect(edge(dot, 'n4', '__output')).toEqual({ value: '-12', grad: '1' });
    // Values and gradients in two colours.
    expect(dot).toContain('<font color="#15803d">-12</font><br/><font color="#b91c1c">1</font>');
  });

  test('before backward only values are drawn; before forward only the structure', () => {
    const g = new ComputationalGraph(container());
    const q = g.gate(AddGate, [g.input('x'), g.input('y')], { name: 'q' });
    g.gate(MultiplyGate, [q, g.input('z')], { name: 'f' });
    expect(toDot(g)).not.toContain('<font color');
    g.forward({ x: -2, y: 5, z: -4 });
    const dot = toDot(g);
    expect(edge(dot, 'n4', '__output')).toEqual({ value: '-12', grad: undefined });
    expect(dot).not.toContain('#b91c1c">');
  });

  test('parameters and constants are drawn distinct from inputs', () => {
    const g = new ComputationalGraph(container());
    const w = g.parameter('w', Tensor.from(2));
    const c = g.constant('c', 3);
    g.gate(AddGate, [g.gate(MultiplyGate, [w, g.input('x')]), c]);
    g.forward({ x: 4 });
    g.backward();
    const dot = toDot(g, { legend: true });
    expect(dot).toMatch(/"n0" \[label=<<b>w<\/b><br\/><font point-size="9">parameter<\/font>>, shape=box, style="rounded,filled", fillcolor="#fef3c7"/);
    expect(dot).toMatch(/"n1" \[label=<<b>c<\/b><br\/><font point-size="9">constant<\/font>>, shape=octagon/);
    expect(dot).toMatch(/"n2" \[label=<<b>x<\/b>>, shape=ellipse/);
    // A gate with the default name shows its kind only; a constant's edge has a value and no gradient.
    expect(dot).toContain('[label=<<b>MultiplyGate</b>>, shape=box');
    expect(edge(dot, 'n1', 'n4')).toEqual({ value: '3', grad: undefined });
    expect(edge(dot, 'n0', 'n3')).toEqual({ value: '2', grad: '4' });
    expect(dot).toContain('>parameter</td>');
  });

  test('at a branch each edge carries its own share and the node shows their sum', () => {
    const g = new ComputationalGraph(container());
    const x = g.input('x');
    const sq = g.gate(MultiplyGate, [x, x], { name: 'sq' });
    g.gate(AddGate, [sq, x], { name: 'out' });
    g.forward({ x: 3 });
    g.backward();
    const dot = toDot(g);
    expect(dot).toContain('Σ 7');
    expect(dot.split('\n').filter((l) => l.includes('"n0" -> "n1"')).map((l) => l.includes('>3</font>'))).toEqual([true, true]);
    expect(edge(dot, 'n0', 'n2')).toEqual({ value: '3', grad: '1' });
    // 'node' puts the whole gradient on every edge.
    expect(edge(toDot(g, { edgeGradients: 'node' }), 'n0', 'n2')).toEqual({ value: '3', grad: '7' });
  });

  test('tensors show their shape and a summary, not all their numbers', () => {
    const g = new ComputationalGraph(container());
    const b = g.parameter('b', Tensor.from([[1, 2, 3]]));
    g.gate(AddGate, [g.input('a'), b], { name: 'h' });
    g.forward({ a: [[1, -1, 0.5], [2, 2, 2]] });
    g.backward({ seed: Tensor.ones([2, 3]) });
    const dot = toDot(g);
    // b (n0) was broadcast over the batch, so its gradient is summed over it.
    expect(edge(dot, 'n1', 'n2')).toEqual({ value: '[2×3] norm 3.775, min -1, max 2', grad: '[2×3] norm 2.449, min 1, max 1' });
    expect(edge(dot, 'n0', 'n2')).toEqual({ value: '[1×3] norm 3.742, min 1, max 3', grad: '[1×3] norm 3.464, min 2, max 2' });
  });

  test('composite gates are clusters holding their nodes, or one box when collapsed', () => {
    const g = new ComputationalGraph(container());
    const s = g.gate(ComposedSigmoidGate, [g.input('x')], { name: 'sig' });
    g.gate(MultiplyGate, [s, g.input('k')], { name: 'out' });
    g.forward({ x: 1, k: 2 });
    g.backward();
    const dot = toDot(g);
    // The composite expanded into the graph (nodes n1..n4, named sig/...): a cluster labelled with it.
    expect(dot).toContain('subgraph "cluster_g0" {');
    expect(dot).toContain('<b>ComposedSigmoidGate sig</b>');
    for (const kind of ['NegateGate', 'ExpGate', 'AddConstantGate', 'ReciprocalGate']) expect(dot).toContain(`<b>${kind}</b>`);
    expect(dot).toContain('c=1');
    // The outer input runs straight into the composite's first gate; its gradient is σ(1)(1 − σ(1))·k = 0.3932.
    expect(edge(dot, 'n0', 'n1')).toEqual({ value: '1', grad: '0.3932' });
    // Inside: exp(-1) = 0.3679 runs into +1; the composite's output runs out to the outer gate.
    expect(edge(dot, 'n2', 'n3')).toEqual({ value: '0.3679', grad: '-1.069' });
    expect(edge(dot, 'n4', 'n6')).toEqual({ value: '0.7311', grad: '2' });

    for (const collapse of [true, ['sig'], ['ComposedSigmoidGate']] as const) {
      const flat = toDot(g, { collapse });
      expect(flat).not.toContain('cluster_');
      expect(flat).toContain('(composite)');
      expect(flat).not.toContain('"n1"');
      expect(edge(flat, 'n0', 'g0')).toEqual({ value: '1', grad: '0.3932' });
      expect(edge(flat, 'g0', 'n6')).toEqual({ value: '0.7311', grad: '2' });
    }
  });

  test('names and labels are escaped', () => {
    const g = new ComputationalGraph(container());
    g.gate(AddGate, [g.input('a<b>&"c"'), g.input('d')], { name: '1/x "q"' });
    g.forward({ 'a<b>&"c"': 1, d: 2 });
    const dot = toDot(g, { title: 'x < y & z' });
    expect(dot).toContain('<b>a&lt;b&gt;&amp;&quot;c&quot;</b>');
    expect(dot).toContain('x &lt; y &amp; z');
    expect(dot).toContain('[label="1/x \\"q\\"", shape=plaintext');
  });
});

describe('toSvg and writeGraphPicture', () => {
  test('the lecture graph renders to well-formed SVG with its labels', async () => {
    const { g } = addMultiply();
    const svg = await toSvg(g, { title: 'f = (x + y) · z' });
    expect(svg.startsWith('<?xml') || svg.startsWith('<svg')).toBe(true);
    checkWellFormed(svg);
    const texts = svgTexts(svg);
    for (const label of ['AddGate', 'MultiplyGate', 'x', 'y', 'z', 'q', 'f']) expect(texts.map((t) => t.text)).toContain(label);
    const values = texts.filter((t) => t.fill === '#15803d').map((t) => t.text);
    const grads = texts.filter((t) => t.fill === '#b91c1c').map((t) => t.text);
    expect(values.sort()).toEqual(['-12', '-2', '-4', '3', '5'].sort());
    expect(grads.sort()).toEqual(['-4', '-4', '-4', '1', '3'].sort());
  });

  test('composites and tensors render too', async () => {
    const g = new ComputationalGraph(container());
    g.gate(ComposedSigmoidGate, [g.input('x')], { name: 'sig' });
    g.forward({ x: [[1, 2], [3, 4]] });
    g.backward({ seed: Tensor.ones([2, 2]) });
    const svg = await toSvg(g, { legend: true });
    checkWellFormed(svg);
    const texts = svgTexts(svg).map((t) => t.text);
    expect(texts).toContain('ComposedSigmoidGate sig');
    expect(texts.some((t) => t.startsWith('[2×2] norm'))).toBe(true);
  });

  test('DOT that Graphviz rejects is a ChainruleError', async () => {
    await expect(dotToSvg('digraph { a -> }')).rejects.toThrow(ChainruleError);
    await expect(dotToSvg('digraph { a -> b }')).resolves.toContain('</svg>');
  });

  test('writeGraphPicture writes the .dot and .svg files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chainrule-viz-'));
    try {
      const { g } = addMultiply();
      const files = await writeGraphPicture(g, join(dir, 'pictures', 'add-multiply'));
      expect(files).toEqual({ dot: join(dir, 'pictures', 'add-multiply.dot'), svg: join(dir, 'pictures', 'add-multiply.svg') });
      expect(existsSync(files.dot) && existsSync(files.svg)).toBe(true);
      expect(readFileSync(files.dot, 'utf8')).toBe(toDot(g));
      checkWellFormed(readFileSync(files.svg, 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
