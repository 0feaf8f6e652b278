/**
 * docs/security.md is a contract: its table of audit events is the code's list of audit actions, each
 * with the category the code gives it (src/store/repositories/audit.ts), no more and no fewer.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AUDIT_ACTIONS } from "../../src/store/repositories/audit.ts";

const doc = readFileSync(new URL("../../docs/security.md", import.meta.url), "utf8");
const section = doc.slice(doc.indexOf("## Audit events"));
const rows = [...section.matchAll(/^\| `([A-Z_]+)` +\| ([A-Z]+) +\|/gm)].map((m) => ({
  action: m[1] ?? "",
  category: m[2] ?? "",
}));

describe("docs/security.md", () => {
  it("lists every audit action with its category, as the code has them", () => {
    const byAction = (a: { action: string }, b: { action: string }) => a.action.localeCompare(b.action);
    expect(rows.sort(byAction)).toEqual([...AUDIT_ACTIONS].sort(byAction));
  });

  it("states the threat model, the roles, the policy file and the audit events", () => {
    for (const heading of ["## Sign-in", "## Roles and visibility", "## Threat model", "## Audit events"]) {
      expect(doc).toContain(heading);
    }
    expect(doc).toContain("mappings/access-policy.yaml");
  });
});
