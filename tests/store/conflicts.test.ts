import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadThresholds } from "../../src/core/conflicts/load-thresholds.ts";
import type { Db } from "../../src/store/db.ts";
import { auditTrail } from "../../src/store/repositories/audit.ts";
import { recordDecision as recordDecisionUnder } from "../../src/store/repositories/conflict-decisions.ts";
import { syncConflicts } from "../../src/store/repositories/conflict-sync.ts";
import { getConflict, listConflicts, type StoredConflict } from "../../src/store/repositories/conflicts.ts";
import { upsertPerson } from "../../src/store/repositories/persons.ts";
import { conflict, DRIVERS, freshStore, newKeys, rejectionCode } from "./support.ts";

/** Decisions under the shipped push policy (BLOCK: two reviewers; WARN, INFO: one). */
const recordDecision = (
  db: Parameters<typeof recordDecisionUnder>[0],
  id: string,
  request: Parameters<typeof recordDecisionUnder>[2],
) => recordDecisionUnder(db, id, request, loadThresholds().pushPolicy);

const T0 = "2026-11-20T10:00:00.000Z";
const T1 = "2026-11-21T10:00:00.000Z";
const T2 = "2026-11-22T10:00:00.000Z";
const T3 = "2026-11-23T10:00:00.000Z";

const resolveBy = (actor: string, at: string) => ({
  action: "RESOLVE" as const,
  actor,
  decision: "ARMS level stands; OASys RoSH to be reviewed",
  rationale: "RoSH predates the new ARMS home visit",
  at,
});

