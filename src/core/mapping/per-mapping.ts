/**
 * What is worked out from a loaded mapping once and kept: a mapping is immutable data, so anything derived
 * from it holds for the mapping object's life. The last mapping asked about is kept at hand, since a
 * process nearly always applies one mapping (most calls then stop there, before the WeakMap).
 */
import type { Mapping } from "./spec.ts";

export function perMapping<T>(build: (mapping: Mapping) => T): (mapping: Mapping) => T {
  const built = new WeakMap<Mapping, T>();
  let last: { mapping: Mapping; value: T } | null = null;
  return (mapping) => {
    if (last !== null && last.mapping === mapping) return last.value;
    let value = built.get(mapping);
    if (value === undefined) {
      value = build(mapping);
      built.set(mapping, value);
    }
    last = { mapping, value };
    return value;
  };
}
