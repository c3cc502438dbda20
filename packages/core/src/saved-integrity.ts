import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex } from '@noble/hashes/utils';
import { SerializationError, setOwn } from './tensor-codec';

/**
 * The saved document's integrity check: a SHA-256 of a canonical serialization of everything in the
 * document except the `checksum` field itself. Canonical means independent of how the JSON text was
 * laid out: object keys sorted (by UTF-16 code units), no whitespace, numbers as JavaScript prints
 * them (so `1e2` and `100` are one number, but `-0` and `0` are not), strings escaped as
 * JSON.stringify escapes them. It is computed on the parsed value, so what is checked is exactly
 * what is loaded.
 *
 * Why SHA-256 rather than the tensors' CRC-32: a CRC detects accidental corruption well, but it is
 * linear, so a deliberate edit can be balanced by four chosen bytes anywhere in the document while
 * the stored checksum stays the same; with SHA-256 no one can make two documents with one checksum,
 * so a checksum you got from a trusted place (`expectedChecksum`) pins the whole document. Unkeyed,
 * it is not a signature: whoever edits the file can recompute it (docs/serialization.md, threat model).
 *
 * The walk is recursive but bounded by `maxDepth`: a document nested deeper is refused with a
 * SerializationError naming the path, never a stack overflow.
 */

export const CHECKSUM_ALGORITHM = 'sha256';

/** Feeds the canonical text to the hash in chunks, so a large document is never copied whole. */
class CanonicalHasher {
  private readonly hash = sha256.create();
  private readonly encoder = new TextEncoder();
  private pending = '';

  push(text: string): void {
    this.pending += text;
    if (this.pending.length >= 1 << 16) this.flush();
  }

  digest(): string {
    this.flush();
    return `${CHECKSUM_ALGORITHM}:${bytesToHex(this.hash.digest())}`;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.hash.update(this.encoder.encode(this.pending));
    this.pending = '';
  }
}

/**
 * The checksum of a saved document (`sha256:<64 hex digits>`): of every field but the top-level
 * `checksum`. Throws SerializationError, naming the path, where the value is not plain JSON or is
 * nested deeper than `maxDepth`.
 */
export function documentChecksum(doc: Record<string, unknown>, maxDepth: number, verb: 'load' | 'save'): string {
  const hasher = new CanonicalHasher();
  const top: Record<string, unknown> = {};
  for (const key of Object.keys(doc)) if (key !== 'checksum') setOwn(top, key, doc[key]);
  walk(top, '$', 0, { maxDepth, verb }, hasher);
  return hasher.digest();
}

function walk(value: unknown, path: string, depth: number, limit: { maxDepth: number; verb: string }, out: CanonicalHasher): void {
  if (value === null || typeof value === 'boolean') {
    out.push(String(value));
    return;
  }
  if (typeof value === 'string') {
    out.push(JSON.stringify(value));
    return;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new SerializationError(`${limit.verb}: ${path} is ${value}, which JSON cannot hold`);
    out.push(Object.is(value, -0) ? '-0' : JSON.stringify(value));
    return;
  }
  if (typeof value !== 'object' || value === undefined) throw new SerializationError(`${limit.verb}: ${path} is ${value === undefined ? 'undefined' : `a ${typeof value}`}, which JSON cannot hold`);
  if (depth >= limit.maxDepth) {
    throw new SerializationError(`${limit.verb}: ${shortPath(path)} is nested more than ${limit.maxDepth} levels deep (the limit, option maxDepth); refused without reading further`);
  }
  if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      walk(value[i], `${path}[${i}]`, depth + 1, limit, out);
    }
    out.push(']');
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new SerializationError(`${limit.verb}: ${path} is a ${(value as object).constructor?.name ?? 'non-plain object'}, which JSON cannot hold`);
  }
  const keys = Object.keys(value).sort();
  out.push('{');
  keys.forEach((key, i) => {
    if (i > 0) out.push(',');
    out.push(JSON.stringify(key));
    out.push(':');
    walk((value as Record<string, unknown>)[key], `${path}.${key}`, depth + 1, limit, out);
  });
  out.push('}');
}

/** A long path with its middle left out at step boundaries: `$.history[0][0]...[0][0]`. */
function shortPath(path: string): string {
  if (path.length <= 80) return path;
  const head = Math.max(path.lastIndexOf('[', 40), path.lastIndexOf('.', 40));
  const tail = path.slice(-24).search(/[[.]/);
  return head <= 0 || tail < 0 ? path : `${path.slice(0, head)}...${path.slice(path.length - 24 + tail)}`;
}
