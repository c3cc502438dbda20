import { formatNumber } from '@chainrule/viz';
import { VariableValue } from '../expr/build-graph';
import { ExpressionLab } from '../expr/expression-lab';
import { FormulaError } from '../expr/parser';
import { PRESETS, presetById } from '../presets';
import { downloadSvg } from './download';
import { GraphPicture } from './graph-picture';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function el(tag: string, attrs: Record<string, string> = {}, text?: string): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function parseValue(text: string): VariableValue | undefined {
  try {
    const v = JSON.parse(text.trim()) as unknown;
    const ok = (x: unknown): boolean => (typeof x === 'number' ? Number.isFinite(x) : Array.isArray(x) && x.length > 0 && x.every(ok));
    return ok(v) ? (v as VariableValue) : undefined;
  } catch {
    return undefined;
  }
}

/** Expression mode: the formula, its values, the picture, the stepper and the checks. */
export class ExpressionView {
  private lab: ExpressionLab | undefined;
  private readonly picture = new GraphPicture($('graph'));
  private values: Record<string, VariableValue> = {};
  private drawing: Promise<void> = Promise.resolve();

  constructor(private readonly onChange: (formula: string, values: Record<string, VariableValue>) => void) {
    const preset = $<HTMLSelectElement>('preset');
    for (const p of PRESETS) preset.appendChild(el('option', { value: p.id }, p.title));
    preset.addEventListener('change', () => {
      const p = presetById(preset.value);
      if (p) this.load(p.formula, p.values);
    });
    $('formula-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.load($<HTMLInputElement>('formula').value, this.values);
    });
    $('digits').addEventListener('change', () => this.load(this.lab?.built.source ?? $<HTMLInputElement>('formula').value, this.values, true));
    $('forward').addEventListener('click', () => this.move((s) => s.runForward()));
    $('backward').addEventListener('click', () => this.move((s) => s.runBackward()));
    $('step').addEventListener('click', () => this.move((s) => s.next()));
    $('step-back').addEventListener('click', () => this.move((s) => s.back()));
    $('reset').addEventListener('click', () => this.move((s) => s.reset()));
    document.addEventListener('keydown', (e) => this.key(e));
    $('graph').parentElement?.querySelector('.download')?.addEventListener('click', () => downloadSvg($('graph'), 'graph.svg'));
  }

  /** Builds `formula` with `values`, shows the finished pass (or keeps the step position when only the digits changed). */
  load(formula: string, values: Readonly<Record<string, VariableValue>>, keepPosition = false): void {
    $<HTMLInputElement>('formula').value = formula;
    const error = $('formula-error');
    const position = keepPosition ? this.lab?.stepper.position ?? 0 : undefined;
    try {
      const lab = ExpressionLab.create(formula, values, Number($<HTMLSelectElement>('digits').value));
      this.lab = lab;
      this.values = { ...lab.values };
      error.hidden = true;
      error.textContent = '';
      if (position === undefined) lab.stepper.runBackward();
      else for (let i = 0; i < position; i++) lab.stepper.next();
    } catch (e) {
      error.hidden = false;
      error.innerHTML = '';
      if (e instanceof FormulaError) {
        error.appendChild(el('div', { class: 'message', 'data-testid': 'parse-error' }, e.message));
        error.appendChild(el('pre', { class: 'pointer' }, e.pointer()));
        const input = $<HTMLInputElement>('formula');
        input.focus();
        input.setSelectionRange(e.pos, Math.min(e.pos + 1, formula.length));
      } else {
        error.appendChild(el('div', { class: 'message', 'data-testid': 'parse-error' }, e instanceof Error ? `${e.name}: ${e.message}` : String(e)));
      }
      return;
    }
    const preset = PRESETS.find((p) => p.formula === formula);
    $<HTMLSelectElement>('preset').value = preset?.id ?? '';
    $('note').textContent = preset?.note ?? '';
    this.renderValues();
    this.renderCompare(preset?.sameAs);
    this.onChange(formula, this.values);
    const lab = this.lab as ExpressionLab;
    this.drawing = this.picture.draw(lab).then(() => this.refresh(), (e) => {
      $('graph').textContent = `could not draw the graph: ${e instanceof Error ? e.message : String(e)}`;
    });
  }

  /** Resolves once the current picture is drawn (the browser test waits on it). */
  ready(): Promise<void> {
    return this.drawing;
  }

  private move(f: (s: ExpressionLab['stepper']) => unknown): void {
    if (!this.lab) return;
    f(this.lab.stepper);
    this.refresh();
  }

  private key(e: KeyboardEvent): void {
    if (document.getElementById('expression-mode')?.hidden) return;
    const target = e.target as HTMLElement | null;
    if (target && (target.tagName === 'INPUT' || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA')) return;
    const actions: Record<string, () => void> = {
      ArrowRight: () => this.move((s) => s.next()),
      ' ': () => this.move((s) => s.next()),
      ArrowLeft: () => this.move((s) => s.back()),
      r: () => this.move((s) => s.reset()),
      f: () => this.move((s) => s.runForward()),
      b: () => this.move((s) => s.runBackward()),
    };
    const act = actions[e.key];
    if (act && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      act();
    }
  }

  private renderValues(): void {
    const host = $('values');
    host.innerHTML = '';
    const lab = this.lab as ExpressionLab;
    for (const v of lab.built.variables) {
      const input = el('input', { id: `value-${v}`, size: '10', value: JSON.stringify(this.values[v]), 'aria-label': `value of ${v}` }) as HTMLInputElement;
      input.addEventListener('change', () => {
        const parsed = parseValue(input.value);
        if (parsed === undefined) {
          input.classList.add('bad');
          input.title = 'a number, or [numbers] for a vector';
          return;
        }
        input.classList.remove('bad');
        this.load(lab.built.source, { ...this.values, [v]: parsed });
      });
      const label = el('label', {}, `${v} = `);
      label.appendChild(input);
      host.appendChild(label);
    }
  }

  private renderCompare(other: string | undefined): void {
    const box = $('compare');
    const lab = this.lab as ExpressionLab;
    const p = other ? presetById(other) : undefined;
    if (!p) {
      box.hidden = true;
      return;
    }
    const twin = ExpressionLab.create(p.formula, lab.values);
    let worst = 0;
    for (const [v, g] of lab.evaluation.grads) {
      const h = twin.evaluation.grads.get(v);
      if (h) for (let i = 0; i < g.size; i++) worst = Math.max(worst, Math.abs(g.data[i] - h.data[i]));
    }
    worst = Math.max(worst, Math.abs(lab.evaluation.output.data[0] - twin.evaluation.output.data[0]));
    box.hidden = false;
    box.innerHTML = '';
    box.appendChild(el('span', { 'data-testid': 'compare' }, `Built as “${p.title}” (${p.formula}): output ${lab.format(twin.evaluation.output)}, largest difference in output and gradients ${worst.toExponential(1)}.`));
  }

  /** Redraws what depends on the step: the picture's visible numbers, the explanation, the table. */
  private refresh(): void {
    const lab = this.lab;
    if (!lab) return;
    const s = lab.stepper;
    this.picture.update(lab);
    const current = s.current;
    $('step-label').textContent = current
      ? `step ${s.position} of ${s.steps.length}: ${current.phase} through ${current.node}`
      : `step 0 of ${s.steps.length}: inputs set`;
    const explain = $('explain');
    explain.innerHTML = '';
    for (const line of lab.explain()) explain.appendChild(el('div', { class: line.startsWith('↳') ? 'branch' : 'line' }, line));
    // where a value fans out and all its shares have arrived, the sum term by term
    for (const v of lab.graph.nodes) {
      const sum = lab.fanOut(v.name);
      if (sum && s.gradShown(v.name) && current?.phase === 'backward' && s.consumersOf(v.name).includes(current.node)) {
        explain.appendChild(el('div', { class: 'branch' }, sum));
      }
    }
    this.renderTable();
  }

  private renderTable(): void {
    const lab = this.lab as ExpressionLab;
    const s = lab.stepper;
    const table = $('results');
    table.innerHTML = '';
    const head = el('tr');
    for (const h of ['node', 'gate', 'value', 'gradient ∂L/∂node', 'check']) head.appendChild(el('th', {}, h));
    table.appendChild(head);
    for (const n of lab.graph.topologicalOrder()) {
      if (n.kind === 'constant') continue;
      const row = el('tr', { 'data-node': n.name });
      if (n.name === s.current?.node) row.classList.add('current');
      row.appendChild(el('td', {}, n.name));
      row.appendChild(el('td', {}, n.kind === 'gate' ? n.gateType ?? '' : n.kind));
      row.appendChild(el('td', { 'data-testid': `value-${n.name}`, class: 'value' }, s.valueShown(n.name) ? lab.format(n.value) : ''));
      const grad = n.requiresGrad && n.grad !== undefined && s.gradShown(n.name) ? lab.format(n.grad) : '';
      row.appendChild(el('td', { 'data-testid': `grad-${n.name}`, class: 'grad' }, grad));
      const cell = el('td');
      if (n.requiresGrad) {
        const button = el('button', { 'data-testid': `check-${n.name}`, class: 'check' }, 'gradcheck');
        button.addEventListener('click', () => this.check(n.name, cell));
        cell.appendChild(button);
      }
      row.appendChild(cell);
      table.appendChild(row);
    }
  }

  private check(name: string, cell: HTMLElement): void {
    const lab = this.lab as ExpressionLab;
    const c = lab.check(name);
    const d = Number($<HTMLSelectElement>('digits').value) + 4;
    const what = c.what === 'graph' ? `∂L/∂${name} through the graph` : `${name}'s gate on its inputs`;
    cell.querySelector('.check-result')?.remove();
    cell.appendChild(
      el(
        'div',
        { class: `check-result ${c.ok ? 'ok' : 'bad'}`, 'data-testid': `check-result-${name}` },
        `${c.ok ? '✓' : '✗'} ${what}: analytic ${formatNumber(c.analytic, d)}, numeric ${formatNumber(c.numeric, d)}, relative error ${c.error.toExponential(1)}${c.checked > 1 ? ` (worst of ${c.checked})` : ''}`,
      ),
    );
  }
}
