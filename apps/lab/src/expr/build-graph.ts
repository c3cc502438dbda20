import { ComputationalGraph, GateClass, GraphNode, NestedArray, Tensor } from '@chainrule/core';
import {
  AddConstantGate,
  AddGate,
  createGatesContainer,
  DivideGate,
  ExpGate,
  LogGate,
  MaxGate,
  MultiplyGate,
  NegateGate,
  PowGate,
  ReciprocalGate,
  ReLUGate,
  ScaleGate,
  SigmoidGate,
  SoftmaxCrossEntropyGate,
  SubtractGate,
  TanhGate,
} from '@chainrule/gates';
import { Expr, FormulaError, parseFormula, variablesOf } from './parser';

/** A value the user sets for a variable: a number or (nested) arrays of numbers. */
export type VariableValue = number | NestedArray;

/** How one gate node reads as a formula over its inputs' names: `x + y`, `exp(s)`. */
export interface GateFormula {
  node: string;
  gate: string;
  inputs: string[];
  /** The formula over the inputs' names (or, given their values as text, with the numbers put in). */
  text(inputs: readonly string[]): string;
}

/** A formula turned into a chainrule graph: one input per variable, one gate node per operation. */
export interface BuiltFormula {
  source: string;
  graph: ComputationalGraph;
  /** The graph's inputs, in order of first appearance in the formula. */
  variables: string[];
  /** Every gate node's formula, by node name, in the order the nodes were added. */
  formulas: Map<string, GateFormula>;
}

/** Gate functions the formula language knows, with their arity. */
export const FUNCTIONS: Readonly<Record<string, number>> = {
  exp: 1,
  log: 1,
  tanh: 1,
  sigmoid: 1,
  relu: 1,
  max: 2,
  pow: 2,
  softmax_loss: 2,
};

const UNARY: Record<string, { gate: GateClass; show: (a: string) => string }> = {
  exp: { gate: ExpGate, show: (a) => `exp(${a})` },
  log: { gate: LogGate, show: (a) => `log(${a})` },
  tanh: { gate: TanhGate, show: (a) => `tanh(${a})` },
  sigmoid: { gate: SigmoidGate, show: (a) => `σ(${a})` },
  relu: { gate: ReLUGate, show: (a) => `max(0, ${a})` },
};

/** Names for intermediate nodes, as the lectures name them (q = x + y); then n1, n2, … */
const NODE_NAMES = ['q', 'r', 's', 't', 'u', 'v', 'a', 'b', 'c', 'd', 'e', 'g', 'h', 'k', 'm', 'p'];

const num = (v: number): string => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6))));
const paren = (s: string): string => (s.startsWith('-') || s.startsWith('−') ? `(${s})` : s);

/** The value of a subtree that reads no variable (so `2*3` becomes one constant, not a gate). */
function constantValue(e: Expr): number | undefined {
  if (e.kind === 'number') return e.value;
  if (e.kind === 'neg') {
    const v = constantValue(e.arg);
    return v === undefined ? undefined : -v;
  }
  if (e.kind === 'binary') {
    const a = constantValue(e.left);
    const b = constantValue(e.right);
    if (a === undefined || b === undefined) return undefined;
    switch (e.op) {
      case '+':
        return a + b;
      case '-':
        return a - b;
      case '*':
        return a * b;
      case '/':
        return a / b;
      case '^':
        return a ** b;
    }
  }
  return undefined;
}

/**
 * Parses `source` and builds its graph from the built-in gates: `x + 2` is an AddConstantGate,
 * `2 * x` a ScaleGate, `1 / x` a ReciprocalGate, `x ^ 2` and `pow(x, 2)` a PowGate, unary minus a
 * NegateGate, and the rest the two-input gates (AddGate, MultiplyGate, MaxGate, …), so the graph
 * is drawn with the gates the lectures draw. `softmax_loss(s, y)` is the softmax classifier's loss
 * (SoftmaxCrossEntropyGate) of scores s [N, C] against class labels y [N], which get no gradient.
 * Throws FormulaError pointing at the character that cannot be built.
 */
