/**
 * Seeded generator of realistic OASys assessment exports (contract §1), for load tests, the benchmark
 * and demos. `generateExport` yields the file as string chunks (header, one chunk per assessment,
 * footer) so a caller can stream gigabytes without holding them; `writeExport` does that to a Writable,
 * honouring backpressure. The same options always give the same bytes.
 *
 * Each assessment follows a profile drawn from the PRNG: mostly complete LAYER3 assessments, sometimes
 * OPEN or LOCKED_INCOMPLETE, female (OSP not applicable), LAO, in custody, RSR-only (purpose 620/630),
 * display-string spellings, an invalid PNC check letter (accepted with a warning), and a configurable
 * fraction of malformed records (rejected one by one). The summary says how many of each to expect.
 */

import { writer } from "../../src/cli/output.ts";
import { checkLetter } from "../../src/core/identity/identifiers.ts";
import { QUESTIONS, type Question, SEXUAL_ITEMS } from "../../src/core/oasys/questions.ts";
import { familyName, forename, paragraph } from "./narrative.ts";
import { mulberry32, type Rng } from "./prng.ts";

export interface GenerateOptions {
  count: number;
  seed: number;
  /** Average size of one assessment in bytes (default 13,000). */
  targetBytes?: number;
  /** Fraction of assessments that are malformed and must be rejected (default 0.005). */
  malformedRate?: number;
  exportId?: string;
  /** ISO instant written in the header (default fixed, so output depends only on the options). */
  generatedAt?: string;
}

export type MalformedKind = "ROSH_LEVEL" | "MISSING_PK" | "STATUS" | "DATE" | "LAO_FLAG";

export interface ExportSummary {
  assessments: number;
  /** Records the reader must accept / reject. */
  expectedAccepted: number;
  expectedRejected: number;
  byStatus: Record<"OPEN" | "COMPLETE" | "LOCKED_INCOMPLETE", number>;
  /** Accepted records that carry an invalid PNC (warning IDENTIFIER_INVALID). */
  invalidPnc: number;
  bytes: number;
}

interface Profile {
  pk: number;
  status: "OPEN" | "COMPLETE" | "LOCKED_INCOMPLETE";
  rsrOnly: boolean;
  female: boolean;
  lao: boolean;
  custody: boolean;
  displayStrings: boolean;
  sexualGate: boolean;
  laterComplete: boolean;
  badPnc: boolean;
  malformed: MalformedKind | null;
}

/** A narrative element whose length is decided once the rest of the record is laid out. */
interface TextSlot {
  tag: string;
  weight: number;
  indent: string;
}

type Part = string | TextSlot;

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const pad = (n: number, w = 2) => String(n).padStart(w, "0");
const DAY_MS = 86_400_000;
const BASE_DAY = Date.UTC(2024, 0, 1);

function localDateTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

const MALFORMED_KINDS: MalformedKind[] = ["ROSH_LEVEL", "MISSING_PK", "STATUS", "DATE", "LAO_FLAG"];

function drawProfile(rng: Rng, index: number, malformedRate: number): Profile {
  const malformed = rng.chance(malformedRate) ? rng.pick(MALFORMED_KINDS) : null;
  // A bad RoSH level needs a RoSH summary, which RSR-only assessments do not have.
  const rsrOnly = rng.chance(0.04) && malformed !== "ROSH_LEVEL";
  return {
    pk: 20_000_000 + index,
    status: rsrOnly
      ? "COMPLETE"
      : rng.weighted([
          ["COMPLETE", 90],
          ["OPEN", 6],
          ["LOCKED_INCOMPLETE", 4],
        ] as const),
    rsrOnly,
    female: rng.chance(0.12),
    lao: rng.chance(0.02),
    custody: rng.chance(0.2),
    displayStrings: rng.chance(0.3),
    sexualGate: rng.chance(0.35),
    laterComplete: rng.chance(0.05),
    badPnc: rng.chance(0.01),
    malformed,
  };
}

