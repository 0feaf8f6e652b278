/**
 * The visibility applier (src/auth/visibility.ts) on its own, and the policy's visibility section checked
 * at load against the views' schemas (src/auth/visibility-policy.ts): what a caller is shown of a view by
 * role, force and lao_access; a caller's roles count only where the route allows them; and a rule that
 * could not work stops the policy from loading, naming file:line:column.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadAccessPolicy, parseAccessPolicy } from "../../src/auth/policy.ts";
import type { Principal } from "../../src/auth/principal.ts";
import { applyVisibility, NOT_VISIBLE, viewerFor } from "../../src/auth/visibility.ts";
import { BridgeError } from "../../src/errors.ts";

const BUNDLED = readFileSync("mappings/access-policy.yaml", "utf8");
const { visibility } = loadAccessPolicy();

const who = (roles: Principal["roles"], more: Partial<Principal> = {}): Principal => ({
  kind: "user",
  subject: "someone",
  clientId: "bridge-dev",
  roles,
  agency: null,
  force: null,
  laoAccess: false,
  ...more,
});
const ESSEX = { force: "ESSEX", limitedAccess: false };
const LAO = { force: "ESSEX", limitedAccess: true };
const police = who(["POLICE"], { force: "essex" });

const conflict = {
  id: "c1",
  personId: "p1",
  rationale: "quotes the victim",
  pendingApproval: null,
  evidence: [
    { side: "OASYS", field: "offender.dateOfBirth", value: "1970-01-01" },
    { side: "OASYS", field: "11.11", value: 2 },
  ],
};
const person = {
  person: { id: "p1", pnc: "2008/0000001Z", crn: "X000001", force: "ESSEX", version: 1 },
  match: { status: "MATCHED" },
  draft: {
    draftId: 1,
    content: { caseFormulation: "who is at risk", subject: { dateOfBirth: "1970-01-01" } },
  },
  openConflicts: [conflict],
  deliveries: [],
};

describe("what a caller is shown", () => {
  it("police: their force's person, with the withheld fields null and named; nested views by their own rules", () => {
    const shown = applyVisibility(person, "PersonView", ESSEX, police, visibility) as typeof person & {
      withheld: string[];
      openConflicts: (typeof conflict & { withheld: string[] })[];
    };
    expect(shown.draft.content.caseFormulation).toBeNull();
    expect(shown.draft.content.subject.dateOfBirth).toBeNull();
    expect(shown.person.pnc).toBe("2008/0000001Z");
    expect(shown.withheld).toEqual(["/draft/content/caseFormulation", "/draft/content/subject/dateOfBirth"]);
    const c = shown.openConflicts[0]!;
    // `where`: only the date of birth's value, not the other evidence item's.
    expect(c.evidence.map((e) => e.value)).toEqual([null, 2]);
    expect(c.rationale).toBeNull();
    // pendingApproval was already null: nothing was there, so it is not named.
    expect(c.withheld).toEqual(["/evidence/*/value", "/rationale"]);
    expect(person.draft.content.caseFormulation).toBe("who is at risk"); // the input is not changed
  });

  it("police: another force's person, a person of no force, or a caller with no force: not there", () => {
    expect(
      applyVisibility(person, "PersonView", { force: "KENT", limitedAccess: false }, police, visibility),
    ).toBe(NOT_VISIBLE);
    expect(
      applyVisibility(person, "PersonView", { force: null, limitedAccess: false }, police, visibility),
    ).toBe(NOT_VISIBLE);
    expect(applyVisibility(person, "PersonView", ESSEX, who(["POLICE"]), visibility)).toBe(NOT_VISIBLE);
  });

  it("a limited-access offender: existence only without lao_access, everything with it", () => {
    const probation = who(["PROBATION"]);
    const reduced = applyVisibility(person, "PersonView", LAO, probation, visibility);
    expect(reduced).toEqual({
      person: { id: "p1", pnc: null, crn: null, force: null, version: 1 },
      match: null,
      draft: null,
      openConflicts: [],
      deliveries: [],
      withheld: ["/person/pnc", "/person/crn", "/person/force", "/match", "/draft", "/openConflicts"],
      limitedAccess: true,
    });
    // Conflicts are not among the views reduced to existence: not there at all.
    expect(applyVisibility(conflict, "Conflict", LAO, probation, visibility)).toBe(NOT_VISIBLE);
    const allowed = who(["PROBATION"], { laoAccess: true });
    expect(applyVisibility(person, "PersonView", LAO, allowed, visibility)).toEqual(person);
  });

  it("several roles: a field any of the caller's roles may see is shown; only the route's roles count", () => {
    const both = who(["PROBATION", "POLICE"], { force: "ESSEX" });
    expect(applyVisibility(person, "PersonView", ESSEX, both, visibility)).toEqual(person);
    const onlyPolice = applyVisibility(person, "PersonView", ESSEX, both, visibility, ["POLICE"]);
    expect((onlyPolice as typeof person).draft.content.caseFormulation).toBeNull();
    // ADMIN sees every person, but not through a route that does not allow ADMIN.
    const admin = who(["ADMIN", "POLICE"], { force: "KENT" });
    expect(applyVisibility(person, "PersonView", ESSEX, admin, visibility, ["POLICE"])).toBe(NOT_VISIBLE);
  });

  it("gives list queries the same scope", () => {
    expect(viewerFor(visibility, police).scope("Conflict")).toEqual({
      forces: ["ESSEX"],
      limitedAccess: "exclude",
    });
    expect(viewerFor(visibility, police).scope("Delivery")).toEqual({
      forces: ["ESSEX"],
      limitedAccess: "include",
    });
    expect(viewerFor(visibility, who(["DATA_TEAM"], { laoAccess: true })).scope("Conflict")).toEqual({
      forces: "ALL",
      limitedAccess: "include",
    });
    expect(viewerFor(visibility, who(["AUDITOR"])).scope("Conflict").forces).toEqual([]);
  });
});

