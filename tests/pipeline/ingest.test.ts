/**
 * Ingest into the store: an export that fails as a whole (here: not well-formed after its last record)
 * saves none of its assessments, even those read and saved before the fault, while the raw bytes stay for
 * a person to inspect. Generated synthetic exports, both drivers.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { generateExport } from "../../scripts/lib/generate.ts";
import { ingestOasysExport, saveExportAssessments } from "../../src/pipeline/ingest.ts";
import type { Db } from "../../src/store/db.ts";
import { getRawExport, saveRawExport } from "../../src/store/repositories/exports.ts";
import { assessmentsOfExport, oasysAssessmentPage } from "../../src/store/repositories/oasys.ts";
import { DRIVERS, freshStore } from "../store/support.ts";

const TODAY = "2026-11-20";
const NOW = "2026-11-20T10:00:00.000Z";

/** A generated export of `count` well-formed assessments, as one string. */
function exportXml(count: number, seed: number): string {
  return [...generateExport({ count, seed, malformedRate: 0 })].join("");
}

describe.each(DRIVERS)("ingestOasysExport on $driver", (driver) => {
  let db: Db;
  let done: () => Promise<void>;
  beforeEach(async () => {
    ({ db, done } = await freshStore(driver));
  });
  afterEach(() => done());

  const ingest = (xml: string) =>
    ingestOasysExport(db, { bytes: Buffer.from(xml), source: "test", today: TODAY, now: NOW });

  it.each([1, 5, 120])(
    "saves none of %i assessments when the file breaks after the last one, and keeps the raw bytes",
    async (count) => {
      const whole = exportXml(count, 7000 + count);
      const broken = `${whole.slice(0, whole.lastIndexOf("</oasysExport>"))}<oasysExport>`;
      const report = await ingest(broken);
      expect(report.failure?.code).toMatch(/^BRIDGE_E_XML/);
      expect(report.saved).toEqual([]);
      expect(await oasysAssessmentPage(db)).toEqual([]);
      expect(await assessmentsOfExport(db, report.exportId)).toEqual([]);
      expect((await getRawExport(db, report.exportId))?.content.length).toBe(Buffer.byteLength(broken));
    },
  );

  it("saves an export of one assessment without a transaction or savepoint of its own; a larger one in one", async () => {
    const opened: number[] = [];
    const counting = (count: number): Db => ({
      ...db,
      query: (sql, params) => db.query(sql, params),
      transaction: (fn) => {
        opened.push(count);
        return db.transaction(fn);
      },
    });
    for (const count of [1, 5]) {
      const xml = exportXml(count, 7100 + count);
      const saved = await saveRawExport(db, Buffer.from(xml), "test", NOW);
      const report = await saveExportAssessments(counting(count), {
        exportId: saved.exportId,
        bytes: Buffer.from(xml),
        today: TODAY,
        now: NOW,
      });
      expect(report.failure).toBeNull();
      expect(report.saved).toHaveLength(report.accepted.length);
    }
    expect(opened).toEqual([5]);
  });

  it("saves every assessment when its transaction is re-run, as PostgreSQL's store does after a deadlock", async () => {
    // A store whose first attempt at a transaction does the work, then rolls it back as a deadlock would.
    let attempts = 0;
    const deadlockOnce: Db = {
      ...db,
      query: (sql, params) => db.query(sql, params),
      transaction: async (fn) => {
        if (attempts++ === 0) {
          await db
            .transaction(async (tx) => {
              await fn(tx);
              throw Object.assign(new Error("deadlock detected"), { code: "40P01" });
            })
            .catch(() => {});
        }
        return db.transaction(fn);
      },
    };
    const xml = exportXml(5, 7205);
    const saved = await saveRawExport(db, Buffer.from(xml), "test", NOW);
    const report = await saveExportAssessments(deadlockOnce, {
      exportId: saved.exportId,
      bytes: Buffer.from(xml),
      today: TODAY,
      now: NOW,
    });
    expect(attempts).toBe(1);
    expect(report.failure).toBeNull();
    expect(report.accepted.length).toBeGreaterThan(1);
    expect(report.saved).toHaveLength(report.accepted.length);
    expect(await oasysAssessmentPage(db)).toHaveLength(report.accepted.length);
  });

  it("saves every assessment of the same export when it is whole", async () => {
    const report = await ingest(exportXml(5, 7005));
    expect(report.failure).toBeNull();
    expect(report.saved).toHaveLength(report.accepted.length);
    expect(await oasysAssessmentPage(db)).toHaveLength(report.accepted.length);
  });
});
