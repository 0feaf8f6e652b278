import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MatchResult } from "../../src/core/identity/match-types.ts";
import type { Db } from "../../src/store/db.ts";
import { saveArmsRevision } from "../../src/store/repositories/arms.ts";
import { auditTrail } from "../../src/store/repositories/audit.ts";
import { getDraft, saveDraft } from "../../src/store/repositories/drafts.ts";
import { saveOasysAssessment } from "../../src/store/repositories/oasys.ts";
import {
  findPersonByKeys,
  getPerson,
  latestMatch,
  saveMatch,
  upsertPerson,
} from "../../src/store/repositories/persons.ts";
import {
  armsAssessment,
  DRIVERS,
  freshStore,
  newArmsId,
  newKeys,
  newPk,
  oasysAssessment,
} from "./support.ts";

const T0 = "2026-11-20T10:00:00.000Z";
const T1 = "2026-11-21T10:00:00.000Z";

const matched: MatchResult = {
  status: "MATCHED",
  matchedOn: ["PNC", "CRN"],
  confirmedBy: ["dateOfBirth", "familyName"],
  disagreements: [],
  markers: [],
  explanation: "PNC and CRN agree; date of birth and family name confirm",
};

describe.each(DRIVERS)("persons, matches and drafts on $driver", (driver) => {
  let db: Db;
  let done: () => Promise<void>;
  beforeAll(async () => {
    ({ db, done } = await freshStore(driver));
  });
  afterAll(() => done());

  describe("upsertPerson", () => {
    it("creates a person once and finds them again by either key", async () => {
      const keys = newKeys();
      const first = await upsertPerson(db, { ...keys, force: "ESSEX" }, T0);
      expect(first).toMatchObject({ created: true, filled: [], contradictions: [] });
      expect(first.person).toMatchObject({ ...keys, force: "ESSEX", version: 0, createdAt: T0 });

      expect((await upsertPerson(db, { pnc: keys.pnc }, T1)).person.id).toBe(first.person.id);
      expect((await upsertPerson(db, { crn: keys.crn }, T1)).person.id).toBe(first.person.id);
      expect((await findPersonByKeys(db, keys)).map((p) => p.id)).toEqual([first.person.id]);
      expect(await getPerson(db, first.person.id)).toEqual(first.person);
    });

    it("fills a key the person lacks, and never overwrites one they hold", async () => {
      const keys = newKeys();
      const { person } = await upsertPerson(db, { pnc: keys.pnc }, T0);
      const filled = await upsertPerson(db, keys, T1);
      expect(filled).toMatchObject({ created: false, filled: ["crn"], contradictions: [] });
      expect(filled.person).toMatchObject({ id: person.id, crn: keys.crn, updatedAt: T1 });

      const otherCrn = newKeys().crn;
      const contradicted = await upsertPerson(db, { pnc: keys.pnc, crn: otherCrn }, T1);
      expect(contradicted.contradictions).toEqual([{ key: "crn", kind: "DIFFERS", otherPersonId: null }]);
      expect(contradicted.person.crn).toBe(keys.crn);
    });

    it("never merges two persons: a CRN held by someone else is reported, PNC's person wins", async () => {
      const a = await upsertPerson(db, { pnc: newKeys().pnc }, T0);
      const bKeys = newKeys();
      const b = await upsertPerson(db, { crn: bKeys.crn }, T0);
      const result = await upsertPerson(db, { pnc: a.person.pnc, crn: bKeys.crn }, T1);
      expect(result.person.id).toBe(a.person.id);
      expect(result.person.crn).toBeNull();
      expect(result.contradictions).toEqual([
        { key: "crn", kind: "HELD_BY_OTHER", otherPersonId: b.person.id },
      ]);
      expect((await findPersonByKeys(db, { pnc: a.person.pnc, crn: bKeys.crn })).map((p) => p.id)).toEqual([
        a.person.id,
        b.person.id,
      ]);
    });

    it("creates exactly one person when many writers upsert the same keys at once", async () => {
      const keys = newKeys();
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => upsertPerson(db, i % 2 ? keys : { pnc: keys.pnc }, T0)),
      );
      expect(new Set(results.map((r) => r.person.id)).size).toBe(1);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect((await findPersonByKeys(db, keys))[0]).toMatchObject(keys);
    });
  });

  describe("matches", () => {
    it("appends evaluations; the latest is the one in force, and each is audited", async () => {
      const keys = newKeys();
      const { person } = await upsertPerson(db, keys, T0);
      const pk = newPk();
      await saveOasysAssessment(db, {
        assessment: oasysAssessment({ pk, keys }),
        sourceKind: "XML_EXPORT",
        sourceAsOf: T0,
        ingestedAt: T0,
      });
      const armsId = newArmsId();
      await saveArmsRevision(db, armsAssessment({ id: armsId, revision: 1, keys }), T0);

      const base = { personId: person.id, assessmentPk: pk, armsAssessmentId: armsId, armsRevision: 1 };
      const mismatch: MatchResult = {
        ...matched,
        status: "MISMATCH",
        disagreements: [{ field: "dateOfBirth", oasys: null, arms: null }],
      };
      await saveMatch(db, { ...base, result: mismatch, evaluatedAt: T0 });
      await saveMatch(db, { ...base, result: matched, evaluatedAt: T1, correlationId: "corr-1" });
      expect(await latestMatch(db, person.id)).toMatchObject({
        ...base,
        status: "MATCHED",
        details: matched,
      });

      const trail = await auditTrail(db, { personId: person.id });
      expect(trail.map((e) => [e.action, e.details.status, e.correlationId])).toEqual([
        ["IDENTITY_MATCHED", "MISMATCH", null],
        ["IDENTITY_MATCHED", "MATCHED", "corr-1"],
      ]);
    });
  });

  describe("drafts", () => {
    it("keeps one draft per assessment and mapping version, replacing it only when it changed", async () => {
      const keys = newKeys();
      const pk = newPk();
      await saveOasysAssessment(db, {
        assessment: oasysAssessment({ pk, keys }),
        sourceKind: "XML_EXPORT",
        sourceAsOf: T0,
        ingestedAt: T0,
      });
      const draft = { ...armsAssessment({ id: `DRAFT-${pk}`, revision: 0, keys }), status: "DRAFT" as const };
      const input = { personId: null, assessmentPk: pk, mappingVersion: "oasys-arms/1.0.0", draft, now: T0 };

      const created = await saveDraft(db, input);
      expect(created.outcome).toBe("CREATED");
      expect(await saveDraft(db, { ...input, now: T1 })).toEqual({ ...created, outcome: "UNCHANGED" });
      const changed = { ...draft, riskLevel: "MEDIUM" as const };
      expect(await saveDraft(db, { ...input, draft: changed, now: T1 })).toEqual({
        ...created,
        outcome: "UPDATED",
      });
      const other = await saveDraft(db, { ...input, mappingVersion: "oasys-arms/1.1.0" });
      expect(other.draftId).not.toBe(created.draftId);

      expect(await getDraft(db, pk, "oasys-arms/1.0.0")).toMatchObject({
        draft: changed,
        createdAt: T0,
        updatedAt: T1,
      });
      const trail = (await auditTrail(db, { subjectType: "OASYS_ASSESSMENT", subjectId: String(pk) })).filter(
        (e) => e.action === "PREFILL_GENERATED",
      );
      // Oldest first: both creations at T0, then the update at T1.
      expect(trail.map((e) => [e.details.mappingVersion, e.details.outcome, e.at])).toEqual([
        ["oasys-arms/1.0.0", "CREATED", T0],
        ["oasys-arms/1.1.0", "CREATED", T0],
        ["oasys-arms/1.0.0", "UPDATED", T1],
      ]);
    });
  });
});
