/**
 * Structured logging (pino). Personal data never reaches a log line: the fields below are redacted
 * wherever they appear, and callers log ids (assessment pk, export id, person id), not people.
 */
import { type DestinationStream, type Logger, pino } from "pino";

/** Field names that may carry personal data, at any depth we log. */
export const REDACTED_PATHS = [
  "familyName",
  "forename",
  "forenames",
  "givenName",
  "dateOfBirth",
  "pnc",
  "cro",
  "crn",
  "nomisId",
  "subject",
  "offender",
  "evidence",
  "answers",
  "*.familyName",
  "*.forename",
  "*.forenames",
  "*.givenName",
  "*.dateOfBirth",
  "*.pnc",
  "*.cro",
  "*.crn",
  "*.nomisId",
  "*.subject",
  "*.offender",
  "*.evidence",
  "*.answers",
  // Identity-match disagreements hold both agencies' values (dates of birth, names, PNCs).
  "disagreements",
  "*.disagreements",
  "req.headers.authorization",
];

export function createLogger(
  options: { level?: string; name?: string } = {},
  destination?: DestinationStream,
): Logger {
  return pino(
    {
      name: options.name ?? "oasys-arms-bridge",
      level: options.level ?? process.env.LOG_LEVEL ?? "info",
      redact: { paths: REDACTED_PATHS, censor: "[REDACTED]" },
      base: undefined,
    },
    destination,
  );
}
