/** ID family (brief §7 "Identity and eligibility", §4): is this the same person, and may ARMS apply? */
import {
  type IdentifierKind,
  type IdentifierStatus,
  identifierStatus,
  parseCro,
  parsePnc,
  pncPivotYear,
} from "../identity/identifiers.ts";
import type { IdentityField } from "../identity/match-types.ts";
import type { Identifier } from "../oasys/model.ts";
import { yesNoOf } from "../oasys/normalise.ts";
import { ageOn } from "./dates.ts";
import { conflict, fromArms, fromBridge, fromDelius, fromOasys } from "./evidence.ts";
import { hasFlag, paired } from "./facts.ts";
import type { Conflict, Evidence, RuleContext, RuleDefinition, RuleMeta, Thresholds } from "./types.ts";

const ID1: RuleMeta = {
  id: "ID-1",
  family: "ID",
  kind: "RULE",
  severity: "BLOCK",
  meaning: "PNC fails the mod-23 check on either side, or the canonical PNC differs between OASys and police",
  thresholdKeys: [],
  source: "§7 ID-1, §4 [S:PR PNCIdentifier]",
  optionalInputs: [],
};
const ID2: RuleMeta = {
  id: "ID-2",
  family: "ID",
  kind: "RULE",
  severity: "WARN",
  meaning: "CRO present and fails the check letter on either side, or differs between the records",
  thresholdKeys: [],
  source: "§7 ID-2, §4 [S:PR CROIdentifier]",
  optionalInputs: [],
};
const ID3: RuleMeta = {
  id: "ID-3",
  family: "ID",
  kind: "RULE",
  severity: "BLOCK",
  meaning: "Date of birth or family name disagree between the linked records (as the identity match found)",
  thresholdKeys: [],
  source: "§7 ID-3, §4 matching policy [I]",
  optionalInputs: [],
};
const ID4: RuleMeta = {
  id: "ID-4",
  family: "ID",
  kind: "RULE",
  severity: "WARN",
  meaning:
    "Possible merged or duplicate identity: OASys merge markers, Delius DOFF/KDUP, or duplicate match candidates",
  thresholdKeys: [],
  source: "§7 ID-4, §2.10, §4 merges [S:OAAK][S:ASAPI]",
  optionalInputs: ["registrations"],
};
const ID5: RuleMeta = {
  id: "ID-5",
  family: "ID",
  kind: "RULE",
  severity: "BLOCK",
  meaning:
    "Female, or under the minimum age at the ARMS date: ARMS and RM2000 are for adult males (no auto pre-fill)",
  thresholdKeys: ["minimumAgeYears"],
  source: "§7 ID-5, §3.5 [P:rm2000-guide][P:cop-whatworks]",
  optionalInputs: [],
};
const ID6: RuleMeta = {
  id: "ID-6",
  family: "ID",
  kind: "RULE",
  severity: "BLOCK",
  meaning:
    "Limited access offender, or the user is excluded or restricted in Delius: route to authorised staff",
  thresholdKeys: [],
  source: "§7 ID-6, §2.2 LAO [S:ARNS UserAccessResponse]",
  optionalInputs: ["access"],
};
const ID7: RuleMeta = {
  id: "ID-7",
  family: "ID",
  kind: "RULE",
  severity: "WARN",
  meaning:
    "An ARMS exists but nothing shows the person is an RSO (no RM8 = YES, no Delius ARSO or MAPPA category 1)",
  thresholdKeys: [],
  source: "§7 ID-7, §6 row 23 [S:ASAPI Flags]",
  optionalInputs: ["registrations"],
};

/** The records are linked by a key (a MISMATCH is linked but contradicted). */
const linked = (ctx: RuleContext) =>
  ctx.oasys !== null &&
  ctx.arms !== null &&
  (ctx.match.status === "MATCHED" || ctx.match.status === "MISMATCH");

const disagreement = (ctx: RuleContext, field: IdentityField) =>
  ctx.match.disagreements.find((d) => d.field === field);

/** What is wrong with a side's identifier, by status: the fingerprint suffix and the explanation. */
const PROBLEM: Record<Exclude<IdentifierStatus, "VALID">, [string, string]> = {
  INVALID: ["INVALID", "fails its format or check letter"],
  AMBIGUOUS: ["AMBIGUOUS", "reads as more than one number (written without its slash): not used"],
  ABSENT: ["ABSENT", "is a placeholder (e.g. UNKNOWN PNC): treated as absent"],
};

/**
 * A placeholder (`UNKNOWN PNC`, `N/A`, zeros: status ABSENT) says nothing was recorded, which is not a
 * fault: it is shown under the same rule at INFO, never BLOCK or WARN, and is never compared.
 */
const asInfo = (meta: RuleMeta): RuleMeta => ({ ...meta, severity: "INFO" });