function pnc(rng: Rng, valid: boolean): string {
  const year = String(rng.int(1990, 2025));
  const serial = pad(rng.int(1, 9_999_999), 7);
  const check = checkLetter(`${year.slice(2)}${serial}`);
  const letter = valid ? check : check === "A" ? "B" : "A";
  return `${year}/${serial}${letter}`;
}

function cro(rng: Rng): string {
  const serial = pad(rng.int(1, 999_999), 6);
  const yy = pad(rng.int(0, 25));
  return `${serial}/${yy}${checkLetter(`${yy}${serial}`)}`;
}

const LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ";
const letter = (rng: Rng) => LETTERS[rng.int(0, LETTERS.length - 1)] as string;

const SECTIONS = ["1", "2", "3", "4", "6", "7", "8", "9", "10", "11", "12", "13"];
const FLAGGED_SECTIONS = new Set(["3", "4", "6", "7", "8", "9", "10", "11", "12"]);
const SEXUAL = new Set<string>(SEXUAL_ITEMS);
const PROBLEM_TEXT = ["0-No problems", "1-Some problems", "2-Significant problems"];

function answerValue(rng: Rng, q: Question, p: Profile, dayMs: number): string {
  const score = () =>
    rng.weighted([
      [0, 45],
      [1, 35],
      [2, 20],
    ] as const);
  const yes = (pYes: number) => {
    const v = rng.chance(pYes);
    return p.displayStrings ? (v ? "Yes" : "No") : v ? "YES" : "NO";
  };
  switch (q.scale) {
    case "PROBLEM": {
      const s = score();
      return p.displayStrings ? (PROBLEM_TEXT[s] as string) : String(s);
    }
    case "YES_NO":
      return yes(0.3);
    case "UNEMPLOYED":
      return rng.pick(["YES", "NO", "NA"]);
    case "INJECTED":
      return rng.weighted([
        ["Never", 80],
        ["Previous", 15],
        ["Currently", 5],
      ] as const);
    case "MOTIVATION":
      return rng.pick(["0-Very motivated", "1-Quite motivated", "2-Not at all"]);
    case "RELATIONSHIP_STATUS":
      return String(rng.int(1, 3));
    case "NUMBER":
      return String(
        rng.weighted([
          [0, 30],
          [rng.int(1, 3), 45],
          [rng.int(4, 25), 25],
        ] as const),
      );
    case "DATE":
      return localDateTime(dayMs - rng.int(30, 3000) * DAY_MS).slice(0, 10);
    case "TEXT":
      return paragraph(rng, rng.int(40, 160));
  }
}

function sectionParts(rng: Rng, p: Profile, dayMs: number, parts: Part[]): void {
  const last =
    p.status === "LOCKED_INCOMPLETE"
      ? rng.int(2, 6)
      : p.status === "OPEN"
        ? rng.int(4, SECTIONS.length)
        : SECTIONS.length;
  for (const code of SECTIONS.slice(0, last)) {
    parts.push(`    <section code="${code}">\n`);
    for (const q of QUESTIONS) {
      if (q.section !== code || (SEXUAL.has(q.code) && !p.sexualGate)) continue;
      if (q.code === "6.11") {
        parts.push(`      <answer q="6.11">${p.sexualGate ? "YES" : "NO"}</answer>\n`);
        continue;
      }
      const missing = p.status !== "COMPLETE" && rng.chance(0.15);
      const value = missing ? rng.pick(["M", ""]) : answerValue(rng, q, p, dayMs);
      parts.push(`      <answer q="${q.code}">${esc(value)}</answer>\n`);
    }
    if (FLAGGED_SECTIONS.has(code)) {
      const yn = (v: boolean) => (p.displayStrings ? (v ? "Yes" : "No") : v ? "YES" : "NO");
      parts.push(`      <linkedToHarm>${yn(rng.chance(0.4))}</linkedToHarm>\n`);
      parts.push(`      <linkedToReoffending>${yn(rng.chance(0.6))}</linkedToReoffending>\n`);
      parts.push({ tag: "issuesDetails", weight: 1, indent: "      " });
    }
    parts.push("    </section>\n");
  }
}

