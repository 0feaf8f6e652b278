/**
 * `bridge audit verify|export` and `bridge retention run` through the command, on PostgreSQL: verify exits
 * 0 on a whole chain and 2 with the seq and reason of the first broken link (an altered entry, a deleted
 * one); export answers a subject-access request by person id, CRN or PNC over a period, as JSON lines,
 * without echoing the subject; without DATABASE_URL the commands say there is no store to read; an
 * embedded store with nothing appended says its chain is empty.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import type { Db } from "../../src/store/index.ts";
import { auditConsultation, subjectKey } from "../../src/store/repositories/audit.ts";
import { saveOasysAssessment } from "../../src/store/repositories/oasys.ts";
import { saveMatch, upsertPerson } from "../../src/store/repositories/persons.ts";
import { DATABASE_URL, DRIVERS, freshStore, newKeys, newPk, oasysAssessment } from "../store/support.ts";
import { captureIo } from "./capture.ts";

const saved = { ...process.env };

async function run(...argv: string[]) {
  const { io, stdout, stderr } = captureIo();
  const code = await main(argv, io);
  return { code, out: stdout.text, err: stderr.text };
}

const withoutStore = async <T>(fn: () => Promise<T>): Promise<T> => {
  const held = { DATABASE_URL: process.env.DATABASE_URL, BRIDGE_DATA_DIR: process.env.BRIDGE_DATA_DIR };
  delete process.env.DATABASE_URL;
  delete process.env.BRIDGE_DATA_DIR;
  try {
    return await fn();
  } finally {
    Object.assign(process.env, held);
  }
};

describe("bridge audit on PostgreSQL", () => {
  let db: Db;
  let done: () => Promise<void>;
  const keys = newKeys();
  const pk = newPk();
  let personId: string;

  beforeAll(async () => {
    ({ db, done } = await freshStore(DRIVERS[0]!));
    Object.assign(process.env, { DATABASE_URL, DB_SCHEMA: db.schema, LOG_LEVEL: "silent" });
    // The subject's assessment, their person and match, a read of them; another person's trail besides.
    await saveOasysAssessment(db, {
      assessment: oasysAssessment({ pk, keys }),
      sourceKind: "XML_EXPORT",
      sourceAsOf: "2026-10-03T10:00:00.000Z",
      ingestedAt: "2026-10-03T10:00:00.000Z",
    });
    personId = (await upsertPerson(db, keys, "2026-10-04T10:00:00.000Z")).person.id;
    await saveMatch(db, {
      personId,
      assessmentPk: pk,
      armsAssessmentId: null,
      armsRevision: null,
      result: {
        status: "MATCHED",
        matchedOn: ["PNC", "CRN"],
        confirmedBy: [],
        disagreements: [],
        markers: [],
        explanation: "test",
      },
      evaluatedAt: "2026-10-04T10:00:00.000Z",
    });
    await auditConsultation(db, {
      at: "2026-11-02T09:00:00.000Z",
      actor: "user-17",
      role: "DATA_TEAM",
      agency: "PROBATION",
      subjectIds: [subjectKey("PERSON", personId)],
      justification: "review",
      correlationId: "req-9",
    });
    const other = (await upsertPerson(db, newKeys(), "2026-10-04T10:00:00.000Z")).person.id;
    await auditConsultation(db, {
      at: "2026-11-02T09:05:00.000Z",
      actor: "user-17",
      role: "DATA_TEAM",
      agency: "PROBATION",
      subjectIds: [subjectKey("PERSON", other)],
      justification: "review",
      correlationId: "req-10",
    });
  });
  afterAll(async () => {
    process.env = saved;
    await done();
  });

  it("exports a subject's trail by person id, CRN or PNC, in the period asked, never echoing the subject", async () => {
    for (const subject of [personId, keys.crn, keys.pnc, keys.crn.toLowerCase()]) {
      const exported = await run(
        "audit",
        "export",
        "--subject",
        subject,
        "--from",
        "2026-10-01",
        "--to",
        "2026-12-31",
        "--json",
      );
      expect(exported.code, subject).toBe(0);
      const entries = exported.out
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(
        entries.map((e) => [e.action, e.category]),
        subject,
      ).toEqual([
        ["OASYS_ASSESSMENT_STORED", "COLLECTION"],
        ["IDENTITY_MATCHED", "COMBINATION"],
        ["PERSON_VIEWED", "CONSULTATION"],
      ]);
      expect(entries[2]).toMatchObject({ actor: "user-17", role: "DATA_TEAM", agency: "PROBATION" });
      expect(entries[2].hash).toMatch(/^[0-9a-f]{64}$/);
      expect(exported.out + exported.err).not.toContain(keys.crn);
      expect(exported.out + exported.err).not.toContain(keys.pnc);
    }
    const october = await run(
      "audit",
      "export",
      "--subject",
      keys.crn,
      "--from",
      "2026-10-01",
      "--to",
      "2026-10-31",
    );
    expect(october.code).toBe(0);
    expect(october.out.trim().split("\n")).toHaveLength(2);
    expect(october.err).toContain("2 audit entries about that subject");

    const bad = await run(
      "audit",
      "export",
      "--subject",
      "Z99/NOTAPNC",
      "--from",
      "2026-10-01",
      "--to",
      "2026-10-31",
    );
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("--subject must be a person id");
    expect(bad.err).not.toContain("NOTAPNC");
    expect(
      (await run("audit", "export", "--subject", keys.crn, "--from", "2026-13-01", "--to", "2026-10-31"))
        .code,
    ).toBe(1);
  });

  it("verify exits 0 on a whole chain, 2 at the first broken link: an altered entry, then a deleted one", async () => {
    const whole = await run("audit", "verify");
    expect(whole.code).toBe(0);
    expect(whole.out).toMatch(/^audit chain whole: 4 entries verified, seq 1\.\.4/);

    await db.transaction(async (tx) => {
      await tx.query("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only");
      await tx.query(`UPDATE audit_events SET actor = 'someone-else' WHERE seq = 3`);
      await tx.query("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only");
    });
    const altered = await run("audit", "verify");
    expect(altered.code).toBe(2);
    expect(altered.out).toMatch(/^audit chain broken at seq 3: ALTERED_CONTENT: /);
    expect(JSON.parse((await run("audit", "verify", "--json")).out)).toMatchObject({
      ok: false,
      broken: { seq: 3, reason: "ALTERED_CONTENT" },
    });
    expect((await run("audit", "verify", "--from-seq", "4")).code).toBe(0);

    await db.transaction(async (tx) => {
      await tx.query("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only");
      await tx.query("DELETE FROM audit_events WHERE seq = 2");
      await tx.query("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only");
    });
    const deleted = await run("audit", "verify");
    expect(deleted.code).toBe(2);
    expect(deleted.out).toMatch(/^audit chain broken at seq 2: MISSING_SEQ: /);
  });

  it("retention run --dry-run reports per class and changes nothing", async () => {
    const before = await db.query("SELECT last_seq FROM audit_head");
    const dry = await run("retention", "run", "--dry-run");
    expect(dry.code).toBe(0);
    expect(dry.out).toContain("dry run (nothing changed)");
    expect(dry.out).toMatch(/^rawExports\s+P90D\s+before \S+\s+due 0/m);
    expect(await db.query("SELECT last_seq FROM audit_head")).toEqual(before);
  });

  it("has --help for each command, and refuses usage errors with exit 1", async () => {
    for (const argv of [
      ["audit", "--help"],
      ["retention", "--help"],
    ]) {
      const help = await run(...argv);
      expect(help.code).toBe(0);
      expect(help.out).toContain("usage: bridge");
    }
    for (const argv of [
      ["audit"],
      ["audit", "verify", "--from-seq", "0"],
      ["audit", "export", "--subject", personId],
      ["retention"],
      ["retention", "run", "--batch-size", "0"],
    ]) {
      expect((await run(...argv)).code, argv.join(" ")).toBe(1);
    }
  });
});

describe("bridge audit and retention without a store", () => {
  it("say there is no store to read instead of 'no events'", async () => {
    await withoutStore(async () => {
      for (const argv of [
        ["audit", "verify"],
        ["audit", "export", "--subject", "X123456", "--from", "2026-01-01", "--to", "2026-12-31"],
        ["retention", "run", "--dry-run"],
      ]) {
        const result = await run(...argv);
        expect(result.code, argv.join(" ")).toBe(1);
        expect(result.err, argv.join(" ")).toContain("DATABASE_URL is not set");
        expect(result.out).toBe("");
      }
    });
  });

  it("an embedded store with nothing appended says its chain is empty", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bridge-audit-"));
    try {
      await withoutStore(async () => {
        process.env.BRIDGE_DATA_DIR = dir;
        const result = await run("audit", "verify");
        expect(result.code).toBe(0);
        expect(result.out).toContain("the audit chain is empty");
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
