import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/store/db.ts";
import {
  armsHistory,
  currentArms,
  currentArmsForPerson,
  saveArmsRevision,
} from "../../src/store/repositories/arms.ts";
import { getRawExport, saveRawExport } from "../../src/store/repositories/exports.ts";
import {
  getOasysAssessment,
  latestValidOasysFor,
  oasysAssessmentsFor,
  saveOasysAssessment,
} from "../../src/store/repositories/oasys.ts";
import { upsertPerson } from "../../src/store/repositories/persons.ts";
import {
  armsAssessment,
  DRIVERS,
  freshStore,
  newArmsId,
  newKeys,
  newPk,
  oasysAssessment,
  rejectionCode,
} from "./support.ts";

const T0 = "2026-11-20T10:00:00.000Z";
const T1 = "2026-11-21T10:00:00.000Z";
const T2 = "2026-11-22T10:00:00.000Z";

describe.each(DRIVERS)("records on $driver", (driver) => {
  let db: Db;
  let done: () => Promise<void>;
  beforeAll(async () => {
    ({ db, done } = await freshStore(driver));
  });
  afterAll(() => done());

  describe("raw exports", () => {
    it("stores bytes once per content and recognises a re-post", async () => {
      const bytes = new TextEncoder().encode(`<oasysExport exportId="EXP-${Math.random()}"/>`);
      const first = await saveRawExport(db, bytes, "api", T0);
      expect(first).toMatchObject({ duplicate: false, byteLength: bytes.byteLength, receivedAt: T0 });
      expect(first.contentSha256).toMatch(/^[0-9a-f]{64}$/);

      const again = await saveRawExport(db, Uint8Array.from(bytes), "file", T1);
      expect(again).toEqual({ ...first, duplicate: true });

      const held = await getRawExport(db, first.exportId);
      expect(held?.source).toBe("api");
      expect(Array.from(held!.content)).toEqual(Array.from(bytes));
    });

    it("stores one row when the same bytes are posted concurrently", async () => {
      const bytes = new TextEncoder().encode(`<oasysExport exportId="EXP-CONCURRENT-${Math.random()}"/>`);
      const results = await Promise.all(Array.from({ length: 6 }, () => saveRawExport(db, bytes, "api", T0)));
      expect(new Set(results.map((r) => r.exportId)).size).toBe(1);
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    });

    it("answers null for an unknown export id", async () => {
      expect(await getRawExport(db, "00000000-0000-4000-8000-000000000000")).toBeNull();
    });
  });

  describe("OASys assessments: the re-ingest rule", () => {
    it("creates, then ignores identical content, updates newer content, and refuses an older source", async () => {
      const keys = newKeys();
      const pk = newPk();
      const v1 = oasysAssessment({ pk, keys, status: "OPEN", dateCompleted: null });
      const save = (assessment: typeof v1, sourceAsOf: string) =>
        saveOasysAssessment(db, { assessment, sourceKind: "XML_EXPORT", sourceAsOf, ingestedAt: T2 });

      expect(await save(v1, T1)).toEqual({ assessmentPk: pk, outcome: "CREATED", version: 1 });
      expect(await save(structuredClone(v1), T2)).toMatchObject({ outcome: "UNCHANGED", version: 1 });

      const completed = oasysAssessment({
        pk,
        keys,
        status: "COMPLETE",
        dateCompleted: "2026-10-03T14:05:00",
      });
      expect(await save(completed, T1)).toMatchObject({ outcome: "UPDATED", version: 2 });
      // A back-fill file generated before the stored version must not roll it back.
      expect(await save(v1, T0)).toMatchObject({ outcome: "STALE", version: 2 });

      const stored = await getOasysAssessment(db, pk);
      expect(stored).toMatchObject({
        status: "COMPLETE",
        version: 2,
        sourceAsOf: T1,
        // 14:05 London summer time is 13:05 UTC.
        dateCompleted: "2026-10-03T13:05:00.000Z",
      });
      expect(stored?.assessment).toEqual(completed);
    });

    it("finds the latest valid assessment: COMPLETE, latest dateCompleted, not superseded in OASys", async () => {
      const keys = newKeys();
      const save = (assessment: ReturnType<typeof oasysAssessment>) =>
        saveOasysAssessment(db, { assessment, sourceKind: "ORDS_PULL", sourceAsOf: T0, ingestedAt: T0 });
      const older = newPk();
      const newerButFlagged = newPk();
      const open = newPk();
      const valid = newPk();
      await save(oasysAssessment({ pk: older, keys, dateCompleted: "2025-01-10T10:00:00" }));
      await save(
        oasysAssessment({ pk: valid, keys: { crn: keys.crn }, dateCompleted: "2026-03-01T10:00:00" }),
      );
      await save(
        oasysAssessment({
          pk: newerButFlagged,
          keys,
          dateCompleted: "2026-06-01T10:00:00",
          laterCompleteAssessmentExists: true,
        }),
      );
      await save(oasysAssessment({ pk: open, keys, status: "OPEN", dateCompleted: null }));

      expect((await latestValidOasysFor(db, keys))?.assessmentPk).toBe(valid);
      expect((await latestValidOasysFor(db, { pnc: keys.pnc }))?.assessmentPk).toBe(older);
      const { person } = await upsertPerson(db, keys, T0);
      expect((await latestValidOasysFor(db, { personId: person.id }))?.assessmentPk).toBe(valid);
      expect((await oasysAssessmentsFor(db, keys)).map((a) => a.assessmentPk)).toEqual([
        newerButFlagged,
        valid,
        older,
        open,
      ]);
      expect(await latestValidOasysFor(db, newKeys())).toBeNull();
    });
  });

  describe("ARMS revisions: the current-revision rule", () => {
    it("supersedes with a higher revision and keeps a late older one as history only", async () => {
      const keys = newKeys();
      const id = newArmsId();
      const doc = (revision: number) =>
        armsAssessment({ id, revision, keys, riskLevel: revision > 2 ? "VERY_HIGH" : "HIGH" });

      expect(await saveArmsRevision(db, doc(2), T0)).toEqual({
        outcome: "STORED_CURRENT",
        stored: true,
        current: true,
        currentRevision: 2,
      });
      expect(await saveArmsRevision(db, doc(3), T1)).toEqual({
        outcome: "STORED_CURRENT",
        stored: true,
        current: true,
        currentRevision: 3,
        supersededRevision: 2,
      });
      expect(await saveArmsRevision(db, doc(1), T2)).toEqual({
        outcome: "STORED_HISTORY",
        stored: true,
        current: false,
        currentRevision: 3,
      });
      expect((await currentArms(db, id))?.document).toEqual(doc(3));
      expect((await armsHistory(db, id)).map((r) => r.revision)).toEqual([1, 2, 3]);
    });

    it("recognises a re-delivered revision and refuses one re-sent with different content", async () => {
      const keys = newKeys();
      const id = newArmsId();
      await saveArmsRevision(db, armsAssessment({ id, revision: 1, keys }), T0);
      await saveArmsRevision(db, armsAssessment({ id, revision: 2, keys }), T0);
      expect(await saveArmsRevision(db, armsAssessment({ id, revision: 2, keys }), T1)).toEqual({
        outcome: "DUPLICATE",
        stored: false,
        current: true,
        currentRevision: 2,
      });
      expect(await saveArmsRevision(db, armsAssessment({ id, revision: 1, keys }), T1)).toMatchObject({
        outcome: "DUPLICATE",
        current: false,
      });
      const changed = armsAssessment({ id, revision: 2, keys, riskLevel: "LOW" });
      expect(await rejectionCode(saveArmsRevision(db, changed, T1))).toBe("BRIDGE_E_ARMS_REVISION_CONFLICT");
      expect((await currentArms(db, id))?.document.riskLevel).toBe("HIGH");
    });

    it("ends with the highest revision current when writers race, whatever order they commit in", async () => {
      const keys = newKeys();
      const id = newArmsId();
      const revisions = [4, 1, 7, 3, 6, 2, 5];
      const results = await Promise.all(
        revisions.map((revision) => saveArmsRevision(db, armsAssessment({ id, revision, keys }), T0)),
      );
      expect((await currentArms(db, id))?.revision).toBe(7);
      expect(results.every((r) => r.stored)).toBe(true);
      const seven = results[revisions.indexOf(7)]!;
      expect(seven.current).toBe(true);
      // Each revision that became current replaced a lower one, and no lower revision replaced a higher.
      for (const r of results)
        if (r.supersededRevision !== undefined) expect(r.supersededRevision).toBeLessThan(r.currentRevision);
      expect((await armsHistory(db, id)).map((r) => r.revision)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    });

    it("finds a person's current ARMS assessments by their PNC or CRN", async () => {
      const keys = newKeys();
      const byPnc = newArmsId();
      const byCrn = newArmsId();
      await saveArmsRevision(db, armsAssessment({ id: byPnc, revision: 1, keys: { pnc: keys.pnc } }), T0);
      await saveArmsRevision(db, armsAssessment({ id: byPnc, revision: 2, keys: { pnc: keys.pnc } }), T1);
      await saveArmsRevision(db, armsAssessment({ id: byCrn, revision: 1, keys: { crn: keys.crn } }), T0);
      await saveArmsRevision(db, armsAssessment({ id: newArmsId(), revision: 1, keys: newKeys() }), T0);
      const { person } = await upsertPerson(db, keys, T0);
      const found = await currentArmsForPerson(db, person.id);
      expect(found.map((a) => [a.armsAssessmentId, a.revision]).sort()).toEqual(
        [
          [byCrn, 1],
          [byPnc, 2],
        ].sort(),
      );
    });
  });
});