const ROSH_GROUPS = ["CHILDREN", "PUBLIC", "KNOWN_ADULT", "STAFF"];
const LEVELS = ["Low", "Medium", "High", "Very High"];
const LEVEL_VARIANTS: Record<string, string[]> = {
  Low: ["Low", "LOW", "low", "L"],
  Medium: ["Medium", "MEDIUM", "medium", "M"],
  High: ["High", "HIGH", "H"],
  "Very High": ["Very High", "VERY_HIGH", "very high", "V"],
};

function roshParts(rng: Rng, p: Profile, parts: Part[]): void {
  parts.push("    <roshSummary>\n");
  const spell = (level: string) => (p.displayStrings ? rng.pick(LEVEL_VARIANTS[level] ?? [level]) : level);
  for (const group of ROSH_GROUPS) {
    for (const setting of ["COMMUNITY", "CUSTODY"]) {
      const level = rng.weighted(LEVELS.map((l, i) => [l, [45, 35, 17, 3][i] as number] as const));
      const text = p.malformed === "ROSH_LEVEL" && group === "PUBLIC" ? "Severe" : spell(level);
      parts.push(`      <riskLevel group="${group}" setting="${setting}">${text}</riskLevel>\n`);
    }
  }
  if (p.custody) {
    parts.push(
      `      <riskLevel group="PRISONERS" setting="CUSTODY">${spell(rng.pick(["Low", "Medium"]))}</riskLevel>\n`,
    );
  }
  for (const [tag, weight] of [
    ["whoIsAtRisk", 1.5],
    ["natureOfRisk", 3],
    ["riskImminence", 1],
    ["riskIncreaseFactors", 2],
    ["riskMitigationFactors", 2],
    ["analysisOfRiskFactors", 2],
  ] as const) {
    parts.push({ tag, weight, indent: "      " });
  }
  parts.push("    </roshSummary>\n");
}

const bandOf = (score: number, cuts: [number, number, number]) =>
  score < cuts[0] ? "LOW" : score < cuts[1] ? "MEDIUM" : score < cuts[2] ? "HIGH" : "VERY_HIGH";

function predictorParts(rng: Rng, p: Profile, at: string, parts: Part[]): void {
  const band = (b: string) =>
    p.displayStrings
      ? b
          .replace("_", " ")
          .toLowerCase()
          .replace(/\b\w/g, (c) => c.toUpperCase())
      : b;
  const scored = (type: string, score: number, cuts: [number, number, number], extra = "") =>
    `      <predictor type="${type}" score="${score.toFixed(2)}" band="${band(bandOf(score, cuts))}"${extra} calculatedAt="${at}"/>\n`;
  parts.push("    <predictors>\n");
  parts.push(scored("OGRS3_1YR", rng.next() * 60, [30, 50, 75]));
  parts.push(scored("OGRS3_2YR", rng.next() * 80, [50, 75, 90]));
  parts.push(
    scored("RSR", rng.next() * 9, [3, 6.9, 100], ` staticOrDynamic="${rng.pick(["STATIC", "DYNAMIC"])}"`),
  );
  if (!p.rsrOnly) {
    parts.push(scored("OGP", rng.next() * 80, [34, 67, 85], ' algorithmVersion="1"'));
    parts.push(scored("OVP", rng.next() * 70, [30, 60, 80], ' algorithmVersion="1"'));
    if (p.female) {
      parts.push(`      <predictor type="OSP_C" band="${band("NOT_APPLICABLE")}"/>\n`);
      parts.push(`      <predictor type="OSP_I" band="${band("NOT_APPLICABLE")}"/>\n`);
    } else if (p.sexualGate) {
      parts.push(scored("OSP_DC", rng.next() * 4, [1, 2.5, 3.5], ' algorithmVersion="1.0"'));
      parts.push(scored("OSP_IIC", rng.next() * 2, [0.9, 1.4, 1.8], ' algorithmVersion="1.0"'));
      parts.push(
        `      <predictor type="RM2000_S" points="${rng.int(0, 6)}" band="${band(rng.pick(["LOW", "MEDIUM", "HIGH", "VERY_HIGH"]))}"/>\n`,
      );
    }
  }
  parts.push("    </predictors>\n");
}

