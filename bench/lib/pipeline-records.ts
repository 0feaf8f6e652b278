/**
 * Records for the queue bench: generated OASys assessments (scripts/lib/generate.ts), each as an export
 * of its own (the XML a client would POST), paired with a synthetic completed ARMS assessment of the same
 * person (bench/lib/synthetic-arms.ts). Only people the reconciliation clears for BOTH pushes are kept
 * (matched, a draft for police, an update for probation, no BLOCK conflict), decided in memory by the
 * same pure `reconcilePerson` the pipeline runs, so every record posted must end in exactly one push to
 * each agency. A person already handed out (same PNC or CRN) is never handed out again, so records never
 * share a person.
 *
 * Records are drawn on demand from one seeded stream: `take(n)` continues where the last call stopped, so
 * a bench generates only what its phases use, and the same seed always gives the same records in order.
 */
import { Readable } from "node:stream";
import { generateExport } from "../../scripts/lib/generate.ts";
import { mulberry32 } from "../../scripts/lib/prng.ts";
import type { ArmsAssessment } from "../../src/core/arms/model.ts";
import { loadThresholds } from "../../src/core/conflicts/load-thresholds.ts";
import { loadMapping } from "../../src/core/mapping/load.ts";
import { armsKeys, groupPersons, oasysKeys } from "../../src/core/reconcile/persons.ts";
import { reconcilePerson } from "../../src/core/reconcile/reconcile.ts";
import { readOasysExport } from "../../src/ingest/xml/reader.ts";
import { armsFor } from "./synthetic-arms.ts";

export interface PipelineRecord {
  assessmentPk: number;
  /** A whole OASys export holding this one assessment (unique bytes, so never a duplicate). */
  exportXml: string;
  arms: ArmsAssessment;
}

export interface RecordSource {
  /** The next `n` records cleared for both pushes. */
  take(n: number): Promise<PipelineRecord[]>;
  /** Assessments generated so far, and why the ones not handed out were left out. */
  readonly stats: { generated: number; rejected: number; sharedPerson: number; notBothPushes: number };
}

/** Far more than any bench takes: the stream is pulled lazily, so only what is taken is generated. */
const STREAM_LENGTH = 10_000_000;

export function recordSource(seed: number, today: string): RecordSource {
  const deps = { mapping: loadMapping(), thresholds: loadThresholds(), today };
  const rng = mulberry32(seed);
  const chunks = generateExport({ count: STREAM_LENGTH, seed, malformedRate: 0 });
  const header = chunks.next().value as string;
  const footer = "</oasysExport>\n";
  const seenKeys = new Set<string>();
  const pivot = Number(today.slice(2, 4));
  const stats = { generated: 0, rejected: 0, sharedPerson: 0, notBothPushes: 0 };

  const next = async (): Promise<PipelineRecord | null> => {
    const chunk = chunks.next().value as string;
    stats.generated++;
    const exportXml =
      header.replace(/exportId="[^"]*"/, `exportId="BENCH-QUEUE-${seed}-${stats.generated}"`) +
      chunk +
      footer;
    let assessment = null;
    for await (const r of readOasysExport(Readable.from([exportXml]), { today })) {
      if (r.ok) assessment = r.assessment;
    }
    if (!assessment) {
      stats.rejected++;
      return null;
    }
    const arms = armsFor(assessment, stats.generated, rng);
    const keys = [...oasysKeys(assessment), ...armsKeys(arms, pivot)];
    if (keys.some((k) => seenKeys.has(k))) {
      stats.sharedPerson++;
      return null;
    }
    for (const k of keys) seenKeys.add(k);
    const [group, ...more] = groupPersons([assessment], [arms], today);
    const r = group && more.length === 0 ? reconcilePerson(group, deps) : null;
    if (r?.match.status !== "MATCHED" || !r.outbound.police || !r.outbound.probation) {
      stats.notBothPushes++;
      return null;
    }
    return { assessmentPk: assessment.assessmentPk, exportXml, arms };
  };

  return {
    stats,
    async take(n) {
      const out: PipelineRecord[] = [];
      while (out.length < n) {
        const record = await next();
        if (record) out.push(record);
      }
      return out;
    },
  };
}