export function buildFormula(source: string): BuiltFormula {
  const tree = parseFormula(source);
  const variables = variablesOf(tree);
  if (variables.length === 0) throw new FormulaError(source, 0, 'the formula reads no variable, so there is nothing to differentiate');
  const graph = new ComputationalGraph(createGatesContainer());
  const labels = new Set<string>();
  collectLabels(tree, labels);
  const inputs = new Map<string, GraphNode>();
  for (const v of variables) inputs.set(v, graph.input(v, { requiresGrad: !labels.has(v) }));
  const formulas = new Map<string, GateFormula>();
  const taken = new Set(variables);
  const names = NODE_NAMES.filter((n) => !taken.has(n));
  let nameIndex = 0;
  let constants = 0;
  const nextName = (): string => names[nameIndex++] ?? `n${nameIndex - names.length}`;

  const addGate = (
    gate: Parameters<ComputationalGraph['gate']>[0],
    args: GraphNode[],
    text: (a: readonly string[]) => string,
    options?: Record<string, unknown>,
    name = nextName(),
  ): GraphNode => {
    const node = graph.gate(gate, args, { name, options });
    formulas.set(name, { node: name, gate: node.gateType as string, inputs: args.map((a) => a.name), text });
    return node;
  };
  const constant = (value: number): GraphNode => {
    const label = num(value);
    const name = graph.nodes.some((n) => n.name === label) ? `${label}#${++constants}` : label;
    return graph.constant(name, Tensor.from(value));
  };

  const build = (e: Expr, name?: string): GraphNode => {
    const folded = constantValue(e);
    if (folded !== undefined) return constant(folded);
    switch (e.kind) {
      case 'var':
        return inputs.get(e.name) as GraphNode;
      case 'neg':
        return addGate(NegateGate, [build(e.arg)], ([a]) => `−${paren(a)}`, undefined, name);
      case 'binary':
        return binary(e, name);
      case 'call':
        return call(e, name);
      default:
        throw new FormulaError(source, e.pos, 'cannot build this part');
    }
  };

  const binary = (e: Extract<Expr, { kind: 'binary' }>, name?: string): GraphNode => {
    const lc = constantValue(e.left);
    const rc = constantValue(e.right);
    if (e.op === '^') {
      if (rc === undefined) throw new FormulaError(source, e.right.pos, 'the exponent of ^ must be a number (a PowGate raises to a fixed power)');
      return addGate(PowGate, [build(e.left)], ([a]) => `${paren(a)}^${num(rc)}`, { p: rc }, name);
    }
    if (e.op === '+' && (lc !== undefined || rc !== undefined)) {
      const c = (lc ?? rc) as number;
      const other = build(lc !== undefined ? e.right : e.left);
      return addGate(AddConstantGate, [other], ([a]) => `${a} + ${paren(num(c))}`, { c }, name);
    }
    if (e.op === '-' && rc !== undefined) {
      return addGate(AddConstantGate, [build(e.left)], ([a]) => `${a} − ${paren(num(rc))}`, { c: -rc }, name);
    }
    if (e.op === '*' && (lc !== undefined || rc !== undefined)) {
      const c = (lc ?? rc) as number;
      const other = build(lc !== undefined ? e.right : e.left);
      return addGate(ScaleGate, [other], ([a]) => `${paren(num(c))} · ${paren(a)}`, { a: c }, name);
    }
    if (e.op === '/' && lc === 1) return addGate(ReciprocalGate, [build(e.right)], ([a]) => `1 / ${paren(a)}`, undefined, name);
    if (e.op === '/' && rc !== undefined) {
      return addGate(ScaleGate, [build(e.left)], ([a]) => `${paren(a)} / ${paren(num(rc))}`, { a: 1 / rc }, name);
    }
    const left = build(e.left);
    const right = build(e.right);
    const gate = { '+': AddGate, '-': SubtractGate, '*': MultiplyGate, '/': DivideGate }[e.op];
    const sym = { '+': '+', '-': '−', '*': '·', '/': '/' }[e.op];
    return addGate(gate, [left, right], ([a, b]) => `${paren(a)} ${sym} ${paren(b)}`, undefined, name);
  };

  const call = (e: Extract<Expr, { kind: 'call' }>, name?: string): GraphNode => {
    const arity = FUNCTIONS[e.fn];
    if (arity === undefined) {
      throw new FormulaError(source, e.pos, `unknown function '${e.fn}' (known: ${Object.keys(FUNCTIONS).join(', ')})`);
    }
    if (e.args.length !== arity) {
      throw new FormulaError(source, e.pos, `${e.fn}() takes ${arity} argument${arity === 1 ? '' : 's'}, got ${e.args.length}`);
    }
    const unary = UNARY[e.fn];
    if (unary) return addGate(unary.gate, [build(e.args[0])], ([a]) => unary.show(a), undefined, name);
    if (e.fn === 'pow') {
      const p = constantValue(e.args[1]);
      if (p === undefined) throw new FormulaError(source, e.args[1].pos, 'the exponent of pow() must be a number (a PowGate raises to a fixed power)');
      return addGate(PowGate, [build(e.args[0])], ([a]) => `${paren(a)}^${num(p)}`, { p }, name);
    }
    if (e.fn === 'softmax_loss') {
      const y = e.args[1];
      if (y.kind !== 'var') throw new FormulaError(source, y.pos, 'the labels of softmax_loss() must be a variable holding class indices, e.g. y = [0]');
      return addGate(SoftmaxCrossEntropyGate, [build(e.args[0]), build(y)], ([s, l]) => `−log softmax(${s})[${l}]`, undefined, name);
    }
    const [a, b] = e.args.map((arg) => build(arg));
    return addGate(MaxGate, [a, b], ([x, y]) => `max(${x}, ${y})`, undefined, name);
  };

  const outName = taken.has('f') ? 'out' : 'f';
  const out = build(tree, outName);
  if (out.kind !== 'gate') {
    // A formula that is just a variable: pass it through one gate so there is a pass to step.
    addGate(ScaleGate, [out], ([a]) => `1 · ${a}`, { a: 1 }, outName);
  }
  return { source, graph, variables, formulas };
}

