/**
 * The web pages' shared Nunjucks filters (registered by views.ts; the macros that use them are in
 * views/macros/). Pure functions, tested on their own (tests/web/filters.test.ts).
 *
 * Dates follow the GOV.UK style guide, in Europe/London whatever the server's zone:
 * - `govukDate`: "8 December 2026";
 * - `govukDateTime`: "8 December 2026 at 2:05pm" ("midnight" and "midday" for 12am and 12pm);
 * - `govukTime`: "2:05pm".
 * An instant (`...Z` or with an offset) is shown as the time in London; a calendar date (`2026-12-08`) and
 * a local date-time without a zone (OASys writes them in London time) are shown as written.
 *
 * Severity tags: `severityTag` gives the GOV.UK tag (text and colour class) of a conflict's severity, for
 * `govukTag(severity | severityTag)` or the `severityTag` macro.
 */
import type { Role } from "../auth/principal.ts";
import type { Severity } from "../core/conflicts/types.ts";

const ZONE = "Europe/London";
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/;
const LONDON_PARTS = new Intl.DateTimeFormat("en-GB", {
  timeZone: ZONE,
  year: "numeric",
  month: "numeric",
  day: "numeric",
  hour: "numeric",
  minute: "numeric",
  hourCycle: "h23",
});

interface Parts {
  year: number;
  month: number;
  day: number;
  /** Absent for a calendar date. */
  hour?: number;
  minute?: number;
}

/** The calendar parts a value stands for, in London; null when it is not a date. */
function partsOf(value: unknown): Parts | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : londonParts(value);
  if (typeof value !== "string") return null;
  const date = DATE_ONLY.exec(value);
  if (date) return { year: Number(date[1]), month: Number(date[2]), day: Number(date[3]) };
  const local = LOCAL_DATE_TIME.exec(value);
  if (local) {
    const [, y, mo, d, h, mi] = local.map(Number) as number[];
    return { year: y!, month: mo!, day: d!, hour: h!, minute: mi! };
  }
  const instant = new Date(value);
  return Number.isNaN(instant.getTime()) ? null : londonParts(instant);
}

function londonParts(instant: Date): Parts {
  const get = (type: string) =>
    Number(LONDON_PARTS.formatToParts(instant).find((p) => p.type === type)?.value ?? Number.NaN);
  return {
    year: get("year"),
    month: get("month"),
    day: get("day"),
    hour: get("hour"),
    minute: get("minute"),
  };
}

const dateText = (p: Parts) => `${p.day} ${MONTHS[p.month - 1]} ${p.year}`;

function timeText(hour: number, minute: number): string {
  if (minute === 0 && hour === 0) return "midnight";
  if (minute === 0 && hour === 12) return "midday";
  const h = hour % 12 === 0 ? 12 : hour % 12;
  return `${h}:${String(minute).padStart(2, "0")}${hour < 12 ? "am" : "pm"}`;
}

/** What a value that is not a date shows: itself (an invalid Date, nothing: never "Invalid Date"). */
const asGiven = (value: unknown) => (value instanceof Date || value == null ? "" : String(value));

/** "8 December 2026". */
export function govukDate(value: unknown): string {
  const p = partsOf(value);
  return p ? dateText(p) : asGiven(value);
}

/** "8 December 2026 at 2:05pm"; a calendar date alone when the value has no time. */
export function govukDateTime(value: unknown): string {
  const p = partsOf(value);
  if (!p) return asGiven(value);
  return p.hour === undefined ? dateText(p) : `${dateText(p)} at ${timeText(p.hour, p.minute ?? 0)}`;
}

/** "2:05pm"; empty for a calendar date. */
export function govukTime(value: unknown): string {
  const p = partsOf(value);
  return p?.hour === undefined ? "" : timeText(p.hour, p.minute ?? 0);
}

export interface TagParams {
  text: string;
  classes: string;
}

const SEVERITY_TAGS: Readonly<Record<Severity, TagParams>> = {
  BLOCK: { text: "Blocks push", classes: "govuk-tag--red" },
  WARN: { text: "To review", classes: "govuk-tag--orange" },
  INFO: { text: "Information", classes: "govuk-tag--grey" },
};

/** The GOV.UK tag of a conflict severity; an unknown one is a grey tag with its own text. */
export function severityTag(severity: unknown): TagParams {
  return SEVERITY_TAGS[severity as Severity] ?? { text: String(severity ?? ""), classes: "govuk-tag--grey" };
}

const ROLE_NAMES: Readonly<Record<Role, string>> = {
  PROBATION: "Probation",
  POLICE: "Police",
  DATA_TEAM: "Data team",
  ADMIN: "Administrator",
  AUDITOR: "Auditor",
};

/** "Data team" for DATA_TEAM. */
export function roleName(role: unknown): string {
  return ROLE_NAMES[role as Role] ?? String(role ?? "");
}

/** Every filter by the name templates use. */
export const FILTERS = { govukDate, govukDateTime, govukTime, severityTag, roleName } as const;
