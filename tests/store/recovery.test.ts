/**
 * What the recovery sweep reads (src/store/repositories/recovery.ts): migration 0005 on a store holding
 * work from before it (finished work is told by the job keys already recorded; legacy dead letters are
 * keyed once), the pages of unfinished work, and the partial indexes those pages are read through.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Db, dropSchema, openDb } from "../../src/store/db.ts";
import { loadMigrations, migrate } from "../../src/store/migrate.ts";
import { saveArmsRevision } from "../../src/store/repositories/arms.ts";
import { saveOasysAssessment } from "../../src/store/repositories/oasys.ts";
import {
  UNFINISHED_PAGES,
  type UnfinishedSource,
  unfinishedPage,
} from "../../src/store/repositories/recovery.ts";
import {
  armsAssessment,
  DRIVERS,
  newArmsId,
  newKeys,
  newPk,
  oasysAssessment,
  uniqueSchema,
} from "./support.ts";

const AT = "2026-11-20T10:00:00.000Z";
const LATER = "2026-11-20T11:00:00.000Z";

describe.each(DRIVERS)("recovery sweep store on $driver", (driver) => {
  let db: Db;
  const ids = {
    exports: {} as Record<"done" | "replayed" | "open" | "bundle", string>,
    pks: { done: newPk(), open: newPk() },
    arms: { done: newArmsId(), open: newArmsId() },
  };

  beforeAll(async () => {
    db = await openDb(driver.config(uniqueSchema()));
    await migrate(db, loadMigrations().slice(0, 4));
    // Work from before 0005: some finished (its job key recorded, or a replay's), some not.
    for (const [name, source] of [
      ["done", "http:application/xml"],
      ["replayed", "http:application/xml"],
      ["open", "http:application/xml"],
      ["bundle", "http:application/json"],
    ] as const) {
      const [row] = await db.query<{ id: string }>(
        `INSERT INTO raw_exports (content_sha256, content, byte_length, source, received_at)
         VALUES (encode(sha256($1::bytea), 'hex'), $1::bytea, 1, $2, $3) RETURNING id::text AS id`,
        [Buffer.from(name), source, AT],
      );
      ids.exports[name] = row!.id;
    }
    // Their audit events are collected, not appended: the audit chain (0006) is not there yet.
    for (const pk of Object.values(ids.pks)) {
      await saveOasysAssessment(
        db,
        {
          assessment: oasysAssessment({ pk, keys: newKeys() }),
          sourceKind: "XML_EXPORT",
          sourceAsOf: AT,
          ingestedAt: AT,
        },
        [],
      );
    }
    for (const [id, revision] of [
      [ids.arms.done, 2],
      [ids.arms.open, 0],
    ] as const) {
      await saveArmsRevision(db, armsAssessment({ id, revision, keys: newKeys() }), AT, { audit: [] });
    }
    for (const jobKey of [
      `ingest:oasys-export:${ids.exports.done}`,
      `ingest:oasys-export:${ids.exports.replayed}:replay-1`,
      `reconcile:OASYS:${ids.pks.done}:1`,
      `reconcile:ARMS:${ids.arms.done}:2:replay-1`,
    ]) {
      await db.query("INSERT INTO processed_jobs (job_key, queue, processed_at) VALUES ($1, 'q', $2)", [
        jobKey,
        LATER,
      ]);
    }
    // A job key lettered twice (possible before 0005), and a replay's letter.
    for (const [jobKey, at] of [
      ["ingest:oasys-export:x", "2026-11-20T10:01:00Z"],
      ["ingest:oasys-export:x", "2026-11-20T10:02:00Z"],
      ["ingest:oasys-export:y:replay-2", "2026-11-20T10:03:00Z"],
    ] as const) {
      await db.query(
        `INSERT INTO dead_letters (stage, subject, error_code, reason, created_at)
         VALUES ('INGEST', $1::jsonb, 'BRIDGE_E_INTERNAL', 'r', $2)`,
        [JSON.stringify({ queue: "ingest", jobKey }), at],
      );
    }
    await migrate(db);
  });
  afterAll(async () => {
    await dropSchema(db);
    await db.close();
  });

  const unfinished = async (source: UnfinishedSource) =>
    (await unfinishedPage(db, source, LATER, null, 100)).map((w) => w.id);

  it("counts work finished when its job key (or a replay's) was recorded before 0005", async () => {
    expect(await unfinished("OASYS_EXPORT")).toEqual([ids.exports.open]);
    expect(await unfinished("OASYS")).toEqual([String(ids.pks.open)]);
    expect(await unfinished("ARMS")).toEqual([ids.arms.open]);
    expect(await unfinished("OASYS_EVENT")).toEqual([]);
    expect(await unfinished("OUTBOX")).toEqual([]);
    // Nothing accepted after the cut-off is read.
    expect(await unfinishedPage(db, "OASYS_EXPORT", "2026-11-20T09:00:00Z", null, 100)).toEqual([]);
  });

  it("keys each legacy dead letter's job once, and names the work of every one", async () => {
    const rows = await db.query<{ jobKey: string | null; workKey: string }>(
      `SELECT job_key AS "jobKey", work_key AS "workKey" FROM dead_letters ORDER BY created_at`,
    );
    expect(rows).toEqual([
      { jobKey: "ingest:oasys-export:x", workKey: "ingest:oasys-export:x" },
      { jobKey: null, workKey: "ingest:oasys-export:x" },
      { jobKey: "ingest:oasys-export:y:replay-2", workKey: "ingest:oasys-export:y" },
    ]);
  });

  it("pages oldest first, after the position given", async () => {
    const pks = [newPk(), newPk(), newPk()];
    for (const pk of pks) {
      await saveOasysAssessment(db, {
        assessment: oasysAssessment({ pk, keys: newKeys() }),
        sourceKind: "XML_EXPORT",
        sourceAsOf: AT,
        ingestedAt: "2026-11-20T10:30:00.000Z",
      });
    }
    const first = await unfinishedPage(db, "OASYS", LATER, null, 2);
    expect(first.map((w) => w.id)).toEqual([String(ids.pks.open), String(pks[0])]);
    const next = await unfinishedPage(db, "OASYS", LATER, first[1]!, 10);
    expect(next).toEqual([
      {
        source: "OASYS",
        at: "2026-11-20T10:30:00.000Z",
        id: String(pks[1]),
        assessmentPk: pks[1],
        version: 1,
      },
      {
        source: "OASYS",
        at: "2026-11-20T10:30:00.000Z",
        id: String(pks[2]),
        assessmentPk: pks[2],
        version: 1,
      },
    ]);
  });

  it.runIf(driver.driver === "postgres")("reads each source through a partial index", async () => {
    const plans = await db.transaction(async (tx) => {
      await tx.query("SET LOCAL enable_seqscan = off");
      const plans: Record<string, string> = {};
      for (const [source, page] of Object.entries(UNFINISHED_PAGES)) {
        const rows = await tx.query<{ "QUERY PLAN": string }>(`EXPLAIN ${page.sql}`, [
          LATER,
          "-infinity",
          page.start,
          500,
        ]);
        plans[source] = rows.map((r) => r["QUERY PLAN"]).join("\n");
      }
      return plans;
    });
    expect(plans.OASYS_EXPORT).toContain("raw_exports_unfinished_idx");
    expect(plans.OASYS_EVENT).toContain("oasys_events_unfinished_idx");
    expect(plans.OASYS).toContain("oasys_assessments_unfinished_idx");
    expect(plans.ARMS).toContain("arms_current_unfinished_idx");
    expect(plans.OUTBOX).toContain("outbox_due_idx");
    expect(plans.OUTBOX).toContain("outbox_in_flight_idx");
  });
});
