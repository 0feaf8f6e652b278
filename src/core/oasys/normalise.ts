/**
 * Value normalisation for OASys data: every spelling the XML export and the ORDS REST API use
 * (contract §1-2, domain brief §2, §9) becomes one canonical value. Pure functions, no IO.
 * A value that cannot be understood is never guessed: the caller records a warning and keeps the raw.
 */
import type {
  Answer,
  AssessmentStatus,
  AssessmentType,
  Band,
  Gender,
  NormalisedAnswer,
  PartcompStatus,
  RiskLevel,
  RoshGroup,
  RoshSetting,
  StaticOrDynamic,
} from "./model.ts";
import { QUESTION_BY_CODE, type Scale } from "./questions.ts";

/** Trimmed string, or null for null/undefined/blank. */
export function clean(raw: unknown): string | null {
  if (raw === null || raw === undefined) return null;
  const s = (typeof raw === "string" ? raw : String(raw)).trim();
  return s === "" ? null : s;
}

/**
 * A bounded memo for a pure function of a short string. Coded values (flags, levels, answer codes) come
 * from a small set, so after the first few records nearly every lookup hits. Long strings (free text)
 * are not remembered; when the memo is full it starts again, so memory stays bounded whatever the input.
 */
function memoised<T>(compute: (s: string) => T, maxLength = 40, maxEntries = 10_000): (s: string) => T {
  let memo = new Map<string, T>();
  return (s) => {
    if (s.length > maxLength) return compute(s);
    const hit = memo.get(s);
    if (hit !== undefined || memo.has(s)) return hit as T;
    const value = compute(s);
    if (memo.size >= maxEntries) memo = new Map();
    memo.set(s, value);
    return value;
  };
}

/** Upper case, trimmed, runs of spaces, `-` and `/` as `_`: the form the lookup tables are keyed by. */
const key = memoised((s: string) =>
  s
    .trim()
    .toUpperCase()
    .replace(/[\s\-/]+/g, "_"),
);

const TYPES: Record<string, AssessmentType> = {
  LAYER1: "LAYER1",
  LAYER_1: "LAYER1",
  LAYER2: "LAYER2",
  LAYER_2: "LAYER2",
  LAYER3: "LAYER3",
  LAYER_3: "LAYER3",
  BCS: "BCS",
  BASIC_CUSTODY_SCREENING: "BCS",
  TR_BCS: "TR_BCS",
  SARA: "SARA",
  RM2000: "RM2000",
};
export const normaliseAssessmentType = (raw: unknown): AssessmentType | null => {
  const s = clean(raw);
  return s === null ? null : (TYPES[key(s)] ?? null);
};

const STATUSES: Record<string, AssessmentStatus> = {
  OPEN: "OPEN",
  COMPLETE: "COMPLETE",
  LOCKED_INCOMPLETE: "LOCKED_INCOMPLETE",
};
export const normaliseStatus = (raw: unknown): AssessmentStatus | null => {
  const s = clean(raw);
  return s === null ? null : (STATUSES[key(s)] ?? null);
};

export const normalisePartcomp = (raw: unknown): PartcompStatus | null => {
  const s = clean(raw)?.toUpperCase();
  return s === "SIGNED" ? "SIGNED" : s === "UNSIGNED" ? "UNSIGNED" : null;
};

const GENDERS: Record<string, Gender> = {
  "1": "MALE",
  M: "MALE",
  MALE: "MALE",
  "2": "FEMALE",
  F: "FEMALE",
  FEMALE: "FEMALE",
  "9": "NOT_KNOWN",
  U: "NOT_KNOWN",
  NOT_KNOWN: "NOT_KNOWN",
  UNKNOWN: "NOT_KNOWN",
};
/** `1`/`M`/`MALE` and `2`/`F`/`FEMALE`; null when unrecognised (caller warns). */
export const normaliseGender = (raw: unknown): Gender | null => {
  const s = clean(raw);
  return s === null ? "NOT_KNOWN" : (GENDERS[key(s)] ?? null);
};

const LEVELS: Record<string, RiskLevel> = {
  L: "LOW",
  LOW: "LOW",
  M: "MEDIUM",
  MEDIUM: "MEDIUM",
  H: "HIGH",
  HIGH: "HIGH",
  V: "VERY_HIGH",
  VH: "VERY_HIGH",
  VERY_HIGH: "VERY_HIGH",
  VERYHIGH: "VERY_HIGH",
};
/** RoSH / police levels: `Low`..`Very High`, any case, `L/M/H/V`, `VERY_HIGH`. */
export const normaliseRiskLevel = (raw: unknown): RiskLevel | null => {
  const s = clean(raw);
  return s === null ? null : (LEVELS[key(s)] ?? null);
};

