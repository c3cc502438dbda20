import { parseFormula, variablesOf } from '../src/expr/parser';
import { formulaError } from './formula-error';

function show(e: ReturnType<typeof parseFormula>): string {
  switch (e.kind) {
    case 'number':
      return String(e.value);
    case 'var':
      return e.name;
    case 'neg':
      return `(-${show(e.arg)})`;
    case 'binary':
      return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case 'call':
      return `${e.fn}(${e.args.map(show).join(', ')})`;
  }
}

describe('parseFormula', () => {
  test.each([
    ['(x + y) * z', '((x + y) * z)'],
    ['x + y * z', '(x + (y * z))'],
    ['a - b - c', '((a - b) - c)'],
    ['a / b * c', '((a / b) * c)'],
    ['-x * y', '((-x) * y)'],
    ['-x ^ 2', '(-(x ^ 2))'],
    ['2 ^ -x', '(2 ^ (-x))'],
    ['1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))', '(1 / (1 + exp((-(((w0 * x0) + (w1 * x1)) + w2)))))'],
    ['max(x, y) * 2', '(max(x, y) * 2)'],
    ['1.5e-3 + .5 + x', '((0.0015 + 0.5) + x)'],
  ])('%s', (src, expected) => {
    expect(show(parseFormula(src))).toBe(expected);
  });

  test('variables in order of first appearance, functions left out', () => {
    expect(variablesOf(parseFormula('max(y, x) * exp(y) + z'))).toEqual(['y', 'x', 'z']);
  });

  test.each([
    ['(x + y * z', 10, "expected ')' to close the '(' at character 1, found the end of the formula"],
    ['x + * y', 4, "expected a number, a name or '(', found '*'"],
    ['x $ y', 2, "unexpected character '$'"],
    ['x y', 2, "expected an operator or the end of the formula, found 'y'"],
    ['max(x, y', 8, "expected ',' or ')' to close the call of max("],
    ['', 0, 'the formula is empty'],
  ])('%s fails at the right character', (src, pos, reason) => {
    const e = formulaError(() => parseFormula(src));
    expect(e.pos).toBe(pos);
    expect(e.reason).toContain(reason);
    expect(e.message).toContain(`at character ${pos + 1}`);
    expect(e.pointer().split('\n')[1]).toBe(`${' '.repeat(pos)}^`);
  });
});