function refusal(text: string): BridgeError {
  try {
    parseAccessPolicy(text, "policy.yaml");
  } catch (e) {
    expect(e).toBeInstanceOf(BridgeError);
    expect((e as BridgeError).code).toBe("BRIDGE_E_ACCESS_POLICY_INVALID");
    return e as BridgeError;
  }
  throw new Error("the policy was accepted");
}
const RATIONALE =
  "        - pointer: /rationale\n          why: A reviewer's free text can quote OASys narrative or victim details.\n";
const withRule = (rule: string) => BUNDLED.replace(RATIONALE, `${RATIONALE}${rule}`);

describe("the visibility section is checked against the views at load", () => {
  it("loads the bundled policy", () => {
    expect(visibility.scope.get("POLICE")).toBe("force");
    expect(BUNDLED).toContain(RATIONALE);
  });

  it.each([
    [
      "a field the view does not have",
      "        - pointer: /rationalee\n          why: x\n",
      /Conflict has no field "rationalee"/,
    ],
    [
      "* where the view has no array",
      "        - pointer: /state/*\n          why: x\n",
      /"\*" is not at an array/,
    ],
    [
      "a field whose schema does not allow null",
      "        - pointer: /explanation\n          why: x\n",
      /whose schema does not allow it to be null/,
    ],
    [
      "a where on a property the holder lacks",
      "        - pointer: /evidence/*/value\n          where: { kind: [x] }\n          why: x\n",
      /where on "kind"/,
    ],
  ])("refuses %s, at its line", (_, rule, reason) => {
    const text = withRule(rule);
    const error = refusal(text);
    expect(error.message).toMatch(reason);
    const line = text.split("\n").lastIndexOf(rule.split("\n")[0]!) + 1;
    expect(error.context).toMatchObject({ file: "policy.yaml", line });
  });

  it("refuses an existence list that leaves a field no view can withhold", () => {
    const text = BUNDLED.replace("PersonView: [/person/id, /person/version,", "PersonView: [/person/id,");
    expect(refusal(text).message).toMatch(/leaves PersonView \/person\/version to withhold/);
  });

  it("refuses a policy with no visibility section", () => {
    const text =
      BUNDLED.slice(0, BUNDLED.indexOf("visibility:")) + BUNDLED.slice(BUNDLED.indexOf("\nroutes:") + 1);
    expect(refusal(text).message).toMatch(/must have required property 'visibility'/);
  });
});
