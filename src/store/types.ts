/**
 * Value conversion shared by both drivers, so a row reads the same from PostgreSQL and from PGlite:
 * timestamps come back as ISO 8601 UTC strings (`2026-10-03T13:05:00.000Z`), dates as `YYYY-MM-DD`,
 * bigints as numbers (refused when they would lose precision), jsonb as parsed JSON, bytea as bytes.
 * Both drivers run their sessions with `TimeZone=UTC` and the ISO DateStyle, which these parsers rely on.
 */

export const OID = {
  INT8: 20,
  DATE: 1082,
  TIMESTAMP: 1114,
  TIMESTAMPTZ: 1184,
} as const;

export type TextParser = (value: string) => unknown;

/** `2026-10-03 13:05:00.12+00` (PostgreSQL text output, UTC session) -> `2026-10-03T13:05:00.120Z`. */
export function parseTimestamptz(value: string): string {
  const iso = value.replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00");
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

/** `2026-10-03 13:05:00` (no zone) -> `2026-10-03T13:05:00`, kept as the local date-time it is. */
export function parseTimestamp(value: string): string {
  return value.replace(" ", "T");
}

export function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`bigint ${value} is outside the safe integer range`);
  return n;
}

export const TEXT_PARSERS: Readonly<Record<number, TextParser>> = {
  [OID.INT8]: parseInt8,
  [OID.DATE]: (value) => value,
  [OID.TIMESTAMP]: parseTimestamp,
  [OID.TIMESTAMPTZ]: parseTimestamptz,
};

/** Schema names are interpolated into SQL and connection options, so only plain identifiers pass. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
