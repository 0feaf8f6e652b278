/**
 * Canonical JSON: object keys sorted by UTF-16 code unit, `undefined` members left out, so equal documents
 * serialise identically whatever their key order. Content hashes, idempotency-key digests and ARMS
 * revision comparison all rest on it, so its output must never change for a given value (a stored digest
 * would stop matching). One implementation for the whole bridge; it runs several times per record, so it
 * builds one string in a single pass rather than arrays of entries.
 */
import { createHash } from "node:crypto";

/** Keys are few and repeat across records: their quoted form is worth keeping (bounded). */
const quotedKeys = new Map<string, string>();
const MAX_QUOTED_KEYS = 4096;

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < MAX_QUOTED_KEYS) quotedKeys.set(key, quoted);
  }
  return quoted;
}

export function canonicalJson(value: unknown): string {
  if (typeof value !== "object" || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ",";
      // An array member that JSON cannot express (undefined, a function) leaves its slot empty.
      out += canonicalJson(value[i]) ?? "";
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = "{";
  let first = true;
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    out += `${first ? "" : ","}${quotedKey(key)}:${canonicalJson(member)}`;
    first = false;
  }
  return `${out}}`;
}

/** SHA-256 (hex) of a document's canonical JSON. */
export const canonicalSha256 = (value: unknown): string =>
  createHash("sha256").update(canonicalJson(value)).digest("hex");
