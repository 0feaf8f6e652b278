/**
 * Reconcile suite: people reconciled per second, in memory and through the store.
 * Inputs: a generated OASys export (scripts/lib/generate.ts) and, for about two in three of its people, a
 * synthetic completed ARMS assessment built from the same identity with seeded ratings (so matches,
 * drafts and conflicts all occur).
 * 1. in memory: groupPersons + reconcilePerson (identity, draft, conflicts, outbound) over everyone;
 * 2. with the store: reconcileAndStore (one transaction per person: person, match, draft, conflict sync,
 *    audit and, from step 4, outbox rows) on embedded PGlite and on the local PostgreSQL when reachable.
 *
 * Settings: --reconcile-persons (default 2,000 in memory), --reconcile-store-persons (default 400),
 * --reconcile-seed (default 11).
 */
import { Readable } from "node:stream";
import { generateExport } from "../../scripts/lib/generate.ts";
import { mulberry32 } from "../../scripts/lib/prng.ts";
import { loadThresholds } from "../../src/core/conflicts/load-thresholds.ts";
import { loadMapping } from "../../src/core/mapping/load.ts";
import type { OasysAssessment } from "../../src/core/oasys/model.ts";
import { groupPersons, type PersonGroup } from "../../src/core/reconcile/persons.ts";
import { reconcilePerson } from "../../src/core/reconcile/reconcile.ts";
import { readOasysExport } from "../../src/ingest/xml/reader.ts";
import { reconcileAndStore } from "../../src/pipeline/reconcile.ts";
import { dropSchema } from "../../src/store/db.ts";
import { type Db, openStore } from "../../src/store/index.ts";
import { saveArmsRevision } from "../../src/store/repositories/arms.ts";
import { saveOasysAssessment } from "../../src/store/repositories/oasys.ts";
import { armsFor } from "../lib/synthetic-arms.ts";
import type { BenchContext, BenchSuite } from "../lib/types.ts";

const TODAY = "2026-11-20";
const NOW = "2026-11-20T12:00:00.000Z";

const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-GB", { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function assessments(count: number, seed: number): Promise<OasysAssessment[]> {
  const out: OasysAssessment[] = [];
  for await (const r of readOasysExport(Readable.from(generateExport({ count, seed, malformedRate: 0 })), {
    today: TODAY,
  })) {
    if (r.ok) out.push(r.assessment);
  }
  return out;
}

function people(oasys: OasysAssessment[], seed: number): PersonGroup[] {
  const rng = mulberry32(seed);
  const arms = oasys.filter(() => rng.chance(2 / 3)).map((a, i) => armsFor(a, i, rng));
  return groupPersons(oasys, arms, TODAY);
}

const cpuMs = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

interface StoreRun {
  label: string;
  persons: number;
  wallMs: number;
  cpuMs: number;
}

async function throughStore(label: string, db: Db, groups: PersonGroup[]): Promise<StoreRun> {
  // The records a reconciliation refers to are ingested first (not measured).
  for (const g of groups) {
    for (const assessment of g.oasys) {
      await saveOasysAssessment(db, {
        assessment,
        sourceKind: "XML_EXPORT",
        sourceAsOf: NOW,
        ingestedAt: NOW,
      });
    }
    for (const doc of g.arms) await saveArmsRevision(db, doc, NOW);
  }
  const deps = { mapping: loadMapping(), thresholds: loadThresholds(), today: TODAY };
  // Warm up on a few people, then measure the rest.
  const warm = groups.slice(0, 20);
  for (const g of warm) await reconcileAndStore(db, g, deps, { now: NOW, reason: "bench warm-up" });
  const measured = groups.slice(warm.length);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (const g of measured) await reconcileAndStore(db, g, deps, { now: NOW, reason: "bench" });
  return { label, persons: measured.length, wallMs: performance.now() - t0, cpuMs: cpuMs(c0) };
}

async function postgresReachable(url: string): Promise<boolean> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

