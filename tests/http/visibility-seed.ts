/**
 * Persons for the visibility tests, through the real pipeline: an OASys export (XML, read by the real
 * reader) and an ARMS assessment are ingested and reconciled as the reconcile job does, which stores the
 * person (force from ARMS), the identity match, the pre-filled draft (the RoSH summary and the risk
 * management plan copied into it) and the conflicts (the ARMS date of birth differs from the OASys one, so
 * ID-3 carries both; a person with no conflict of their own gets a synthetic one). An outbox row with a delivery attempt whose receipt echoes the
 * victim is added through the repositories. Every personal value is synthetic and distinct per person, so a
 * test can look for it anywhere in a response.
 */

import { loadThresholds } from "../../src/core/conflicts/load-thresholds.ts";
import { checkLetter } from "../../src/core/identity/identifiers.ts";
import { loadMapping } from "../../src/core/mapping/load.ts";
import { groupPersons } from "../../src/core/reconcile/persons.ts";
import { ingestArmsDocuments, ingestOasysExport } from "../../src/pipeline/ingest.ts";
import { reconcileAndStore } from "../../src/pipeline/reconcile.ts";
import type { Db } from "../../src/store/index.ts";
import { currentArmsFor } from "../../src/store/repositories/arms.ts";
import { syncConflicts } from "../../src/store/repositories/conflict-sync.ts";
import { recordAttempt } from "../../src/store/repositories/deliveries.ts";
import { oasysAssessmentsFor } from "../../src/store/repositories/oasys.ts";
import { insertOutboxRows } from "../../src/store/repositories/outbox.ts";
import { conflict } from "../store/support.ts";

export const TODAY = "2026-11-20";

export interface SeedSpec {
  /** Short label, also in every synthetic value. */
  tag: string;
  /** The ARMS assessment's force; null: no ARMS assessment, so the person has no force yet. */
  force: string | null;
  /** OASys limitedAccessOffender. */
  lao: boolean;
}

export interface Seeded extends SeedSpec {
  personId: string;
  conflictIds: string[];
  keys: { pnc: string; crn: string; nomis: string };
  /** Synthetic values that only the roles the policy allows may see, by what they are. */
  secrets: Record<"oasysDob" | "armsDob" | "victim" | "narrative" | "safetyPlan" | "receipt", string>;
}

let serial = 0;
let clock = Date.parse("2026-11-20T09:00:00.000Z");
function tick(): string {
  clock += 60_000;
  return new Date(clock).toISOString();
}

function oasysXml(s: SeedSpec, pk: number, k: Seeded["keys"], secrets: Seeded["secrets"], n: number): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<oasysExport xmlns="urn:hmpps:oasys:export:1" exportId="EXP-VIS-${s.tag}" generatedAt="2026-11-20T08:00:00Z">
  <assessment assessmentPk="${pk}" type="LAYER3" version="1" status="COMPLETE" purposeCode="270">
    <initiationDate>2026-10-01T09:00:00</initiationDate>
    <assessorSignedDate>2026-10-03T14:00:00</assessorSignedDate>
    <dateCompleted>2026-10-03T14:05:00</dateCompleted>
    <laterCompleteAssessmentExists>false</laterCompleteAssessmentExists>
    <offender oasysOffenderPk="${880000 + n}" limitedAccessOffender="${s.lao}" custody="N">
      <crn>${k.crn}</crn>
      <pnc>${k.pnc}</pnc>
      <nomisId>${k.nomis}</nomisId>
      <familyName>TESTPERSON${s.tag}</familyName>
      <forename1>SYNTHETIC</forename1>
      <dateOfBirth>${secrets.oasysDob}</dateOfBirth>
      <gender>1</gender>
    </offender>
    <section code="6"><answer q="6.11">YES</answer><answer q="6.12">0</answer></section>
    <section code="11"><answer q="11.11">1</answer><answer q="11.12">0</answer></section>
    <roshSummary>
      <riskLevel group="CHILDREN" setting="COMMUNITY">Medium</riskLevel>
      <riskLevel group="PUBLIC" setting="COMMUNITY">Medium</riskLevel>
      <whoIsAtRisk>${secrets.victim}, aged 13, a family friend's daughter.</whoIsAtRisk>
      <natureOfRisk>${secrets.narrative}</natureOfRisk>
    </roshSummary>
    <predictors><predictor type="RM2000_S" points="3" band="MEDIUM"/></predictors>
    <riskManagementPlan>
      <mappa category="1" level="1"/>
      <answer q="RM8">YES</answer>
      <supervision>Fortnightly appointments.</supervision>
      <victimSafetyPlanning>${secrets.safetyPlan}</victimSafetyPlanning>
    </riskManagementPlan>
  </assessment>
