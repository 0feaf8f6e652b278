import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEV_USERS } from "../../simulators/idp/index.ts";
import { demoCommand } from "../../src/cli/demo.ts";
import { captureIo } from "./capture.ts";

interface DemoJson {
  store: string;
  ingest: {
    exportsRead: number;
    exportsDuplicate: number;
    exportsFailed: { file: string; code: string }[];
    accepted: number;
    rejected: { file: string }[];
    arms: { current: number; historyOnly: number; rejected: number };
  };
  totals: {
    persons: number;
    byMatch: Record<string, number>;
    bySeverity: Record<string, number>;
    drafts: number;
  };
  conflicts: { person: string; ruleId: string; severity: string }[];
  outbox: { person: string; recipient: string; kind: string }[];
  stored: Record<string, number>;
}

async function runDemo(): Promise<DemoJson> {
  const { io, stdout } = captureIo();
  expect(await demoCommand(["--json"], io)).toBe(0);
  return JSON.parse(stdout.text) as DemoJson;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("bridge demo", () => {
  it("runs ingest -> store -> pre-fill -> reconcile on the bundled examples in embedded PGlite", async () => {
    vi.stubEnv("DATABASE_URL", "");
    vi.stubEnv("BRIDGE_DATA_DIR", "");
    const d = await runDemo();
    expect(d.store).toBe("PGlite, in memory");
    expect(d.ingest.exportsFailed.map((f) => [f.file, f.code])).toEqual([
      ["oasys/hostile-doctype.xml", "BRIDGE_E_XML_DOCTYPE_REFUSED"],
    ]);
    expect(d.ingest.rejected.map((r) => r.file)).toEqual(["oasys/malformed-one-of-three.xml"]);
    expect(d.ingest.arms.historyOnly).toBe(1);
    expect(d.totals.byMatch.MATCHED).toBeGreaterThanOrEqual(12);
    expect(d.totals.byMatch.MISMATCH).toBe(2);
    const rules = new Set(d.conflicts.map((c) => c.ruleId));
    for (const id of ["ID-1", "ID-3", "ID-5", "LV-1", "LV-2", "FC-1", "SP-1", "PF-1", "ST-3"])
      expect(rules).toContain(id);
    // What the summary says is what the store holds.
    expect(d.stored.persons).toBe(d.totals.persons);
    expect(d.stored.drafts).toBe(d.totals.drafts);
    expect(d.stored["open conflicts"]).toBe(d.conflicts.length);
  }, 120_000);

  it("keeps its promise: nothing is queued for anyone with an undecided BLOCK or WARN conflict (pushPolicy)", async () => {
    vi.stubEnv("DATABASE_URL", "");
    vi.stubEnv("BRIDGE_DATA_DIR", "");
    const { io, stdout } = captureIo();
    expect(await demoCommand([], io)).toBe(0);
    expect(stdout.text).toMatch(
      /Needs a reviewer first: \d+ BLOCK conflict\(s\); nothing is sent for these people until two different reviewers resolve or dismiss them/,
    );
    expect(stdout.text).toMatch(
      /For review: \d+ WARN conflict\(s\); nothing is sent for these people until a reviewer resolves or dismisses them/,
    );
    // "Next" points to the review screen, and what it names is real: the flag, and the seeded reviewers.
    expect(stdout.text).toContain("Next: 'npm run demo -- --serve' to review these conflicts in the browser");
    const users = DEV_USERS.map((u) => u.username);
    for (const name of ["data.team.1", "data.team.2"]) {
      expect(stdout.text).toContain(name);
      expect(users).toContain(name);
    }
    const help = captureIo();
    expect(await demoCommand(["--help"], help.io)).toBe(0);
    expect(help.stdout.text).toContain("--serve");
    const d = await runDemo();
    const held = new Set(d.conflicts.filter((c) => c.severity !== "INFO").map((c) => c.person));
    expect(held.size).toBeGreaterThanOrEqual(10);
    // The outbox rows the store was given: for cleared people only, and some were cleared.
    expect(d.outbox.filter((row) => held.has(row.person))).toEqual([]);
    expect(d.outbox.length).toBeGreaterThanOrEqual(10);
  }, 120_000);

  it("a second run on a persistent store reprocesses nothing and keeps each conflict once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bridge-demo-"));
    try {
      vi.stubEnv("DATABASE_URL", "");
      vi.stubEnv("BRIDGE_DATA_DIR", join(dir, "pglite"));
      const first = await runDemo();
      const second = await runDemo();
      expect(second.ingest.exportsDuplicate).toBe(second.ingest.exportsRead);
      expect(second.totals.persons).toBe(first.totals.persons);
      expect(second.stored["open conflicts"]).toBe(first.stored["open conflicts"]);
      expect(second.stored.drafts).toBe(first.stored.drafts);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it("runs the same on PostgreSQL, in a schema of its own", async () => {
    const url = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/test";
    const schema = `bridge_demo_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
    vi.stubEnv("DATABASE_URL", url);
    vi.stubEnv("BRIDGE_DATA_DIR", "");
    vi.stubEnv("DB_SCHEMA", schema);
    try {
      const d = await runDemo();
      expect(d.store).toBe("PostgreSQL");
      expect(d.stored.persons).toBe(d.totals.persons);
      expect(d.totals.byMatch.MISMATCH).toBe(2);
    } finally {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  }, 120_000);
});