export const suite: BenchSuite = {
  name: "reconcile",
  title: "Reconcile: people per second, in memory and through the store",
  async run(ctx: BenchContext) {
    const count = ctx.setting("reconcile-persons", 2000);
    const storeCount = ctx.setting("reconcile-store-persons", 400);
    const seed = ctx.setting("reconcile-seed", 11);
    ctx.log(`generating ${count} people`);
    const groups = people(await assessments(count, seed), seed);
    const deps = { mapping: loadMapping(), thresholds: loadThresholds(), today: TODAY };

    ctx.log("in memory");
    for (const g of groups.slice(0, 100)) reconcilePerson(g, deps);
    let c0 = process.cpuUsage();
    let t0 = performance.now();
    let conflicts = 0;
    let matched = 0;
    for (const g of groups) {
      const r = reconcilePerson(g, deps);
      conflicts += r.conflicts.length;
      if (r.match.status === "MATCHED") matched += 1;
    }
    const memory = { cpuMs: cpuMs(c0), wallMs: performance.now() - t0 };
    c0 = process.cpuUsage();
    t0 = performance.now();
    const regrouped = groupPersons(
      groups.flatMap((g) => g.oasys),
      groups.flatMap((g) => g.arms),
      TODAY,
    ).length;
    const grouping = { cpuMs: cpuMs(c0), wallMs: performance.now() - t0 };

    const sample = groups.slice(0, storeCount);
    const runs: StoreRun[] = [];
    ctx.log(`through the store: PGlite, ${sample.length} people`);
    const lite = await openStore({ schema: "bench" });
    try {
      runs.push(await throughStore("PGlite (embedded, in memory)", lite, sample));
    } finally {
      await lite.close();
    }
    const url = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/test";
    if (await postgresReachable(url)) {
      ctx.log(`through the store: PostgreSQL, ${sample.length} people`);
      const schema = `bench_${process.pid}`;
      const db = await openStore({ databaseUrl: url, schema });
      try {
        runs.push(await throughStore("PostgreSQL 127.0.0.1 (pg)", db, sample));
      } finally {
        await dropSchema(db);
        await db.close();
      }
    } else {
      ctx.log("PostgreSQL not reachable: measured PGlite only");
    }

    const perSecond = (n: number, ms: number) => fmt(n / (ms / 1000));
    return [
      `${fmt(groups.length)} people from a generated export (seed ${seed}); ${fmt(matched)} matched to a synthetic ARMS assessment, ${fmt(conflicts)} conflicts raised in all.`,
      "",
      "| run | people | CPU s | wall s | people per CPU-second | people per wall-second |",
      "|---|---:|---:|---:|---:|---:|",
      `| in memory: reconcilePerson (match, draft, conflicts, outbound) | ${fmt(groups.length)} | ${fmt(memory.cpuMs / 1000, 2)} | ${fmt(memory.wallMs / 1000, 2)} | ${perSecond(groups.length, memory.cpuMs)} | ${perSecond(groups.length, memory.wallMs)} |`,
      `| in memory: groupPersons over every record | ${fmt(regrouped)} | ${fmt(grouping.cpuMs / 1000, 3)} | ${fmt(grouping.wallMs / 1000, 3)} | ${perSecond(regrouped, grouping.cpuMs)} | ${perSecond(regrouped, grouping.wallMs)} |`,
      ...runs.map(
        (r) =>
          `| with the store: reconcileAndStore on ${r.label} | ${fmt(r.persons)} | ${fmt(r.cpuMs / 1000, 2)} | ${fmt(r.wallMs / 1000, 2)} | ${perSecond(r.persons, r.cpuMs)} | ${perSecond(r.persons, r.wallMs)} |`,
      ),
      "",
      "With the store, each person is one transaction (person, match, draft, conflicts, audit); one connection, sequential. CPU time is this process's only: PostgreSQL's own work runs in its server process, so for PostgreSQL the wall-clock rate is the one that counts.",
    ].join("\n");
  },
};
