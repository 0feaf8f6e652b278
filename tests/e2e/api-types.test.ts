/**
 * The generated API types (tests/e2e/generated/api.ts, `npm run api:types`) are the served document's:
 * generated again in memory and compared, so a change to the contract cannot reach a client unseen.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { API_TYPES_FILE, apiTypes, servedDocument } from "../../scripts/api-types.ts";

describe("generated API types", () => {
  it("are up to date with the document the API serves (else: npm run api:types)", async () => {
    const expected = await apiTypes(await servedDocument());
    const committed = readFileSync(API_TYPES_FILE, "utf8");
    if (committed === expected) return;
    // Where they part, not a 1,700-line diff, and what to run.
    const [was, now] = [committed.split("\n"), expected.split("\n")];
    const differs = now.findIndex((line, i) => line !== was[i]);
    const at = differs === -1 ? now.length : differs;
    expect.fail(
      `tests/e2e/generated/api.ts is stale (run npm run api:types); from line ${at + 1} it has\n  ${was[at]}\nwhere the served document gives\n  ${now[at]}`,
    );
  });
});
