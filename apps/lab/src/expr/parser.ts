/**
 * The formula language of expression mode: numbers, names, + - * / with the usual precedence,
 * unary minus, parentheses and calls f(a, b). Hand-written recursive descent rather than a parser
 * library: the grammar has four levels, and writing it out lets every error say exactly which
 * character is wrong and what was expected there, which is what a student typing a formula needs.
 *
 *   expr    := term (('+' | '-') term)*
 *   term    := unary (('*' | '/') unary)*
 *   unary   := '-' unary | power
 *   power   := primary ('^' unary)?
 *   primary := number | name | name '(' expr (',' expr)* ')' | '(' expr ')'
 */

export type Expr =
  | { kind: 'number'; value: number; pos: number; end: number }
  | { kind: 'var'; name: string; pos: number; end: number }
  | { kind: 'neg'; arg: Expr; pos: number; end: number }
  | { kind: 'binary'; op: '+' | '-' | '*' | '/' | '^'; left: Expr; right: Expr; pos: number; end: number }
  | { kind: 'call'; fn: string; args: Expr[]; pos: number; end: number };

/** A parse or build error at one character of the formula (0-based), with a caret line for display. */
export class FormulaError extends Error {
  constructor(
    readonly formula: string,
    readonly pos: number,
    readonly reason: string,
  ) {
    super(`${reason} at character ${pos + 1}`);
    this.name = 'FormulaError';
  }

  /** The formula with a caret under the offending character. */
  pointer(): string {
    return `${this.formula}\n${' '.repeat(this.pos)}^`;
  }
}

interface Token {
  kind: 'number' | 'name' | 'op' | 'end';
  text: string;
  pos: number;
}

const OPS = '+-*/^(),';

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const number = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i));
    if (number) {
      tokens.push({ kind: 'number', text: number[0], pos: i });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (name) {
      tokens.push({ kind: 'name', text: name[0], pos: i });
      i += name[0].length;
      continue;
    }
    if (OPS.includes(ch)) {
      tokens.push({ kind: 'op', text: ch, pos: i });
      i++;
      continue;
    }
    throw new FormulaError(src, i, `unexpected character '${ch}' (expected a number, a name, an operator + - * / ^ or a parenthesis)`);
  }
  tokens.push({ kind: 'end', text: '', pos: src.length });
  return tokens;
}

function describe(t: Token): string {
  return t.kind === 'end' ? 'the end of the formula' : `'${t.text}'`;
}

/** Parses a formula into its syntax tree, or throws FormulaError pointing at the first bad character. */
export function parseFormula(src: string): Expr {
  const tokens = tokenize(src);
  let k = 0;
  const peek = () => tokens[k];
  const isOp = (text: string) => peek().kind === 'op' && peek().text === text;
  const fail = (t: Token, expected: string): never => {
    throw new FormulaError(src, t.pos, `expected ${expected}, found ${describe(t)}`);
  };

  /** One left-associative precedence level: operands from `next`, joined by any of `ops`. */
  const level =
    (ops: readonly ('+' | '-' | '*' | '/')[], next: () => Expr) =>
    (): Expr => {
      let left = next();
      while (ops.some(isOp)) {
        const op = tokens[k++].text as (typeof ops)[number];
        const right = next();
        left = { kind: 'binary', op, left, right, pos: left.pos, end: right.end };
      }
      return left;
    };
  const term = level(['*', '/'], () => unary());
  const expr = level(['+', '-'], term);
  const unary = (): Expr => {
    if (isOp('-')) {
      const start = tokens[k++].pos;
      const arg = unary();
      return { kind: 'neg', arg, pos: start, end: arg.end };
    }
    return power();
  };
  const power = (): Expr => {
    const base = primary();
    if (!isOp('^')) return base;
    k++;
    const exponent = unary();
    return { kind: 'binary', op: '^', left: base, right: exponent, pos: base.pos, end: exponent.end };
  };
  const primary = (): Expr => {
    const t = peek();
    if (t.kind === 'number') {
      k++;
      return { kind: 'number', value: Number(t.text), pos: t.pos, end: t.pos + t.text.length };
    }
    if (t.kind === 'name') {
      k++;
      if (!isOp('(')) return { kind: 'var', name: t.text, pos: t.pos, end: t.pos + t.text.length };
      k++;
      const args = [expr()];
      while (isOp(',')) {
        k++;
        args.push(expr());
      }
      if (!isOp(')')) fail(peek(), `',' or ')' to close the call of ${t.text}(`);
      const end = tokens[k++].pos + 1;
      return { kind: 'call', fn: t.text, args, pos: t.pos, end };
    }
    if (isOp('(')) {
      k++;
      const inner = expr();
      if (!isOp(')')) fail(peek(), `')' to close the '(' at character ${t.pos + 1}`);
      k++;
      return inner;
    }
    return fail(t, 'a number, a name or \'(\'');
  };

  if (peek().kind === 'end') throw new FormulaError(src, 0, 'the formula is empty');
  const tree = expr();
  if (peek().kind !== 'end') fail(peek(), 'an operator or the end of the formula');
  return tree;
}

/** The names a formula reads, in order of first appearance (function names excluded). */
export function variablesOf(tree: Expr): string[] {
  const seen: string[] = [];
  const walk = (e: Expr): void => {
    if (e.kind === 'var' && !seen.includes(e.name)) seen.push(e.name);
    else if (e.kind === 'neg') walk(e.arg);
    else if (e.kind === 'binary') {
      walk(e.left);
      walk(e.right);
    } else if (e.kind === 'call') e.args.forEach(walk);
  };
  walk(tree);
  return seen;
}