describe.each(DRIVERS)("conflicts on $driver", (driver) => {
  let db: Db;
  let done: () => Promise<void>;
  beforeAll(async () => {
    ({ db, done } = await freshStore(driver));
  });
  afterAll(() => done());

  const newPerson = async (force = "ESSEX") =>
    (await upsertPerson(db, { ...newKeys(), force }, T0)).person.id;
  const byRule = (rows: StoredConflict[]) => rows.map((c) => c.ruleId).sort();

  describe("re-evaluation (syncConflicts)", () => {
    it("opens new conflicts, keeps ones that still hold with their id and history, closes the rest", async () => {
      const personId = await newPerson();
      const first = await syncConflicts(
        db,
        personId,
        [
          conflict("FC-1", "SEXUAL_PREOCCUPATION"),
          conflict("LV-1", "overall"),
          conflict("ST-6", "dates", { severity: "INFO" }),
        ],
        { now: T0, reason: "first reconciliation" },
      );
      expect(byRule(first.opened)).toEqual(["FC-1", "LV-1", "ST-6"]);
      expect(first.opened.every((c) => c.state === "OPEN" && c.openedAt === T0)).toBe(true);
      const lv1 = first.opened.find((c) => c.ruleId === "LV-1")!;
      await recordDecision(db, lv1.id, { action: "ACKNOWLEDGE", actor: "reviewer-a", at: T1 });

      const second = await syncConflicts(
        db,
        personId,
        [
          conflict("LV-1", "overall", { armsValue: "LOW" }),
          conflict("ST-6", "dates", { severity: "INFO" }),
          conflict("PF-3", "desist"),
        ],
        { now: T2, reason: "new ARMS revision ARMS-1@4" },
      );
      expect(byRule(second.opened)).toEqual(["PF-3"]);
      expect(byRule(second.closed)).toEqual(["FC-1"]);
      expect(byRule(second.kept)).toEqual(["LV-1", "ST-6"]);

      const keptLv1 = second.kept.find((c) => c.ruleId === "LV-1")!;
      expect(keptLv1).toMatchObject({ id: lv1.id, state: "ACKNOWLEDGED", openedAt: T0, updatedAt: T2 });
      expect(keptLv1.evidence[1]?.value).toBe("LOW");
      // Same evidence: nothing to record.
      expect(second.kept.find((c) => c.ruleId === "ST-6")?.updatedAt).toBe(T0);

      const closed = await getConflict(db, second.closed[0]!.id);
      expect(closed?.conflict).toMatchObject({
        state: "CLOSED",
        closedReason: "new ARMS revision ARMS-1@4",
        closedAt: T2,
      });
      expect(closed?.history.map((e) => [e.action, e.fromState, e.toState])).toEqual([
        ["RAISED", null, "OPEN"],
        ["CLOSED", "OPEN", "CLOSED"],
      ]);
      const lv1History = await getConflict(db, lv1.id);
      expect(lv1History?.history.map((e) => [e.action, e.actor, e.at])).toEqual([
        ["RAISED", "bridge", T0],
        ["ACKNOWLEDGED", "reviewer-a", T1],
        ["REFRESHED", "bridge", T2],
      ]);
      const audit = await auditTrail(db, { personId });
      expect(audit.filter((e) => e.action === "CONFLICT_RAISED")).toHaveLength(4);
      expect(audit.filter((e) => e.action === "CONFLICT_CLOSED")).toHaveLength(1);
    });

    it("a conflict that returns after closing opens afresh; the closed one keeps its history", async () => {
      const personId = await newPerson();
      const raised = await syncConflicts(db, personId, [conflict("LV-2", "overall")], {
        now: T0,
        reason: "r1",
      });
      await syncConflicts(db, personId, [], { now: T1, reason: "OASys 9630349 replaces 9630348" });
      const back = await syncConflicts(db, personId, [conflict("LV-2", "overall")], {
        now: T2,
        reason: "r3",
      });
      expect(back.opened).toHaveLength(1);
      expect(back.opened[0]?.id).not.toBe(raised.opened[0]?.id);
      expect((await getConflict(db, raised.opened[0]!.id))?.conflict.state).toBe("CLOSED");
    });

    it("a decision stands when the same evidence is raised again; new evidence raises a new conflict", async () => {
      const personId = await newPerson();
      const { opened } = await syncConflicts(db, personId, [conflict("FC-2", "HOSTILE_ORIENTATION")], {
        now: T0,
        reason: "r1",
      });
      const id = opened[0]!.id;
      await recordDecision(db, id, { action: "ACKNOWLEDGE", actor: "reviewer-a", at: T1 });
      await recordDecision(db, id, resolveBy("reviewer-a", T1));

      const same = await syncConflicts(db, personId, [conflict("FC-2", "HOSTILE_ORIENTATION")], {
        now: T2,
        reason: "re-run",
      });
      expect(same.opened).toEqual([]);
      expect(same.alreadyDecided.map((c) => c.id)).toEqual([id]);

      const changed = await syncConflicts(
        db,
        personId,
        [conflict("FC-2", "HOSTILE_ORIENTATION", { oasysValue: 1 })],
        {
          now: T3,
          reason: "new OASys assessment",
        },
      );
      expect(changed.opened).toHaveLength(1);
      const reopened = await getConflict(db, changed.opened[0]!.id);
      expect(reopened?.history[0]).toMatchObject({ action: "RAISED", details: { previousDecision: id } });
      expect((await getConflict(db, id))?.conflict.state).toBe("RESOLVED");
    });

    it("new evidence withdraws a pending four-eyes approval", async () => {
      const personId = await newPerson();
      const { opened } = await syncConflicts(db, personId, [conflict("ID-3", "dob", { severity: "BLOCK" })], {
        now: T0,
        reason: "r1",
      });
      const id = opened[0]!.id;
      await recordDecision(db, id, { action: "ACKNOWLEDGE", actor: "reviewer-a", at: T0 });
      await recordDecision(db, id, resolveBy("reviewer-a", T1));
      expect((await getConflict(db, id))?.conflict.pendingApproval).toMatchObject({ actor: "reviewer-a" });

      await syncConflicts(
        db,
        personId,
        [conflict("ID-3", "dob", { severity: "BLOCK", armsValue: "1981-02-01" })],
        {
          now: T2,
          reason: "new ARMS revision",
        },
      );
      const after = await getConflict(db, id);
      expect(after?.conflict).toMatchObject({ state: "ACKNOWLEDGED", pendingApproval: null });
      expect(after?.history.at(-1)).toMatchObject({ action: "APPROVAL_WITHDRAWN" });
      // reviewer-b now only records the first approval on the new evidence.
      const next = await recordDecision(db, id, resolveBy("reviewer-b", T3));
      expect(next.conflict.state).toBe("ACKNOWLEDGED");
    });

    it("refuses two evaluated conflicts with one fingerprint, and an unknown person", async () => {
      const personId = await newPerson();
      const twice = [conflict("LV-1", "overall"), conflict("LV-1", "overall")];
      expect(await rejectionCode(syncConflicts(db, personId, twice, { now: T0, reason: "x" }))).toBe(
        "BRIDGE_E_INTERNAL",
      );
      const nobody = "00000000-0000-4000-8000-000000000000";
      expect(await rejectionCode(syncConflicts(db, nobody, [], { now: T0, reason: "x" }))).toBe(
        "BRIDGE_E_NOT_FOUND",
      );
    });
  });

  describe("decisions (recordDecision)", () => {
    it("walks OPEN -> ACKNOWLEDGED -> RESOLVED recording decision, rationale, who and when", async () => {
      const personId = await newPerson();
      const { opened } = await syncConflicts(db, personId, [conflict("LV-1", "overall")], {
        now: T0,
        reason: "r",
      });
      const id = opened[0]!.id;
      expect(await rejectionCode(recordDecision(db, id, resolveBy("reviewer-a", T1)))).toBe(
        "BRIDGE_E_CONFLICT_TRANSITION",
      );
      await recordDecision(db, id, {
        action: "ACKNOWLEDGE",
        actor: "reviewer-a",
        at: T1,
        correlationId: "c-1",
      });
      const { conflict: resolved } = await recordDecision(db, id, resolveBy("reviewer-b", T2));
      expect(resolved).toMatchObject({
        state: "RESOLVED",
        decision: "ARMS level stands; OASys RoSH to be reviewed",
        rationale: "RoSH predates the new ARMS home visit",
        decidedBy: ["reviewer-b"],
        decidedAt: T2,
        updatedAt: T2,
      });
      expect(
        await rejectionCode(
          recordDecision(db, id, { action: "DISMISS", actor: "x", rationale: "y", at: T3 }),
        ),
      ).toBe("BRIDGE_E_CONFLICT_TRANSITION");
      const trail = await auditTrail(db, { subjectType: "CONFLICT", subjectId: id });
      expect(trail.map((e) => [e.action, e.actor, e.correlationId])).toEqual([
        ["CONFLICT_RAISED", "bridge", null],
        ["CONFLICT_ACKNOWLEDGED", "reviewer-a", "c-1"],
        ["CONFLICT_RESOLVED", "reviewer-b", null],
      ]);
    });

    it("needs two different reviewers to resolve a BLOCK conflict", async () => {
      const personId = await newPerson();
      const { opened } = await syncConflicts(db, personId, [conflict("ID-1", "pnc", { severity: "BLOCK" })], {
        now: T0,
        reason: "r",
      });
      const id = opened[0]!.id;
      await recordDecision(db, id, { action: "ACKNOWLEDGE", actor: "reviewer-a", at: T0 });
      const first = await recordDecision(db, id, resolveBy("reviewer-a", T1));
      expect(first.conflict).toMatchObject({
        state: "ACKNOWLEDGED",
        pendingApproval: { actor: "reviewer-a" },
      });
      expect(await rejectionCode(recordDecision(db, id, resolveBy("reviewer-a", T2)))).toBe(
        "BRIDGE_E_FOUR_EYES",
      );
      const second = await recordDecision(db, id, resolveBy("reviewer-b", T2));
      expect(second.conflict).toMatchObject({
        state: "RESOLVED",
        decidedBy: ["reviewer-a", "reviewer-b"],
        pendingApproval: null,
      });
      const history = (await getConflict(db, id))?.history.map((e) => [e.action, e.actor]);
      expect(history).toEqual([
        ["RAISED", "bridge"],
        ["ACKNOWLEDGED", "reviewer-a"],
        ["APPROVED", "reviewer-a"],
        ["RESOLVED", "reviewer-b"],
      ]);
    });

    it("holds four-eyes when two reviewers decide at the same moment", async () => {
      const personId = await newPerson();
      const { opened } = await syncConflicts(db, personId, [conflict("ID-6", "lao", { severity: "BLOCK" })], {
        now: T0,
        reason: "r",
      });
      const id = opened[0]!.id;
      await recordDecision(db, id, { action: "ACKNOWLEDGE", actor: "reviewer-a", at: T0 });
      const outcomes = await Promise.all([
        recordDecision(db, id, resolveBy("reviewer-a", T1)),
        recordDecision(db, id, resolveBy("reviewer-b", T1)),
      ]);
      expect(outcomes.map((o) => o.event.action).sort()).toEqual(["APPROVED", "RESOLVED"]);
      expect((await getConflict(db, id))?.conflict.decidedBy?.sort()).toEqual(["reviewer-a", "reviewer-b"]);
    });

    it("refuses an incomplete decision and an unknown conflict", async () => {
      const personId = await newPerson();
      const { opened } = await syncConflicts(db, personId, [conflict("LV-1", "overall")], {
        now: T0,
        reason: "r",
      });
      const id = opened[0]!.id;
      await recordDecision(db, id, { action: "ACKNOWLEDGE", actor: "reviewer-a", at: T0 });
      expect(
        await rejectionCode(recordDecision(db, id, { action: "DISMISS", actor: "reviewer-a", at: T1 })),
      ).toBe("BRIDGE_E_DECISION_INCOMPLETE");
      expect((await getConflict(db, id))?.history).toHaveLength(2);
      const unknown = "00000000-0000-4000-8000-000000000000";
      expect(await rejectionCode(recordDecision(db, unknown, resolveBy("a", T1)))).toBe("BRIDGE_E_NOT_FOUND");
      expect(await rejectionCode(recordDecision(db, "not-a-uuid", resolveBy("a", T1)))).toBe(
        "BRIDGE_E_NOT_FOUND",
      );
      expect(await getConflict(db, "not-a-uuid")).toBeNull();
    });
  });

  describe("listing (listConflicts)", () => {
    it("filters by rule, severity, state, person, force and opening time, and pages without gaps", async () => {
      const kent = await newPerson("KENT");
      const times = ["2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z"];
      for (const [i, now] of times.entries()) {
        await syncConflicts(
          db,
          kent,
          [
            ...times.slice(0, i + 1).map((_, j) => conflict("SP-1", `band-${j}`)),
            conflict("MP-1", "mappa", { severity: "INFO" }),
          ],
          { now, reason: `run ${i}` },
        );
      }
      const mine = { personId: kent };
      expect((await listConflicts(db, { ...mine, ruleId: "SP-1" })).items).toHaveLength(3);
      expect((await listConflicts(db, { ...mine, severity: "INFO" })).items.map((c) => c.ruleId)).toEqual([
        "MP-1",
      ]);
      expect((await listConflicts(db, { force: "KENT", ruleId: "MP-1" })).items).toHaveLength(1);
      expect((await listConflicts(db, { force: "NOWHERE" })).items).toEqual([]);
      expect(
        (await listConflicts(db, { ...mine, openedAfter: times[1], openedBefore: times[2] })).items.map(
          (c) => c.fingerprint,
        ),
      ).toEqual(["SP-1:band-1"]);

      const first = await listConflicts(db, { ...mine, state: ["OPEN"] });
      const sp1 = first.items.find((c) => c.ruleId === "SP-1")!;
      await recordDecision(db, sp1.id, { action: "ACKNOWLEDGE", actor: "reviewer-a", at: T0 });
      expect((await listConflicts(db, { ...mine, state: "ACKNOWLEDGED" })).items.map((c) => c.id)).toEqual([
        sp1.id,
      ]);

      const all: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof listConflicts>> = await listConflicts(db, {
          ...mine,
          limit: 2,
          cursor,
        });
        expect(page.items.length).toBeLessThanOrEqual(2);
        all.push(...page.items.map((c) => c.openedAt));
        cursor = page.nextCursor;
      } while (cursor);
      expect(all).toHaveLength(4);
      expect([...all].sort().reverse()).toEqual(all);
    });

    it("refuses a bad page size or a forged cursor", async () => {
      expect(await rejectionCode(listConflicts(db, { limit: 0 }))).toBe("BRIDGE_E_USAGE");
      expect(await rejectionCode(listConflicts(db, { limit: 501 }))).toBe("BRIDGE_E_USAGE");
      expect(await rejectionCode(listConflicts(db, { cursor: "bm90LWEtY3Vyc29y" }))).toBe("BRIDGE_E_USAGE");
    });
  });
});