/** Values that mean "no level" in the OASys RISK_FLAG category (`N`, `NA`, `NC`, `None`...). */
export const isNoLevel = (raw: unknown): boolean => {
  const s = clean(raw);
  return s === null || ["N", "NA", "N_A", "NC", "NONE", "NOT_APPLICABLE", "NOT_CALCULATED"].includes(key(s));
};

/** Predictor band: LOW..VERY_HIGH or NOT_APPLICABLE, any case, with spaces. Never derived from a score. */
export const normaliseBand = (raw: unknown): Band | null => {
  const s = clean(raw);
  if (s === null) return null;
  const k = key(s);
  if (k === "NOT_APPLICABLE" || k === "NA" || k === "N_A") return "NOT_APPLICABLE";
  return LEVELS[k] ?? null;
};

export const normaliseStaticOrDynamic = (raw: unknown): StaticOrDynamic | null => {
  const s = clean(raw)?.toUpperCase();
  return s === "STATIC" ? "STATIC" : s === "DYNAMIC" ? "DYNAMIC" : null;
};

const GROUPS: Record<string, RoshGroup> = {
  CHILDREN: "CHILDREN",
  CHILD: "CHILDREN",
  PUBLIC: "PUBLIC",
  KNOWN_ADULT: "KNOWN_ADULT",
  KNOWNADULT: "KNOWN_ADULT",
  STAFF: "STAFF",
  PRISONERS: "PRISONERS",
};
/** `Known Adult` and `Known adult` both occur upstream: match case-insensitively. */
export const normaliseRoshGroup = (raw: unknown): RoshGroup | null => {
  const s = clean(raw);
  return s === null ? null : (GROUPS[key(s)] ?? null);
};

export const normaliseRoshSetting = (raw: unknown): RoshSetting | null => {
  const s = clean(raw)?.toUpperCase();
  return s === "COMMUNITY" ? "COMMUNITY" : s === "CUSTODY" ? "CUSTODY" : null;
};

const PREDICTOR_ALIASES: Record<string, string> = {
  OSPC: "OSP_C",
  OSPI: "OSP_I",
  OSPDC: "OSP_DC",
  OSPIIC: "OSP_IIC",
  OSPII: "OSP_IIC",
  RM2000S: "RM2000_S",
  OGRS3_1YEAR: "OGRS3_1YR",
  OGRS3_2YEAR: "OGRS3_2YR",
};
/** Predictor type: upper-case with `_` separators; known aliases folded; unknown types carried as given. */
export const normalisePredictorType = (raw: string): string => {
  const k = key(raw);
  return PREDICTOR_ALIASES[k] ?? PREDICTOR_ALIASES[k.replace(/_/g, "")] ?? k;
};

/** `Yes`/`No`/`Y`/`N`/`true`/`false` -> boolean; anything else null. */
export const normaliseFlag = (raw: unknown): boolean | null => {
  if (typeof raw === "boolean") return raw;
  const s = clean(raw);
  if (s === null) return null;
  const k = key(s);
  if (k === "YES" || k === "Y" || k === "TRUE") return true;
  if (k === "NO" || k === "N" || k === "FALSE") return false;
  return null;
};

const LONDON = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/London",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * A real calendar date (proleptic Gregorian). Years before 100 are refused, as the `Date.UTC` round trip
 * this replaces refused them (it reads years 0-99 as 1900-1999).
 */
