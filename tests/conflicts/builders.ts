/**
 * Small builders for conflict-rule tests. OASys assessments go through the real `buildAssessment` (so they
 * are canonical and schema-valid); ARMS assessments are validated against the interchange schema. The
 * defaults describe one synthetic man whose two assessments agree: a clean pair raises no conflict.
 */
import type { ArmsAssessment } from "../../src/core/arms/model.ts";
import { evaluateConflicts } from "../../src/core/conflicts/engine.ts";
import { loadThresholds } from "../../src/core/conflicts/load-thresholds.ts";
import type {
  Conflict,
  DeliusRegistrations,
  RuleContext,
  Thresholds,
} from "../../src/core/conflicts/types.ts";
import type { IdentityDisagreement, MatchResult } from "../../src/core/identity/match-types.ts";
import {
  buildAssessment,
  emptyRawAssessment,
  emptyRawRosh,
  type RawAssessment,
} from "../../src/core/oasys/build.ts";
import type { OasysAssessment } from "../../src/core/oasys/model.ts";
import { validateAgainst } from "../../src/core/schemas.ts";

export const TODAY = "2026-11-20";
export const THRESHOLDS: Thresholds = loadThresholds();

export interface OasysSpec {
  pk?: number;
  status?: string;
  partcompStatus?: string | null;
  purposeCode?: string | null;
  initiationDate?: string | null;
  assessorSignedDate?: string | null;
  dateCompleted?: string | null;
  laterCompleteAssessmentExists?: boolean;
  latestCompleteDate?: string | null;
  pnc?: string | null;
  cro?: string | null;
  familyName?: string | null;
  dateOfBirth?: string | null;
  gender?: string;
  limitedAccessOffender?: boolean;
  custody?: "Y" | "N" | null;
  mergedPnc?: string | null;
  mergedOffenderPk?: string | null;
  /** Merged over the defaults; a `null` value means asked but not answered. */
  answers?: Record<string, string | null>;
  /** Answer codes to leave out entirely (not asked). */
  notAsked?: string[];
  /** `[group, setting, level]` cells of the R10.6 grid. */
  rosh?: [string, string, string][];
  predictors?: { type: string; score?: string; points?: string; band?: string; algorithmVersion?: string }[];
  rmp?: {
    mappaCategory?: string;
    mappaLevel?: string;
    supervision?: string;
    monitoringAndControl?: string;
  } | null;
}

/** The four sexual items answered, gate open, required to register. */
export const DEFAULT_ANSWERS: Readonly<Record<string, string>> = {
  "6.11": "YES",
  "11.11": "1-Some problems",
  "11.12": "0-No problems",
  "6.12": "0-No problems",
  "12.9": "1-Some problems",
  RM8: "YES",
};

export function oasys(spec: OasysSpec = {}): OasysAssessment {
  const raw: RawAssessment = emptyRawAssessment();
  const has = (k: keyof OasysSpec) => Object.hasOwn(spec, k);
  raw.assessmentPk = String(spec.pk ?? 9630348);
  raw.type = "LAYER3";
  raw.version = "1";
  raw.status = spec.status ?? "COMPLETE";
  raw.partcompStatus = has("partcompStatus") ? (spec.partcompStatus ?? null) : "Signed";
  raw.purposeCode = has("purposeCode") ? (spec.purposeCode ?? null) : "270";
  raw.initiationDate = has("initiationDate") ? (spec.initiationDate ?? null) : "2026-10-01T09:00:00";
  raw.assessorSignedDate = has("assessorSignedDate")
    ? (spec.assessorSignedDate ?? null)
    : "2026-10-03T14:00:00";
  raw.dateCompleted = has("dateCompleted") ? (spec.dateCompleted ?? null) : "2026-10-03T14:05:00";
  raw.later = {
    laterCompleteAssessmentExists: String(spec.laterCompleteAssessmentExists ?? false),
    latestCompleteDate: spec.latestCompleteDate ?? null,
  };
  raw.offender = {
    ...raw.offender,
    oasysOffenderPk: "445566",
    crn: "X123456",
    pnc: has("pnc") ? (spec.pnc ?? null) : "2008/0056560Z",
    cro: has("cro") ? (spec.cro ?? null) : "265416/21G",
    familyName: has("familyName") ? (spec.familyName ?? null) : "TESTCASE",
    forenames: ["ALEX"],
    dateOfBirth: has("dateOfBirth") ? (spec.dateOfBirth ?? null) : "1980-02-01",
    gender: spec.gender ?? "1",
    limitedAccessOffender: String(spec.limitedAccessOffender ?? false),
    custody: has("custody") ? (spec.custody ?? null) : "N",
    mergedPnc: spec.mergedPnc ?? null,
    mergedOffenderPk: spec.mergedOffenderPk ?? null,
  };
  const answers = { ...DEFAULT_ANSWERS, ...spec.answers };
  for (const code of spec.notAsked ?? []) delete answers[code];
  raw.answers = Object.entries(answers).map(([code, value]) => ({
    code,
    raw: value,
    path: `answer[q=${code}]`,
  }));
  if (spec.rosh) {
    raw.rosh = {
      ...emptyRawRosh(),
      levels: spec.rosh.map(([group, setting, level], i) => ({
        group,
        setting,
        level,
        path: `riskLevel[${i}]`,
      })),
    };
  }
  raw.predictors = (spec.predictors ?? []).map((p, i) => ({
    type: p.type,
    score: p.score ?? null,
    points: p.points ?? null,
    band: p.band ?? null,
    staticOrDynamic: null,
    algorithmVersion: p.algorithmVersion ?? null,
    calculatedAt: null,
    path: `predictor[${i}]`,
  }));
  if (spec.rmp) {
    raw.rmp = {
      mappaCategory: spec.rmp.mappaCategory ?? null,
      mappaLevel: spec.rmp.mappaLevel ?? null,
      keyInformationCurrentSituation: null,
      furtherConsiderationsCurrentSituation: null,
      supervision: spec.rmp.supervision ?? null,
      monitoringAndControl: spec.rmp.monitoringAndControl ?? null,
      interventionsAndTreatment: null,
      victimSafetyPlanning: null,
      contingencyPlans: null,
    };
  }
  const built = buildAssessment(raw, { today: TODAY });
  if (!built.ok) throw new Error(`test OASys assessment rejected: ${JSON.stringify(built.rejection)}`);
  return built.assessment;
}

