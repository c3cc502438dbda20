// The one assertion the error tests share: a ChainruleError of the given class whose message matches.
import { ChainruleError } from '@chainrule/core';

type ErrorClass = abstract new (...args: never[]) => Error;

/** Runs f, expects an error of class `cls` (and ChainruleError) whose message matches every pattern. */
export function expectError(f: () => unknown, cls: ErrorClass, ...patterns: (RegExp | string)[]): Error {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  if (caught === undefined) throw new Error(`expected ${cls.name}, but nothing was thrown`);
  expect(caught).toBeInstanceOf(cls);
  expect(caught).toBeInstanceOf(ChainruleError);
  for (const p of patterns) expect((caught as Error).message).toMatch(p);
  return caught as Error;
}