function rmpParts(rng: Rng, p: Profile, parts: Part[]): void {
  parts.push("    <riskManagementPlan>\n");
  if (p.sexualGate || rng.chance(0.15)) {
    parts.push(`      <mappa category="${p.sexualGate ? 1 : rng.int(2, 3)}" level="${rng.int(1, 3)}"/>\n`);
  }
  if (p.sexualGate) {
    parts.push(
      `      <answer q="RM8">YES</answer>\n      <answer q="RM9">${rng.pick(["YES", "NO"])}</answer>\n`,
    );
    parts.push(`      <answer q="RM10">${rng.pick(["YES", "NO"])}</answer>\n`);
  }
  for (const tag of [
    "keyInformationCurrentSituation",
    "furtherConsiderationsCurrentSituation",
    "supervision",
    "monitoringAndControl",
    "interventionsAndTreatment",
    "victimSafetyPlanning",
    "contingencyPlans",
  ]) {
    parts.push({ tag, weight: 1, indent: "      " });
  }
  parts.push("    </riskManagementPlan>\n");
}

function layout(rng: Rng, p: Profile, index: number): Part[] {
  const dayMs = BASE_DAY + rng.int(0, 1030) * DAY_MS + rng.int(8 * 3600, 17 * 3600) * 1000;
  const signedMs = dayMs + rng.int(0, 10) * DAY_MS + rng.int(0, 7 * 3600) * 1000;
  const completed = localDateTime(signedMs + rng.int(0, 600) * 1000);
  const purpose = p.rsrOnly ? rng.pick([620, 630]) : rng.pick([270, 270, 270, 430, 440, 450, 260, 580, 600]);
  const type = p.displayStrings ? "LAYER_3" : p.rsrOnly ? "LAYER1" : "LAYER3";
  const status = p.malformed === "STATUS" ? "FINISHED" : p.status;
  const pkAttr = p.malformed === "MISSING_PK" ? "" : ` assessmentPk="${p.pk}"`;
  const parts: Part[] = [
    `  <assessment${pkAttr} type="${type}" version="1" status="${status}" purposeCode="${purpose}">\n`,
    `    <initiationDate>${p.malformed === "DATE" ? "2026-13-45T25:00:00" : localDateTime(dayMs)}</initiationDate>\n`,
  ];
  if (p.status !== "OPEN") {
    parts.push(`    <assessorSignedDate>${localDateTime(signedMs)}</assessorSignedDate>\n`);
    parts.push(`    <dateCompleted>${completed}</dateCompleted>\n`);
  }
  parts.push(`    <laterCompleteAssessmentExists>${p.laterComplete}</laterCompleteAssessmentExists>\n`);
  if (p.laterComplete) {
    parts.push(
      `    <latestCompleteDate>${localDateTime(signedMs + rng.int(60, 400) * DAY_MS)}</latestCompleteDate>\n`,
    );
  }
  const born = BASE_DAY - rng.int(19 * 365, 70 * 365) * DAY_MS;
  const lao = p.malformed === "LAO_FLAG" ? "maybe" : String(p.lao);
  parts.push(
    `    <offender oasysOffenderPk="${1_000_000 + index * 7 + rng.int(0, 6)}" limitedAccessOffender="${lao}" custody="${p.custody ? "Y" : "N"}">\n`,
    `      <crn>${letter(rng)}${pad(rng.int(0, 999_999), 6)}</crn>\n`,
    `      <pnc>${pnc(rng, !p.badPnc)}</pnc>\n`,
  );
  if (rng.chance(0.7)) parts.push(`      <cro>${cro(rng)}</cro>\n`);
  if (p.custody || rng.chance(0.4)) {
    parts.push(
      `      <nomisId>${letter(rng)}${pad(rng.int(0, 9999), 4)}${letter(rng)}${letter(rng)}</nomisId>\n`,
    );
  }
  parts.push(
    `      <familyName>${familyName(rng)}</familyName>\n      <forename1>${forename(rng)}</forename1>\n`,
  );
  if (rng.chance(0.5)) parts.push(`      <forename2>${forename(rng)}</forename2>\n`);
  const gender = p.displayStrings ? (p.female ? "F" : "M") : p.female ? "2" : "1";
  parts.push(
    `      <dateOfBirth>${localDateTime(born).slice(0, 10)}</dateOfBirth>\n      <gender>${gender}</gender>\n    </offender>\n`,
  );
  if (!p.rsrOnly) {
    sectionParts(rng, p, dayMs, parts);
    const withRosh = p.status !== "LOCKED_INCOMPLETE" || p.malformed === "ROSH_LEVEL" || rng.chance(0.3);
    if (withRosh) roshParts(rng, p, parts);
  }
  predictorParts(rng, p, completed, parts);
  if (!p.rsrOnly && p.status === "COMPLETE") rmpParts(rng, p, parts);
  parts.push("  </assessment>\n");
  return parts;
}