export type ArmsSpec = Partial<Omit<ArmsAssessment, "subject">> & {
  subject?: Partial<ArmsAssessment["subject"]>;
};

export function arms(spec: ArmsSpec = {}): ArmsAssessment {
  const { subject, ...rest } = spec;
  const doc: ArmsAssessment = {
    schema: "arms-interchange/1",
    armsAssessmentId: "ARMS-TST-000001",
    revision: 1,
    force: "ESSEX",
    status: "COMPLETE",
    subject: {
      pnc: "2008/0056560Z",
      crn: "X123456",
      familyName: "TESTCASE",
      givenName: "ALEX",
      dateOfBirth: "1980-02-01",
      gender: "MALE",
      ...subject,
    },
    assessedOn: "2026-09-12",
    nextReviewDue: "2027-03-12",
    assessor: { id: "officer-17", role: "MOSOVO_OFFICER" },
    riskFactors: {
      SEXUAL_PREOCCUPATION: { rating: "SOME_EVIDENCE", evidence: "synthetic" },
      OFFENCE_RELATED_SEXUAL_INTEREST: { rating: "NOT_PRESENT", evidence: "synthetic" },
      EMOTIONAL_CONGRUENCE_WITH_CHILDREN: { rating: "NOT_PRESENT", evidence: "synthetic" },
      HOSTILE_ORIENTATION: { rating: "SOME_EVIDENCE", evidence: "synthetic" },
    },
    protectiveFactors: {},
    riskLevel: "MEDIUM",
    managementMode: "ACTIVE",
    ...rest,
  };
  const problem = validateAgainst("arms-interchange.schema.json", doc);
  if (problem) throw new Error(`test ARMS assessment invalid: ${problem.path} ${problem.reason}`);
  return doc;
}

export const matched = (): MatchResult => ({
  status: "MATCHED",
  matchedOn: ["PNC", "CRN"],
  confirmedBy: ["dateOfBirth", "familyName"],
  disagreements: [],
  markers: [],
  explanation: "PNC and CRN agree; date of birth and family name confirm",
});

export const mismatch = (disagreements: IdentityDisagreement[]): MatchResult => ({
  status: "MISMATCH",
  matchedOn: ["PNC"],
  confirmedBy: [],
  disagreements,
  markers: [],
  explanation: "linked by PNC but contradicted",
});

export const noMatch = (): MatchResult => ({
  status: "NO_MATCH",
  matchedOn: [],
  confirmedBy: [],
  disagreements: [],
  markers: [],
  explanation: "no shared identifier",
});

export const registrations = (spec: Partial<DeliusRegistrations> = {}): DeliusRegistrations => ({
  asOf: TODAY,
  flags: [],
  roshRegistration: null,
  mappa: null,
  ...spec,
});

/** A matched, agreeing pair evaluated today; override any part. */
export const context = (parts: Partial<RuleContext> = {}): RuleContext => ({
  oasys: oasys(),
  arms: arms(),
  match: matched(),
  registrations: null,
  today: TODAY,
  ...parts,
});

/** Conflicts the engine raises under `ruleId`. */
export const raised = (ctx: RuleContext, ruleId: string, thresholds: Thresholds = THRESHOLDS): Conflict[] =>
  evaluateConflicts(ctx, thresholds).filter((c) => c.ruleId === ruleId);

/** Fingerprints the engine raises under `ruleId`. */
export const fingerprints = (
  ctx: RuleContext,
  ruleId: string,
  thresholds: Thresholds = THRESHOLDS,
): string[] => raised(ctx, ruleId, thresholds).map((c) => c.fingerprint);