function validDate(y: number, m: number, d: number): boolean {
  if (y < 100 || m < 1 || m > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (m === 2 && leap ? 29 : (DAYS_IN_MONTH[m - 1] as number));
}

/**
 * OASys local date-time `YYYY-MM-DDTHH:mm:ss` (Europe/London). A value with a zone or offset is
 * converted to London local time; a bare date gets midnight. Null when not a real date-time.
 */
export function normaliseLocalDateTime(raw: unknown): string | null {
  const s = clean(raw);
  if (s === null) return null;
  const m = DATE_TIME.exec(s);
  if (!m) return null;
  const [, y, mo, d, h = "00", mi = "00", se = "00", zone] = m;
  if (!validDate(Number(y), Number(mo), Number(d)) || Number(h) > 23 || Number(mi) > 59 || Number(se) > 59) {
    return null;
  }
  if (!zone) return `${y}-${mo}-${d}T${h}:${mi}:${se}`;
  const instant = new Date(
    `${y}-${mo}-${d}T${h}:${mi}:${se}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`,
  );
  const parts = Object.fromEntries(LONDON.formatToParts(instant).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

/** `YYYY-MM-DD` from an ISO date or date-time (or `DD/MM/YYYY`); null when not a real date. */
export function normaliseDate(raw: unknown): string | null {
  const s = clean(raw);
  if (s === null) return null;
  const uk = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(s);
  if (uk) {
    const [, d, mo, y] = uk;
    return validDate(Number(y), Number(mo), Number(d)) ? `${y}-${mo}-${d}` : null;
  }
  const dt = normaliseLocalDateTime(s);
  return dt === null ? null : dt.slice(0, 10);
}

/** Local date-time to the UTC instant it denotes (Europe/London rules, including BST). */
export function londonLocalToInstant(local: string): Date {
  const [datePart, timePart = "00:00:00"] = local.split("T");
  const [y, mo, d] = (datePart as string).split("-").map(Number) as [number, number, number];
  const [h, mi, se] = timePart.split(":").map(Number) as [number, number, number];
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, se ?? 0);
  // London is UTC+0 or UTC+1: try both offsets and keep the one that formats back to the same local time.
  for (const offsetHours of [1, 0]) {
    const candidate = new Date(asUtc - offsetHours * 3_600_000);
    const parts = Object.fromEntries(LONDON.formatToParts(candidate).map((p) => [p.type, p.value]));
    if (Number(parts.hour) === h && Number(parts.day) === d) return candidate;
  }
  return new Date(asUtc);
}

// ---------------------------------------------------------------------------------------------------
// Answers

export interface NormalisedResult {
  answer: Answer;
  /** Set when the raw value was not understood for the question's scale (kept raw, marked missing). */
  problem?: string;
}

const MISSING: NormalisedAnswer = Object.freeze({ kind: "missing" });
const MISSING_WORDS = new Set(["M", "MISSING", "NULL"]);

const score = (n: number): NormalisedAnswer => ({ kind: "score", score: n as 0 | 1 | 2 });

/** Leading 0/1/2 of a display string such as `2-Significant problems` or `0 - No`. */
function leadingScore(s: string): 0 | 1 | 2 | null {
  const m = /^([0-2])(?:\s*-\s*.*|\s*)$/s.exec(s);
  return m ? (Number(m[1]) as 0 | 1 | 2) : null;
}

function yesNo(s: string): "YES" | "NO" | "DONT_KNOW" | "NA" | null {
  const stripped = s.replace(/^[0-2]\s*-\s*/, "");
  const k = key(stripped);
  if (k === "YES" || k === "Y") return "YES";
  if (k === "NO" || k === "N") return "NO";
  if (k === "DK" || k === "DON'T_KNOW" || k === "DONT_KNOW" || k === "DON’T_KNOW") return "DONT_KNOW";
  if (k === "NA" || k === "N_A" || k === "NOT_APPLICABLE") return "NA";
  return null;
}

const RELATIONSHIP_TEXT: Record<string, string> = {
  IN_A_RELATIONSHIP_LIVING_TOGETHER: "1",
  IN_A_RELATIONSHIP_NOT_LIVING_TOGETHER: "2",
  NOT_IN_A_RELATIONSHIP: "3",
};

const INJECTED: Record<string, 0 | 1 | 2> = { NEVER: 0, PREVIOUS: 1, CURRENTLY: 2 };
const MOTIVATION: Record<string, 0 | 1 | 2> = { VERY_MOTIVATED: 0, QUITE_MOTIVATED: 1, NOT_AT_ALL: 2 };

function byScale(scale: Scale | undefined, s: string): NormalisedAnswer | null {
  switch (scale) {
    case "PROBLEM": {
      const n = leadingScore(s);
      return n === null ? null : score(n);
    }
    case "YES_NO": {
      const v = yesNo(s);
      if (v === "YES" || v === "NO") return { kind: "yesno", value: v };
      return v === null ? null : { kind: "code", code: v };
    }
    case "UNEMPLOYED": {
      const k = key(s.replace(/^[0-2]\s*-\s*/, ""));
      if (k === "YES" || k === "Y") return { kind: "code", code: "YES" };
      if (k === "NO" || k === "N") return { kind: "code", code: "NO" };
      if (k === "NA" || k.startsWith("NOT_AVAILABLE")) return { kind: "code", code: "NA" };
      return null;
    }
    case "INJECTED": {
      const n = leadingScore(s) ?? INJECTED[key(s.replace(/^[0-2]\s*-\s*/, ""))];
      return n === undefined || n === null ? null : score(n);
    }
    case "MOTIVATION": {
      const n = leadingScore(s) ?? MOTIVATION[key(s)];
      return n === undefined || n === null ? null : score(n);
    }
    case "RELATIONSHIP_STATUS": {
      if (/^[1-3]$/.test(s)) return { kind: "code", code: s };
      const c = RELATIONSHIP_TEXT[key(s.replace(/^[1-3]\s*-\s*/, ""))];
      return c === undefined ? null : { kind: "code", code: c };
    }
    case "NUMBER": {
      const n = Number(s);
      return /^-?\d+(\.\d+)?$/.test(s) && Number.isFinite(n) ? { kind: "number", value: n } : null;
    }
    case "DATE": {
      const d = normaliseDate(s);
      return d === null ? null : { kind: "date", value: d };
    }
    case "TEXT":
      return { kind: "text", text: s };
    default: {
      // Unknown question: normalise by the value's shape, keep anything else as text.
      const n = leadingScore(s);
      if (n !== null) return score(n);
      const v = yesNo(s);
      if (v === "YES" || v === "NO") return { kind: "yesno", value: v };
      return { kind: "text", text: s };
    }
  }
}

/**
 * Normalise one answer for question `code`. `M`, blank and null are `missing`; a value the question's
 * scale does not allow is kept raw, marked `missing`, and reported as a problem for a record warning.
 *
 * Coded answers repeat across records (question x value is a small space), so results for short raw
 * strings are remembered per question: the answer object is new each time, the normalised `value` is
 * shared between records and frozen (as the `missing` value always was shared).
 */
export function normaliseAnswer(code: string, raw: unknown): NormalisedResult {
  if (typeof raw !== "string" || raw.length > ANSWER_MEMO_MAX_RAW) return normaliseAnswerOnce(code, raw);
  let byRaw = answerMemo.get(code);
  if (byRaw === undefined) {
    if (answerMemoSize >= ANSWER_MEMO_MAX_ENTRIES) {
      answerMemo.clear();
      answerMemoSize = 0;
    }
    byRaw = new Map();
    answerMemo.set(code, byRaw);
  }
  let known = byRaw.get(raw);
  if (known === undefined) {
    const { answer, problem } = normaliseAnswerOnce(code, raw);
    known = { raw: answer.raw, value: Object.freeze(answer.value), problem };
    if (answerMemoSize < ANSWER_MEMO_MAX_ENTRIES) {
      byRaw.set(raw, known);
      answerMemoSize++;
    }
  }
  const answer: Answer = { raw: known.raw, value: known.value };
  return known.problem === undefined ? { answer } : { answer, problem: known.problem };
}

const ANSWER_MEMO_MAX_RAW = 64;
const ANSWER_MEMO_MAX_ENTRIES = 20_000;
const answerMemo = new Map<
  string,
  Map<string, { raw: string | null; value: NormalisedAnswer; problem?: string }>
>();
let answerMemoSize = 0;

function normaliseAnswerOnce(code: string, raw: unknown): NormalisedResult {
  const s = clean(raw);
  if (s === null) return { answer: { raw: null, value: MISSING } };
  const scale = QUESTION_BY_CODE.get(code)?.scale;
  if (MISSING_WORDS.has(s.toUpperCase()) && scale !== "TEXT") return { answer: { raw: s, value: MISSING } };
  const value = byScale(scale, s);
  if (value === null) {
    return {
      answer: { raw: s, value: MISSING },
      problem: `value not recognised for a ${scale} item; kept raw, treated as missing`,
    };
  }
  return { answer: { raw: s, value } };
}

/** The 0/1/2 score of an answer, or null when not asked, missing or not a scored item. */
export function scoreOf(answer: Answer | undefined): 0 | 1 | 2 | null {
  return answer?.value.kind === "score" ? answer.value.score : null;
}

/** YES/NO of an answer, or null. */
export function yesNoOf(answer: Answer | undefined): "YES" | "NO" | null {
  return answer?.value.kind === "yesno" ? answer.value.value : null;
}
