/**
 * Structured logging (pino). Personal data never reaches a log line: every field named in the
 * personal-field catalogue (src/core/personal-fields.ts) is replaced by "[REDACTED]" wherever it appears
 * in a logged object or a child logger's bindings, at any depth, and callers log ids (assessment pk,
 * export id, person id), not people.
 *
 * The catalogue is applied by one walk over each logged object (pino's `formatters`), not as pino
 * `redact` paths: redacting ~65 names at every depth takes a wildcard path per name and depth, and those
 * cost 45 µs a line at two levels and 175 µs at four (measured), against a few µs for the walk. pino's
 * own `redact` keeps the credential paths.
 */
import { type DestinationStream, type Logger, pino } from "pino";
import { PERSONAL_FIELD_NAMES } from "./core/personal-fields.ts";

export const CENSOR = "[REDACTED]";
/** Deeper than this, a logged object is cut off (no log line nests so far; it also stops cycles). */
const MAX_DEPTH = 12;
const PERSONAL = new Set(PERSONAL_FIELD_NAMES);
/** A catalogued name, or one numbered as the XML numbers forenames (`forename2`). */
const isCatalogued = (key: string): boolean =>
  PERSONAL.has(key) || (/\d$/.test(key) && PERSONAL.has(key.replace(/\d+$/, "")));

const isPlain = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null || Array.isArray(v);
};

/**
 * `value` with every catalogued field censored, at any depth. Plain objects and arrays are walked (and
 * copied only where something is censored); anything else (errors, dates, buffers) is left to pino.
 */
export function redactPersonal<T>(value: T, depth = 0): T {
  if (value === null || typeof value !== "object" || !isPlain(value)) return value;
  if (depth >= MAX_DEPTH) return CENSOR as T;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    value.forEach((item, i) => {
      const clean = redactPersonal(item, depth + 1);
      if (clean === item) return;
      copy ??= [...value];
      copy[i] = clean;
    });
    return (copy ?? value) as T;
  }
  let copy: Record<string, unknown> | null = null;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const item = record[key];
    const clean = isCatalogued(key) ? CENSOR : redactPersonal(item, depth + 1);
    if (clean === item) continue;
    copy ??= { ...record };
    copy[key] = clean;
  }
  return (copy ?? value) as T;
}

export function createLogger(
  options: { level?: string; name?: string } = {},
  destination?: DestinationStream,
): Logger {
  const logger = pino(
    {
      name: options.name ?? "oasys-arms-bridge",
      level: options.level ?? process.env.LOG_LEVEL ?? "info",
      formatters: { log: (object) => redactPersonal(object) },
      redact: { paths: ["req.headers.authorization", "*.headers.authorization"], censor: CENSOR },
      base: undefined,
    },
    destination,
  );
  // A child's bindings are written once, when it is made, and pino's formatters never see them: censor
  // them here. Children inherit this `child`, so theirs are censored too.
  const child = logger.child;
  logger.child = function (this: Logger, bindings, options) {
    return child.call(this, redactPersonal(bindings), options);
  } as Logger["child"];
  return logger;
}
