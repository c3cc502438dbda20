import { FormulaError } from '../src/expr/parser';

/** The FormulaError that `f` throws (fails the test if it throws nothing or something else). */
export function formulaError(f: () => unknown): FormulaError {
  try {
    f();
  } catch (e) {
    if (e instanceof FormulaError) return e;
    throw e;
  }
  throw new Error('expected a FormulaError, but nothing was thrown');
}