/**
 * ID-1 and ID-2 share a shape: each side's identifier status (INVALID or AMBIGUOUS raise at the rule's
 * severity, ABSENT at INFO), then equality of canonical forms when both are VALID.
 */
function checkIdentifier(
  meta: RuleMeta,
  ctx: RuleContext,
  kind: IdentifierKind,
  oasysId: Identifier | null,
  armsRaw: string | null | undefined,
  parse: (raw: string) => Identifier,
  field: "pnc" | "cro",
): Conflict[] {
  const out: Conflict[] = [];
  const { oasys, arms } = ctx;
  const oasysStatus = oasysId ? identifierStatus(oasysId) : null;
  if (oasys && oasysId && oasysStatus && oasysStatus !== "VALID") {
    const [about, what] = PROBLEM[oasysStatus];
    out.push(
      conflict(
        oasysStatus === "ABSENT" ? asInfo(meta) : meta,
        `OASYS_${kind}_${about}`,
        `OASys ${kind} ${what}`,
        [fromOasys(oasys, `offender.${field}`, oasysId.raw)],
      ),
    );
  }
  const armsId = arms && armsRaw ? parse(armsRaw) : null;
  const armsStatus = armsId ? identifierStatus(armsId) : null;
  if (arms && armsId && armsStatus && armsStatus !== "VALID") {
    const [about, what] = PROBLEM[armsStatus];
    out.push(
      conflict(
        armsStatus === "ABSENT" ? asInfo(meta) : meta,
        `ARMS_${kind}_${about}`,
        `ARMS ${kind} ${what}`,
        [fromArms(arms, `subject.${field}`, armsId.raw)],
      ),
    );
  }
  if (
    oasys &&
    arms &&
    linked(ctx) &&
    oasysId &&
    armsId &&
    oasysStatus !== "ABSENT" &&
    armsStatus !== "ABSENT"
  ) {
    const differs =
      disagreement(ctx, field) !== undefined ||
      (oasysStatus === "VALID" && armsStatus === "VALID" && oasysId.canonical !== armsId.canonical);
    if (differs) {
      out.push(
        conflict(meta, `${kind}_DIFFERS`, `${kind} differs between the OASys and ARMS records`, [
          fromOasys(oasys, `offender.${field}`, oasysId.canonical ?? oasysId.raw),
          fromArms(arms, `subject.${field}`, armsId.canonical ?? armsId.raw),
        ]),
      );
    }
  }
  return out;
}

function id1(ctx: RuleContext): Conflict[] {
  const pivot = pncPivotYear(ctx.today);
  return checkIdentifier(
    ID1,
    ctx,
    "PNC",
    ctx.oasys?.offender.pnc ?? null,
    ctx.arms?.subject.pnc,
    (s) => parsePnc(s, pivot),
    "pnc",
  );
}

function id2(ctx: RuleContext): Conflict[] {
  return checkIdentifier(
    ID2,
    ctx,
    "CRO",
    ctx.oasys?.offender.cro ?? null,
    ctx.arms?.subject.cro,
    parseCro,
    "cro",
  );
}

function id3(ctx: RuleContext): Conflict[] {
  const { oasys, arms } = ctx;
  if (!oasys || !arms || !linked(ctx)) return [];
  const fields = [
    ["dateOfBirth", "DATE_OF_BIRTH", "date of birth", "offender.dateOfBirth", "subject.dateOfBirth"],
    ["familyName", "FAMILY_NAME", "family name", "offender.familyName", "subject.familyName"],
  ] as const;
  return fields.flatMap(([field, about, label, oasysField, armsField]) => {
    const d = disagreement(ctx, field);
    if (!d) return [];
    return [
      conflict(ID3, about, `The linked OASys and ARMS records disagree on ${label}`, [
        fromOasys(oasys, oasysField, d.oasys),
        fromArms(arms, armsField, d.arms),
      ]),
    ];
  });
}

function id4(ctx: RuleContext): Conflict[] {
  const found = new Map<string, { explanation: string; evidence: Evidence[] }>();
  const { oasys, registrations: reg } = ctx;
  const mergedPnc = oasys?.offender.mergedPnc;
  // A placeholder in MERGE_PNC_NUMBER (`UNKNOWN PNC`) records no merge.
  if (oasys && mergedPnc && parsePnc(mergedPnc, pncPivotYear(ctx.today)).status !== "ABSENT") {
    found.set("OASYS_MERGED_PNC", {
      explanation: "OASys records a merged PNC for this offender",
      evidence: [fromOasys(oasys, "offender.mergedPnc", mergedPnc)],
    });
  }
  if (oasys?.offender.mergedOffenderPk != null) {
    found.set("OASYS_MERGED_OFFENDER", {
      explanation: "OASys records a merged offender record",
      evidence: [fromOasys(oasys, "offender.mergedOffenderPk", oasys.offender.mergedOffenderPk)],
    });
  }
  for (const flag of ["DOFF", "KDUP"] as const) {
    if (reg && hasFlag(reg, flag)) {
      found.set(`DELIUS_${flag}`, {
        explanation: `Delius flags duplicate records (${flag})`,
        evidence: [fromDelius(reg, `flag:${flag}`, true)],
      });
    }
  }
  if (ctx.match.markers.includes("DUPLICATE_CANDIDATES")) {
    found.set("DUPLICATE_CANDIDATES", {
      explanation: "Identity matching found more than one candidate record",
      evidence: [fromBridge("match.markers", "DUPLICATE_CANDIDATES", ctx.today)],
    });
  }
  return [...found].map(([about, f]) => conflict(ID4, about, f.explanation, f.evidence));
}