/** Fill the text slots so the record comes out near `target` bytes (ASCII, so chars = bytes). */
function render(rng: Rng, parts: Part[], target: number): string {
  let fixed = 0;
  let weights = 0;
  for (const part of parts) {
    if (typeof part === "string") fixed += part.length;
    else {
      fixed += part.indent.length + 2 * part.tag.length + 6;
      weights += part.weight;
    }
  }
  const budget = Math.max(0, target - fixed);
  return parts
    .map((part) => {
      if (typeof part === "string") return part;
      const length = Math.max(20, Math.round(((budget * part.weight) / weights) * (0.6 + rng.next() * 0.8)));
      return `${part.indent}<${part.tag}>${esc(paragraph(rng, length - 40))}</${part.tag}>\n`;
    })
    .join("");
}

export function* generateExport(options: GenerateOptions): Generator<string, ExportSummary, undefined> {
  const rng = mulberry32(options.seed);
  const target = options.targetBytes ?? 13_000;
  const malformedRate = options.malformedRate ?? 0.005;
  const exportId = options.exportId ?? `EXP-GEN-${options.seed}-${options.count}`;
  const generatedAt = options.generatedAt ?? "2026-11-20T02:00:00Z";
  const summary: ExportSummary = {
    assessments: options.count,
    expectedAccepted: 0,
    expectedRejected: 0,
    byStatus: { OPEN: 0, COMPLETE: 0, LOCKED_INCOMPLETE: 0 },
    invalidPnc: 0,
    bytes: 0,
  };
  const emit = (chunk: string) => {
    summary.bytes += Buffer.byteLength(chunk);
    return chunk;
  };
  yield emit(
    `<?xml version="1.0" encoding="UTF-8"?>\n<oasysExport xmlns="urn:hmpps:oasys:export:1" exportId="${esc(exportId)}" generatedAt="${esc(generatedAt)}">\n`,
  );
  for (let i = 1; i <= options.count; i++) {
    const profile = drawProfile(rng, i, malformedRate);
    if (profile.malformed) summary.expectedRejected++;
    else {
      summary.expectedAccepted++;
      summary.byStatus[profile.status]++;
      if (profile.badPnc) summary.invalidPnc++;
    }
    yield emit(render(rng, layout(rng, profile, i), target));
  }
  yield emit("</oasysExport>\n");
  return summary;
}

/**
 * Stream a generated export to `out`, waiting for 'drain' when the stream asks (bounded memory). A
 * destination that fails (a full disk, a closed pipe) stops the generator with that error's code.
 */
export async function writeExport(
  options: GenerateOptions,
  out: NodeJS.WritableStream,
): Promise<ExportSummary> {
  const write = writer(out);
  const chunks = generateExport(options);
  let batch = "";
  for (;;) {
    const step = chunks.next();
    if (step.done) {
      if (batch !== "") await write(batch);
      return step.value;
    }
    batch += step.value;
    if (batch.length >= 64 * 1024) {
      await write(batch);
      batch = "";
    }
  }
}
