/**
 * Discarding a dead letter (issue 12, step 7): POST /v1/dead-letters/{id}/discard, through the store's
 * discardDeadLetter on PostgreSQL. The letter is kept and stamped (reason, who, when), the discard is an
 * ALTERATION in the audit chain (which still verifies), asking again changes nothing, a discarded letter is
 * never replayed (409) and a replayed one is never discarded (409); administrators only, people only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditTrail } from "../../src/store/repositories/audit.ts";
import { verifyChain } from "../../src/store/repositories/audit-chain.ts";
import { getDeadLetter, recordDeadLetter } from "../../src/store/repositories/dead-letters.ts";
import { authAs, type Person, type System } from "../support/tokens.ts";
import { type ErrorJson, type TestApp, testApp } from "./support.ts";

let t: TestApp;
let serial = 0;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => {
  await t?.done();
});

const letter = () =>
  recordDeadLetter(t.db, {
    stage: "RECONCILE",
    subject: {
      queue: "reconcile",
      jobKey: `reconcile:ARMS:ARMS-DISCARD-${++serial}:1`,
      data: { source: "ARMS", record: `ARMS-DISCARD-${serial}`, revision: 1 },
    },
    errorCode: "BRIDGE_E_INTERNAL",
    reason: "synthetic failure",
    attempts: 3,
    createdAt: "2026-11-19T10:00:00.000Z",
  });

async function post(url: string, who: Person | System, payload?: unknown) {
  return t.app.inject({
    method: "POST",
    url,
    headers: await authAs(who),
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
}

describe("POST /v1/dead-letters/{id}/discard", () => {
  it("keeps the letter, stamped with the reason, who and when, audited as an alteration; asking again changes nothing", async () => {
    const held = await letter();
    const res = await post(`/v1/dead-letters/${held.id}/discard`, "admin.user", {
      reason: "  duplicate of a replayed export ",
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      id: held.id,
      discardedAt: "2026-11-20T12:00:00.000Z",
      discardedBy: expect.any(String),
      discardReason: "duplicate of a replayed export",
      replayedAt: null,
    });
    expect(body.discardedBy).not.toBe("anonymous");
    const trail = await auditTrail(t.db, { subjectType: "DEAD_LETTER", subjectId: held.id });
    expect(trail).toEqual([
      expect.objectContaining({
        category: "ALTERATION",
        action: "DEAD_LETTER_DISCARDED",
        actor: body.discardedBy,
        role: "ADMIN",
      }),
    ]);
    expect(JSON.stringify(trail)).not.toContain("duplicate of");

    const again = await post(`/v1/dead-letters/${held.id}/discard`, "admin.user", {
      reason: "another reason",
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().discardReason).toBe("duplicate of a replayed export");
    expect(await auditTrail(t.db, { subjectType: "DEAD_LETTER", subjectId: held.id })).toHaveLength(1);
    expect((await verifyChain(t.db)).ok).toBe(true);
    expect(t.logs.join("")).not.toContain("duplicate of");

    const listed = await t.app.inject({
      url: "/v1/dead-letters?state=DISCARDED",
      headers: await authAs("admin.user"),
    });
    expect(listed.json().items.map((l: { id: string }) => l.id)).toContain(held.id);
    const open = await t.app.inject({
      url: "/v1/dead-letters?state=OPEN",
      headers: await authAs("admin.user"),
    });
    expect(open.json().items.map((l: { id: string }) => l.id)).not.toContain(held.id);
  });

  it("never replays a discarded letter, never discards a replayed one", async () => {
    const discarded = await letter();
    await post(`/v1/dead-letters/${discarded.id}/discard`, "admin.user", { reason: "not needed" });
    const before = t.producer.added.length;
    const replay = await post(`/v1/dead-letters/${discarded.id}/replay`, "admin.user");
    expect(replay.statusCode).toBe(409);
    expect((replay.json() as ErrorJson).error.code).toBe("BRIDGE_E_CONFLICT_TRANSITION");
    expect(t.producer.added.length).toBe(before);
    expect((await getDeadLetter(t.db, discarded.id))?.replayedAt).toBeNull();

    const replayed = await letter();
    expect((await post(`/v1/dead-letters/${replayed.id}/replay`, "admin.user")).statusCode).toBe(202);
    const refused = await post(`/v1/dead-letters/${replayed.id}/discard`, "admin.user", { reason: "late" });
    expect(refused.statusCode).toBe(409);
    expect((await getDeadLetter(t.db, replayed.id))?.discardedAt).toBeNull();
  });

  it("needs a reason, a letter that is held, an administrator, and a person", async () => {
    const held = await letter();
    expect(
      (await post(`/v1/dead-letters/${held.id}/discard`, "admin.user", { reason: "   " })).statusCode,
    ).toBe(400);
    expect((await post(`/v1/dead-letters/${held.id}/discard`, "admin.user", {})).statusCode).toBe(400);
    const unknown = "7d0c54f4-6f5e-4f07-9d61-6f7a3b1c0a11";
    expect(
      (await post(`/v1/dead-letters/${unknown}/discard`, "admin.user", { reason: "x" })).statusCode,
    ).toBe(404);
    expect(
      (await post(`/v1/dead-letters/${held.id}/discard`, "data.team.1", { reason: "x" })).statusCode,
    ).toBe(403);
    expect(
      (await post(`/v1/dead-letters/${held.id}/discard`, "arms-system", { reason: "x" })).statusCode,
    ).toBe(403);
    expect((await getDeadLetter(t.db, held.id))?.discardedAt).toBeNull();
  });
});
