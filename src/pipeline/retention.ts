/**
 * The erasure job (DPA 2018 Part 3, s.39 and s.62): for each data class with a period
 * (mappings/retention.yaml), erase what was stored before `now` less the period, in batches, each batch
 * in a transaction of its own together with its ERASURE audit entry: the class, period, cut-off, how
 * many rows, which id and time ranges (never content). Every class with a period gets at least one
 * entry per run, saying 0 when nothing was due, so the trail shows the job ran. The audit class goes last
 * and its entry attests the checkpoint the erasure left. Batches of one run (and of two runs at once)
 * serialise on an advisory lock. A dry run counts what is due and writes nothing.
 *
 * Time is a parameter (`now`): tests pass a clock, nothing sleeps.
 */
import { cutoffOf, DATA_CLASSES, type DataClass, type RetentionPolicy } from "../core/retention/policy.ts";
import type { Db } from "../store/index.ts";
import { type AuditEventInput, recordAudits, SYSTEM_ACTOR } from "../store/repositories/audit.ts";
import { type ErasedBatch, eraseBatch } from "../store/repositories/retention.ts";

export const DEFAULT_BATCH_SIZE = 10_000;

export interface RetentionRunOptions {
  now: string;
  dryRun?: boolean;
  batchSize?: number;
  correlationId?: string | null;
}

export interface ClassReport {
  dataClass: DataClass;
  /** As written in the policy; null for `never` (the class was not looked at). */
  period: string | null;
  cutoff: string | null;
  count: number;
  batches: number;
  ids: ErasedBatch["ids"];
  times: ErasedBatch["times"];
  related: Record<string, number>;
  /** Audit class: the checkpoint the chain now starts after. */
  checkpoint?: ErasedBatch["checkpoint"];
}

export interface RetentionReport {
  dryRun: boolean;
  now: string;
  policyVersion: string;
  classes: ClassReport[];
}

const lower = (a: string | number | null, b: string | number | null) =>
  a === null ? b : b === null ? a : a < b ? a : b;
const higher = (a: string | number | null, b: string | number | null) =>
  a === null ? b : b === null ? a : a > b ? a : b;

function merge(report: ClassReport, batch: ErasedBatch): void {
  report.count += batch.count;
  report.batches += 1;
  report.ids = {
    first: lower(report.ids.first, batch.ids.first),
    last: higher(report.ids.last, batch.ids.last),
  };
  report.times = {
    from: lower(report.times.from, batch.times.from) as string | null,
    to: higher(report.times.to, batch.times.to) as string | null,
  };
  for (const [name, n] of Object.entries(batch.related))
    report.related[name] = (report.related[name] ?? 0) + n;
  if (batch.checkpoint) report.checkpoint = batch.checkpoint;
}

function erasureEvent(
  report: ClassReport,
  batch: ErasedBatch,
  policyVersion: string,
  options: RetentionRunOptions,
): AuditEventInput {
  return {
    ...SYSTEM_ACTOR,
    at: options.now,
    action: "RETENTION_ERASED",
    subjectType: "DATA_CLASS",
    subjectId: report.dataClass,
    correlationId: options.correlationId ?? null,
    justification: `retention period ${report.period} of ${report.dataClass} passed (mappings/retention.yaml ${policyVersion})`,
    details: {
      dataClass: report.dataClass,
      period: report.period,
      cutoff: report.cutoff,
      count: batch.count,
      ids: batch.ids,
      times: batch.times,
      related: batch.related,
      ...(batch.checkpoint ? { checkpoint: batch.checkpoint } : {}),
    },
  };
}

const RUN_LOCK = "oasys-arms-bridge:retention";

export async function runRetention(
  db: Db,
  policy: RetentionPolicy,
  options: RetentionRunOptions,
): Promise<RetentionReport> {
  const dryRun = options.dryRun ?? false;
  const limit = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const classes: ClassReport[] = [];
  for (const dataClass of DATA_CLASSES) {
    const period = policy.periods[dataClass];
    const report: ClassReport = {
      dataClass,
      period: period?.text ?? null,
      cutoff: period ? cutoffOf(period, options.now) : null,
      count: 0,
      batches: 0,
      ids: { first: null, last: null },
      times: { from: null, to: null },
      related: {},
    };
    classes.push(report);
    if (!report.cutoff) continue;
    const erase = { cutoff: report.cutoff, now: options.now, limit, dryRun };
    if (dryRun) {
      merge(report, await eraseBatch(db, dataClass, erase));
      continue;
    }
    for (;;) {
      const batch = await db.transaction(async (tx) => {
        await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`${RUN_LOCK}:${tx.schema}`]);
        const erased = await eraseBatch(tx, dataClass, erase);
        // One entry per class and run (0 included), then one per further batch that erased anything.
        if (report.batches === 0 || erased.count > 0) {
          await recordAudits(tx, [erasureEvent(report, erased, policy.version, options)]);
        }
        return erased;
      });
      merge(report, batch);
      if (batch.count < limit) break;
    }
  }
  return { dryRun, now: options.now, policyVersion: policy.version, classes };
}

/** When the last run (of any process) recorded its entries; null before the first. */
export async function lastRetentionRun(db: Db): Promise<string | null> {
  const rows = await db.query<{ at: string | null }>(
    `SELECT max(at) AS at FROM audit_events WHERE subject_type = 'DATA_CLASS' AND action = 'RETENTION_ERASED'`,
  );
  return rows[0]?.at ?? null;
}
