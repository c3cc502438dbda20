import { dotToSvg } from '@chainrule/viz';
import { ExpressionLab } from '../expr/expression-lab';

/** Graphviz's edge title `n0->n2` → the two node ids. */
function edgeEnds(title: string): [string, string] | undefined {
  const m = /^(.+)->(.+)$/.exec(title);
  return m ? [m[1], m[2]] : undefined;
}

/**
 * Draws the lab's graph with viz (toDot laid out by the WebAssembly Graphviz, left to right, values
 * in green above each wire and gradients in red below), once per build; each step then only hides
 * the numbers the pass has not reached yet and highlights the step's gate.
 */
export class GraphPicture {
  private svg: SVGSVGElement | undefined;
  private idToName = new Map<string, string>();

  constructor(private readonly host: HTMLElement) {}

  async draw(lab: ExpressionLab): Promise<void> {
    const text = await dotToSvg(lab.dot());
    this.host.innerHTML = text;
    this.svg = this.host.querySelector('svg') ?? undefined;
    this.idToName = new Map(lab.graph.nodes.map((n) => [`n${n.id}`, n.name]));
    this.idToName.set('__output', '__output');
    if (!this.svg) return;
    this.svg.removeAttribute('width');
    this.svg.removeAttribute('height');
    // Full-precision numbers on hover: Graphviz shows an edge's <title> as its tooltip.
    for (const edge of Array.from(this.svg.querySelectorAll('g.edge'))) {
      const title = edge.querySelector('title');
      const ends = title ? edgeEnds(title.textContent ?? '') : undefined;
      if (!title || !ends) continue;
      const from = lab.graph.node(this.idToName.get(ends[0]) as string);
      const to = this.idToName.get(ends[1]);
      edge.setAttribute('data-from', from.name);
      edge.setAttribute('data-to', to ?? '');
      const value = from.value ? Array.from(from.value.data).join(', ') : '?';
      const grad = from.grad ? Array.from(from.grad.data).join(', ') : '—';
      title.textContent = `${from.name} → ${to === '__output' ? 'output' : to}: value ${value}; ∂L/∂${from.name} ${grad}`;
    }
    for (const node of Array.from(this.svg.querySelectorAll('g.node'))) {
      const id = node.querySelector('title')?.textContent ?? '';
      const name = this.idToName.get(id);
      if (name) node.setAttribute('data-node', name);
    }
  }

  /** Shows what the stepper has reached: values of computed nodes, gradients of gates that sent them back. */
  update(lab: ExpressionLab): void {
    if (!this.svg) return;
    const s = lab.stepper;
    const output = lab.graph.output.name;
    for (const edge of Array.from(this.svg.querySelectorAll<SVGGElement>('g.edge'))) {
      const from = edge.getAttribute('data-from');
      const to = edge.getAttribute('data-to');
      if (!from || !to) continue;
      const valueShown = s.valueShown(from);
      const gradShown = to === '__output' ? s.gradShown(output) : s.sentBack(to);
      for (const text of Array.from(edge.querySelectorAll('text'))) {
        const isGrad = (text.getAttribute('fill') ?? '').toLowerCase() === '#b91c1c';
        text.style.visibility = (isGrad ? gradShown : valueShown) ? 'visible' : 'hidden';
      }
    }
    const current = s.current?.node;
    for (const node of Array.from(this.svg.querySelectorAll<SVGGElement>('g.node'))) {
      const name = node.getAttribute('data-node');
      node.classList.toggle('current', name !== undefined && name === current);
      node.classList.toggle('backward', name === current && s.current?.phase === 'backward');
      // the Σ of a value that fans out: shown once every share has arrived
      for (const text of Array.from(node.querySelectorAll('text'))) {
        if ((text.getAttribute('fill') ?? '').toLowerCase() === '#b91c1c') text.style.visibility = name && s.gradShown(name) ? 'visible' : 'hidden';
      }
    }
  }
}
