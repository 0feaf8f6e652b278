import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, canonicalSha256 } from "../../src/core/canonical-json.ts";

/**
 * The definition, written the plain way: stored digests and idempotency keys were made with exactly this
 * output, so the single-pass implementation must reproduce it byte for byte.
 */
function definition(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => definition(v)).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${definition(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

const shuffledCopy = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(shuffledCopy);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, shuffledCopy(v)]),
    );
  }
  return value;
};

const documents = fc.anything({
  withObjectString: false,
  withNullPrototype: false,
  withBoxedValues: false,
  withMap: false,
  withSet: false,
  withDate: false,
  withTypedArray: false,
  withSparseArray: false,
  withBigInt: false,
  maxDepth: 4,
});

describe("canonicalJson", () => {
  it("matches the plain definition for any JSON-like value", () => {
    fc.assert(
      fc.property(documents, (v) => {
        expect(canonicalJson(v)).toBe(definition(v));
      }),
    );
  });

  it("does not depend on key order", () => {
    fc.assert(
      fc.property(documents, (v) => {
        expect(canonicalJson(shuffledCopy(v))).toBe(canonicalJson(v));
      }),
    );
  });

  it("sorts keys by code unit, drops undefined members and keeps array slots", () => {
    expect(canonicalJson({ b: 1, a: [2, undefined], é: "x", Z: null, c: undefined, 10: true })).toBe(
      '{"10":true,"Z":null,"a":[2,],"b":1,"é":"x"}',
    );
  });

  it("hashes the canonical form", () => {
    expect(canonicalSha256({ b: 1, a: 2 })).toBe(canonicalSha256({ a: 2, b: 1 }));
    expect(canonicalSha256({ a: 1 })).toBe(
      "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862",
    );
  });
});