/** Labels of softmax_loss(s, y): inputs that get no gradient. */
function collectLabels(e: Expr, into: Set<string>): void {
  if (e.kind === 'call') {
    if (e.fn === 'softmax_loss' && e.args[1]?.kind === 'var') into.add(e.args[1].name);
    e.args.forEach((a) => collectLabels(a, into));
  } else if (e.kind === 'neg') collectLabels(e.arg, into);
  else if (e.kind === 'binary') {
    collectLabels(e.left, into);
    collectLabels(e.right, into);
  }
}

/** What one forward and backward pass of a built formula gives. */
export interface Evaluation {
  output: Tensor;
  /** dL/d(variable) for every variable that gets a gradient. */
  grads: Map<string, Tensor>;
}

/** Feeds the values (every variable must have one), runs forward and backward, returns output and gradients. */
export function evaluateFormula(built: BuiltFormula, values: Readonly<Record<string, VariableValue>>): Evaluation {
  const feeds: Record<string, Tensor> = {};
  for (const v of built.variables) {
    const value = values[v];
    if (value === undefined) throw new FormulaError(built.source, built.source.indexOf(v), `no value set for '${v}'`);
    feeds[v] = Tensor.from(value);
  }
  const output = built.graph.forward(feeds).clone();
  // A vector output is differentiated as L = Σ f (a seed of ones), as PyTorch's f.sum().backward().
  built.graph.backward(output.size === 1 ? undefined : { seed: Tensor.ones(output.shape, output.dtype) });
  const grads = new Map<string, Tensor>();
  for (const v of built.variables) {
    const g = built.graph.node(v).grad;
    if (g !== undefined && built.graph.node(v).requiresGrad) grads.set(v, g.clone());
  }
  return { output, grads };
}