function id5(ctx: RuleContext, t: Thresholds): Conflict[] {
  const out: Conflict[] = [];
  const { oasys, arms } = ctx;
  const female: Evidence[] = [];
  if (oasys?.offender.gender === "FEMALE") female.push(fromOasys(oasys, "offender.gender", "FEMALE"));
  if (arms?.subject.gender === "FEMALE") female.push(fromArms(arms, "subject.gender", "FEMALE"));
  if (female.length > 0) {
    out.push(conflict(ID5, "FEMALE", "ARMS and RM2000 are designed for men: no automatic pre-fill", female));
  }
  const on = arms?.assessedOn ?? ctx.today;
  const young: Evidence[] = [];
  const oasysDob = oasys?.offender.dateOfBirth;
  if (oasys && oasysDob && ageOn(oasysDob, on) < t.minimumAgeYears) {
    young.push(fromOasys(oasys, "offender.dateOfBirth", oasysDob));
  }
  const armsDob = arms?.subject.dateOfBirth;
  if (arms && armsDob && ageOn(armsDob, on) < t.minimumAgeYears) {
    young.push(fromArms(arms, "subject.dateOfBirth", armsDob));
  }
  if (young.length > 0) {
    young.push(fromBridge("ageAtArmsDate", ageOn((oasysDob ?? armsDob) as string, on), on));
    out.push(
      conflict(
        ID5,
        "UNDER_MINIMUM_AGE",
        `Under ${t.minimumAgeYears} at the ARMS date: ARMS is for adults, no automatic pre-fill`,
        young,
      ),
    );
  }
  return out;
}

function id6(ctx: RuleContext): Conflict[] {
  const out: Conflict[] = [];
  if (ctx.oasys?.offender.limitedAccessOffender) {
    out.push(
      conflict(ID6, "LIMITED_ACCESS_OFFENDER", "Limited access offender: only authorised staff may handle", [
        fromOasys(ctx.oasys, "offender.limitedAccessOffender", true),
      ]),
    );
  }
  if (ctx.access?.userExcluded) {
    out.push(
      conflict(ID6, "USER_EXCLUDED", "The user is excluded from this case in Delius", [
        fromBridge("caseAccess.userExcluded", true, ctx.today),
      ]),
    );
  }
  if (ctx.access?.userRestricted) {
    out.push(
      conflict(ID6, "USER_RESTRICTED", "This case is restricted in Delius and the user is not authorised", [
        fromBridge("caseAccess.userRestricted", true, ctx.today),
      ]),
    );
  }
  return out;
}

function id7(ctx: RuleContext): Conflict[] {
  const arms = ctx.arms;
  if (!arms || (ctx.oasys !== null && ctx.match.status !== "MATCHED")) return [];
  const reg = ctx.registrations;
  const rm8 = paired(ctx) ? yesNoOf(ctx.oasys?.answers.RM8) : null;
  const arso = hasFlag(reg, "ARSO");
  const mappaCategory1 = reg?.mappa?.category === "M1";
  if (rm8 === "YES" || arso || mappaCategory1) return [];
  // Fire only when a source positively says otherwise: RM8 = NO, or Delius registrations are known.
  if (rm8 !== "NO" && reg === null) return [];
  const evidence: Evidence[] = [fromArms(arms, "armsAssessmentId", arms.armsAssessmentId)];
  if (ctx.oasys && rm8 === "NO") evidence.push(fromOasys(ctx.oasys, "RM8", "NO"));
  if (reg) {
    evidence.push(fromDelius(reg, "flag:ARSO", false));
    evidence.push(fromDelius(reg, "mappa.category", reg.mappa?.category ?? null));
  }
  return [
    conflict(
      ID7,
      "ARMS_WITHOUT_RSO_STATUS",
      "An ARMS assessment exists but neither OASys nor Delius shows the person as a registered sexual offender",
      evidence,
    ),
  ];
}

export const IDENTITY_RULES: readonly RuleDefinition[] = [
  { ...ID1, evaluate: id1 },
  { ...ID2, evaluate: id2 },
  { ...ID3, evaluate: id3 },
  { ...ID4, evaluate: id4 },
  { ...ID5, evaluate: id5 },
  { ...ID6, evaluate: id6 },
  { ...ID7, evaluate: id7 },
];
