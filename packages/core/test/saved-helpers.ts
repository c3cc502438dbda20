// Shared by the serialization tests.
import { ChainruleError, documentChecksum } from '@chainrule/core';

/** Parses a saved file, applies `change` and recomputes the checksum: an edit by someone who knows the format. */
export function resealed(json: string, change: (doc: any) => void): Record<string, unknown> {
  const doc = JSON.parse(json);
  change(doc);
  doc.checksum = documentChecksum(doc, 64, 'save');
  return doc;
}

/** The error `f` throws, checked to be a `cls` and a ChainruleError. */
export function thrownAs<E extends Error>(f: () => unknown, cls: new (...a: never[]) => E): E {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(cls);
  expect(caught).toBeInstanceOf(ChainruleError);
  return caught as E;
}
