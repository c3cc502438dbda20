import { gradcheck, gradcheckGraph, GraphNode, Tensor } from '@chainrule/core';
import { formatValues, toDot, traceBackward } from '@chainrule/viz';
import { buildFormula, BuiltFormula, evaluateFormula, Evaluation, VariableValue } from './build-graph';
import { Step, Stepper } from './stepper';
import { splitTrace, TraceSteps } from './trace-steps';

/** A node's gradient check: the analytic gradient against central differences. */
export interface NodeCheck {
  node: string;
  /** What was checked: a variable's dL/dx through the whole graph, or a gate's backward on its inputs. */
  what: 'graph' | 'gate';
  ok: boolean;
  analytic: number;
  numeric: number;
  /** core's error measure, |analytic − numeric| / max(1, |analytic|, |numeric|), worst element. */
  error: number;
  /** Elements compared. */
  checked: number;
}

/**
 * Expression mode's model, free of the DOM: a formula built into a chainrule graph, run forward
 * and backward once with the user's values, a Stepper over the pass, and the chain-rule account
 * of viz's traceBackward split by gate for the step explanations.
 */
export class ExpressionLab {
  readonly stepper: Stepper;
  readonly evaluation: Evaluation;
  readonly trace: TraceSteps;

  private constructor(
    readonly built: BuiltFormula,
    readonly values: Readonly<Record<string, VariableValue>>,
    readonly digits: number,
  ) {
    this.evaluation = evaluateFormula(built, values);
    this.trace = splitTrace(traceBackward(built.graph, { digits }));
    const gates = built.graph.topologicalOrder().filter((n) => n.kind === 'gate');
    this.stepper = new Stepper({
      gates: gates.map((n) => n.name),
      inputsOf: new Map(gates.map((n) => [n.name, n.inputNodes.map((i) => i.name)])),
      output: built.graph.output.name,
    });
  }

  /** Builds the formula; variables without a value get 1 (the returned values list every variable). */
  static create(formula: string, values: Readonly<Record<string, VariableValue>>, digits = 4): ExpressionLab {
    const built = buildFormula(formula);
    const complete: Record<string, VariableValue> = {};
    for (const v of built.variables) complete[v] = values[v] ?? 1;
    return new ExpressionLab(built, complete, digits);
  }

  get graph() {
    return this.built.graph;
  }

  format(t: Tensor | undefined): string {
    return t === undefined ? '?' : formatValues(t, this.digits);
  }

  /** The graph picture with the values and gradients of the pass (viz's toDot). */
  dot(): string {
    return toDot(this.graph, { digits: this.digits, inline: 6, legend: false });
  }

  /** The explanation of a step: the forward formula with its numbers, or the backward chain-rule lines. */
  explain(step: Step | undefined = this.stepper.current): string[] {
    if (step === undefined) {
      const given = this.built.variables.map((v) => `${v} = ${this.format(this.graph.node(v).value)}`).join(', ');
      return [`Start: ${given}. Step runs the gates forward one at a time, then backward.`];
    }
    const node = this.graph.node(step.node);
    if (step.phase === 'forward') {
      const f = this.built.formulas.get(step.node);
      if (!f) return [`${step.node} = ${this.format(node.value)}`];
      const names = f.text(f.inputs);
      const numbers = f.text(node.inputNodes.map((i) => this.format(i.value)));
      return [`forward, ${f.gate}: ${step.node} = ${names} = ${numbers} = ${this.format(node.value)}`];
    }
    const entry = this.trace.byNode.get(step.node);
    const lines = entry ? [`backward, ${entry.head.replace(/^\d+\. /, '')}:`, ...entry.lines] : [`backward: ${step.node} sends no gradient back`];
    if (step.node === this.graph.output.name) lines.unshift(this.trace.header);
    return lines;
  }

  /** Where a value fans out: its gradient as the sum of the shares its consumers sent back, term by term. */
  fanOut(name: string): string | undefined {
    const users = this.stepper.consumersOf(name);
    if (users.length < 2) return undefined;
    const lines = [...this.trace.byNode.values()].flatMap((e) => e.lines).filter((l) => l.startsWith('↳') && l.includes(`∂L/∂${name} =`));
    return lines[0];
  }

  /** Checks one node's gradient: a variable through the whole graph, a gate node's backward on its inputs. */
  check(name: string): NodeCheck {
    const node = this.graph.node(name);
    try {
      if (node.kind === 'input') {
        const r = gradcheckGraph(this.graph, this.feeds(), { wrt: [node] });
        return { node: name, what: 'graph', ok: r.ok, analytic: r.worst?.analytic ?? NaN, numeric: r.worst?.numeric ?? NaN, error: r.maxError, checked: r.checked };
      }
      if (node.kind !== 'gate') throw new Error(`${node.describe()} gets no gradient to check`);
      const inputs = node.inputNodes.map((i) => (i.value as Tensor).clone());
      const wrt = node.inputNodes.map((i, j) => (i.requiresGrad && i.kind !== 'constant' ? j : -1)).filter((j) => j >= 0);
      const r = gradcheck(node.gate as NonNullable<GraphNode['gate']>, inputs, { wrt: wrt.length > 0 ? wrt : [0] });
      return { node: name, what: 'gate', ok: r.ok, analytic: r.worst?.analytic ?? NaN, numeric: r.worst?.numeric ?? NaN, error: r.maxError, checked: r.checked };
    } finally {
      // Both checks re-run gates on perturbed values: put the user's pass back.
      evaluateFormula(this.built, this.values);
    }
  }

  private feeds(): Record<string, Tensor> {
    const feeds: Record<string, Tensor> = {};
    for (const v of this.built.variables) feeds[v] = Tensor.from(this.values[v]);
    return feeds;
  }
}