</oasysExport>`;
}

function armsDocument(s: SeedSpec & { force: string }, k: Seeded["keys"], secrets: Seeded["secrets"]) {
  return {
    schema: "arms-interchange/1",
    armsAssessmentId: `ARMS-VIS-${s.tag}`,
    revision: 1,
    force: s.force,
    status: "COMPLETE",
    subject: {
      pnc: k.pnc,
      crn: k.crn,
      nomisId: k.nomis,
      familyName: `Testperson${s.tag}`,
      givenName: "Synthetic",
      dateOfBirth: secrets.armsDob,
      gender: "MALE",
    },
    assessedOn: "2026-09-12",
    nextReviewDue: "2027-03-12",
    riskFactors: { SEXUAL_PREOCCUPATION: { rating: "SOME_EVIDENCE", evidence: "Synthetic." } },
    protectiveFactors: {},
    riskLevel: "MEDIUM",
    managementMode: "ACTIVE",
    mappa: { category: 1, level: 1 },
  };
}

/** Ingests and reconciles one synthetic person; every value distinct per call. */
export async function seedPerson(db: Db, spec: SeedSpec): Promise<Seeded> {
  const n = ++serial;
  const seven = String(4_400_000 + n).padStart(7, "0");
  const keys = {
    pnc: `2011/${seven}${checkLetter(`11${seven}`)}`,
    crn: `V${String(700_000 + n)}`,
    nomis: `G${String(5500 + n)}V${String.fromCharCode(65 + n)}`,
  };
  const secrets = {
    oasysDob: `1973-0${((n - 1) % 9) + 1}-21`,
    armsDob: `1973-0${((n - 1) % 9) + 1}-12`,
    victim: `Quillimina Vantablack-${spec.tag}`,
    narrative: `Grooming through the ${spec.tag} chess club, escalating to contact offending.`,
    safetyPlan: `Exclusion zone around Marigold-${spec.tag} Crescent; the victim's school is informed.`,
    receipt: `ARMS receipt quoting Quillimina Vantablack-${spec.tag}`,
  };
  const pk = 9_970_000 + n;
  const oasys = await ingestOasysExport(db, {
    bytes: Buffer.from(oasysXml(spec, pk, keys, secrets, n)),
    source: "visibility-test",
    today: TODAY,
    now: tick(),
  });
  if (oasys.failure) throw new Error(`seed ${spec.tag}: ${oasys.failure.message}`);
  if (spec.force !== null) {
    const doc = armsDocument({ ...spec, force: spec.force }, keys, secrets);
    const arms = await ingestArmsDocuments(db, { text: JSON.stringify(doc), now: tick() });
    if (arms.rejected.length > 0) throw new Error(`seed ${spec.tag}: ARMS rejected`);
  }
  const held = { pnc: keys.pnc, crn: keys.crn };
  const groups = groupPersons(
    (await oasysAssessmentsFor(db, held)).map((s) => s.assessment),
    (await currentArmsFor(db, held)).map((s) => s.document),
    TODAY,
  );
  const stored = await reconcileAndStore(
    db,
    groups[0]!,
    { mapping: loadMapping(), thresholds: loadThresholds(), today: TODAY },
    { now: tick(), reason: "visibility test", correlationId: `seed-${spec.tag}` },
  );
  const personId = stored.personId!;
  const [row] = await insertOutboxRows(
    db,
    [
      {
        personId,
        personVersion: 1,
        recipient: "ARMS",
        kind: "ARMS_DRAFT",
        idempotencyKey: `arms-draft:${pk}:visibility`,
        contentType: "application/json",
        body: "{}",
        sources: {
          oasys: { assessmentPk: pk, storedVersion: 1, digest: "d" },
          arms: null,
          mappingVersion: "m",
        },
        correctsKey: null,
        correlationId: null,
      },
    ],
    tick(),
  );
  await recordAttempt(db, {
    outboxId: row!.id,
    attempt: 1,
    outcome: "RETRY",
    httpStatus: 503,
    receipt: { message: secrets.receipt },
    errorCode: "BRIDGE_E_HTTP_UNAVAILABLE",
    latencyMs: 5,
    at: tick(),
  });
  let conflictIds = (stored.sync?.opened ?? []).map((c) => c.id);
  if (conflictIds.length === 0) {
    const synced = await syncConflicts(db, personId, [conflict("ST-6", "dates", { severity: "INFO" })], {
      now: tick(),
      reason: "visibility test",
    });
    conflictIds = synced.opened.map((c) => c.id);
  }
  return { ...spec, personId, conflictIds, keys, secrets };
}
