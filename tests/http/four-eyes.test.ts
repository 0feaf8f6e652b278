/**
 * Reviewers are who they say (issue 11): the reviewer of a conflict decision is the signed-in person the
 * token names, never a header. Four-eyes on a BLOCK compares authenticated subjects: the same DATA_TEAM
 * person twice is refused (409 BRIDGE_E_FOUR_EYES) whatever X-Reviewer says, two different people resolve
 * it, and a system client never decides, even one holding DATA_TEAM. Each decision records the reviewer's
 * role and agency; each 409 lists the actions the conflict's state allows.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncConflicts } from "../../src/store/repositories/conflict-sync.ts";
import { upsertPerson } from "../../src/store/repositories/persons.ts";
import { conflict, newKeys } from "../store/support.ts";
import { authAs, type Person, type System } from "../support/tokens.ts";
import { type ErrorJson, type TestApp, testApp } from "./support.ts";

interface Refusal extends ErrorJson {
  error: ErrorJson["error"] & { validActions?: string[] };
}

const T0 = "2026-10-01T10:00:00.000Z";
const RESOLVE = { action: "RESOLVE", decision: "ARMS level stands", rationale: "the home visit is newer" };

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.done());

/** A fresh BLOCK conflict on a person of its own. */
async function blockConflict(): Promise<string> {
  const personId = (await upsertPerson(t.db, { ...newKeys(), force: "ESSEX" }, T0)).person.id;
  const opened = await syncConflicts(t.db, personId, [conflict("LV-1", "overall", { severity: "BLOCK" })], {
    now: T0,
    reason: "first reconciliation",
  });
  return opened.opened[0]!.id;
}

const decide = async (
  id: string,
  as: Person | System,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) =>
  t.app.inject({
    method: "POST",
    url: `/v1/conflicts/${id}/decisions`,
    headers: { ...headers, ...(await authAs(as)) },
    payload: body,
  });

const history = async (id: string) =>
  (
    await t.app.inject({ method: "GET", url: `/v1/conflicts/${id}`, headers: await authAs("data.team.1") })
  ).json().history as { action: string; actor: string; details: Record<string, unknown> }[];

describe("four-eyes by identity", () => {
  it("refuses the same person twice, whatever X-Reviewer says, and resolves with a second person", async () => {
    const id = await blockConflict();
    expect((await decide(id, "data.team.1", { action: "ACKNOWLEDGE" })).statusCode).toBe(200);
    const first = await decide(id, "data.team.1", RESOLVE, { "x-reviewer": "someone-else" });
    expect(first.statusCode).toBe(200);
    expect(first.json().conflict).toMatchObject({
      state: "ACKNOWLEDGED",
      pendingApproval: { actor: "data.team.1", role: "DATA_TEAM", agency: "BRIDGE" },
    });

    // A second name in the header does not make a second reviewer.
    const again = await decide(id, "data.team.1", RESOLVE, { "x-reviewer": "data.team.2" });
    expect(again.statusCode).toBe(409);
    expect(again.json<Refusal>().error).toMatchObject({
      code: "BRIDGE_E_FOUR_EYES",
      validActions: ["RESOLVE", "DISMISS"],
    });
    // Nor does another way in: the other action, by the same person.
    const dismiss = await decide(id, "data.team.1", { action: "DISMISS", rationale: "not a conflict" });
    expect(dismiss.json<Refusal>().error.code).toBe("BRIDGE_E_FOUR_EYES");

    const second = await decide(id, "data.team.2", RESOLVE);
    expect(second.statusCode).toBe(200);
    expect(second.json().conflict).toMatchObject({
      state: "RESOLVED",
      decidedBy: ["data.team.1", "data.team.2"],
    });

    const events = await history(id);
    expect(events.map((e) => `${e.action} ${e.actor}`)).toEqual([
      "RAISED bridge",
      "ACKNOWLEDGED data.team.1",
      "APPROVED data.team.1",
      "RESOLVED data.team.2",
    ]);
    const reviewer = { role: "DATA_TEAM", agency: "BRIDGE" };
    expect(events[1]?.details).toEqual({ reviewer });
    expect(events[2]?.details).toMatchObject({ reviewer, awaiting: "second reviewer" });
    expect(events[3]?.details).toEqual({
      decidedBy: ["data.team.1", "data.team.2"],
      reviewer,
      reviewers: [
        { actor: "data.team.1", ...reviewer },
        { actor: "data.team.2", ...reviewer },
      ],
    });
    expect(JSON.stringify(events)).not.toContain("someone-else");
  });

  it("never lets a system client decide, even one holding DATA_TEAM", async () => {
    const id = await blockConflict();
    for (const action of [{ action: "ACKNOWLEDGE" }, RESOLVE]) {
      const res = await decide(id, "data-team-system", action);
      expect(res.statusCode).toBe(403);
      expect(res.json<ErrorJson>().error).toMatchObject({
        code: "BRIDGE_E_FORBIDDEN",
        message: expect.stringContaining("only people may"),
      });
    }
    // The same client may read the conflict (DATA_TEAM): it is the deciding that is a person's.
    const read = await t.app.inject({
      method: "GET",
      url: `/v1/conflicts/${id}`,
      headers: await authAs("data-team-system"),
    });
    expect(read.statusCode).toBe(200);
    expect(read.json().conflict.state).toBe("OPEN");
  });
});

describe("409 lists the actions valid from the conflict's state", () => {
  it("RESOLVE from OPEN: acknowledge first", async () => {
    const id = await blockConflict();
    const res = await decide(id, "data.team.1", RESOLVE);
    expect(res.statusCode).toBe(409);
    expect(res.json<Refusal>().error).toMatchObject({
      code: "BRIDGE_E_CONFLICT_TRANSITION",
      message: expect.stringContaining("RESOLVE is not allowed from OPEN; allowed now: ACKNOWLEDGE"),
      validActions: ["ACKNOWLEDGE"],
    });
  });

  it("ACKNOWLEDGE twice: resolve or dismiss now; anything on a final conflict: none", async () => {
    const id = await blockConflict();
    await decide(id, "data.team.1", { action: "ACKNOWLEDGE" });
    const twice = await decide(id, "data.team.2", { action: "ACKNOWLEDGE" });
    expect(twice.json<Refusal>().error.validActions).toEqual(["RESOLVE", "DISMISS"]);
    await decide(id, "data.team.1", { action: "DISMISS", rationale: "the same risk, worded differently" });
    await decide(id, "data.team.2", { action: "DISMISS", rationale: "agreed" });
    const final = await decide(id, "data.team.1", { action: "ACKNOWLEDGE" });
    expect(final.json<Refusal>().error).toMatchObject({
      code: "BRIDGE_E_CONFLICT_TRANSITION",
      message: expect.stringContaining("the conflict is final"),
      validActions: [],
    });
  });
});
