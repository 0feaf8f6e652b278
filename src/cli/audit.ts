/**
 * `bridge audit verify|export`: the audit chain (DPA 2018 Part 3, s.62) read back from the store.
 * verify walks the chain and reports the first broken link (exit 2); export answers a regulator's or a
 * subject-access request with every entry about one person in a period. The subject asked about is never
 * logged or echoed: messages name seqs, dates and counts only.
 */
import { londonToday } from "../clock.ts";
import { loadConfig } from "../config.ts";
import { parseCrn, parsePnc, pncPivotYear } from "../core/identity/identifiers.ts";
import { type Db, openStore } from "../store/index.ts";
import { isUuid } from "../store/paging.ts";
import type { AuditEvent } from "../store/repositories/audit.ts";
import {
  type AuditSubject,
  auditEventsAbout,
  chainLength,
  subjectIdsOf,
  type VerifyReport,
  verifyChain,
} from "../store/repositories/audit-chain.ts";
import { type CliIo, EXIT } from "./io.ts";
import { writer } from "./output.ts";
import { parseOptions, usageError } from "./usage.ts";

export const HELP = `usage: bridge audit verify [--from-seq <n>] [--json]
       bridge audit export --subject <person id|CRN|PNC> --from <date> --to <date> [--json]

The audit trail: every collection, alteration, consultation, disclosure, combination and erasure of
personal data, each entry chained to the one before by its SHA-256 hash (src/store/README.md, "Audit
chain", defines the hash so it can be checked independently).

verify   recomputes every entry's hash and link from the start (or from the last retention checkpoint,
         or from --from-seq) and reports the first broken link: a missing seq, a prev_hash that is not
         the previous entry's hash, or an entry whose content no longer matches its hash.
export   every entry about one person (by person id, CRN or PNC: their OASys and ARMS records, the
         exports those came from, their conflicts and deliveries) at or after --from and up to --to
         (dates are whole UTC days, --to included; or ISO instants), oldest first. --json: one JSON
         entry per line, hashes included, for a regulator or a subject-access request.

Reads DATABASE_URL/DB_SCHEMA (or BRIDGE_DATA_DIR, an embedded store's directory; without either there is
no store to read, and it says so).

Exit codes: 0 the chain is whole / export written, 2 the chain is broken, 1 usage error or failure.
`;

export const NO_STORE =
  "DATABASE_URL is not set, so this would read a new, empty embedded store (in memory), not the service's audit trail. Set DATABASE_URL (and DB_SCHEMA) to the service's PostgreSQL, or BRIDGE_DATA_DIR to an embedded store's directory.";

export const USAGE = "bridge audit verify|export [options]";

const usage = (io: CliIo, why: string): number => usageError(io, USAGE, why);

async function withStore<T>(io: CliIo, fn: (db: Db) => Promise<T>): Promise<T | number> {
  const config = loadConfig();
  if (!config.databaseUrl && !config.dataDir) {
    io.stderr.write(`bridge audit: ${NO_STORE}\n`);
    return EXIT.FATAL;
  }
  const db = await openStore({
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    ...(config.dataDir ? { dataDir: config.dataDir } : {}),
    schema: config.databaseSchema,
  });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** A person id, or a CRN or check-valid PNC in canonical form; null when it is none of them. */
export function subjectOf(value: string, today: string): AuditSubject | null {
  const v = value.trim();
  if (isUuid(v.toLowerCase())) return { personId: v.toLowerCase() };
  const crn = parseCrn(v);
  if (crn.status === "VALID" && crn.canonical) return { crn: crn.canonical };
  const pnc = parsePnc(v, pncPivotYear(today));
  if (pnc.status === "VALID" && pnc.canonical) return { pnc: pnc.canonical };
  return null;
}

/** `YYYY-MM-DD` (a whole UTC day; `end` gives the next midnight) or an ISO instant; null when neither. */
export function instantOf(value: string, end: boolean): string | null {
  if (/^\d{4}-\d\d-\d\d$/.test(value)) {
    const day = Date.parse(`${value}T00:00:00Z`);
    if (Number.isNaN(day) || new Date(day).toISOString().slice(0, 10) !== value) return null;
    return new Date(day + (end ? 86_400_000 : 0)).toISOString();
  }
  if (!/^\d{4}-\d\d-\d\dT/.test(value)) return null;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : new Date(at).toISOString();
}

function verifyText(r: VerifyReport): string {
  const from =
    r.checkpoint && r.fromSeq === r.checkpoint.throughSeq + 1
      ? ` (after checkpoint ${r.checkpoint.throughSeq})`
      : "";
  if (r.broken) {
    return `audit chain broken at seq ${r.broken.seq}: ${r.broken.reason}: ${r.broken.detail}\n${r.checked} entries verified before it, from seq ${r.fromSeq}${from}\n`;
  }
  if (r.checked === 0) return `audit chain whole: no entries from seq ${r.fromSeq} (head at ${r.headSeq})\n`;
  return `audit chain whole: ${r.checked} entries verified, seq ${r.fromSeq}..${r.headSeq}${from}\n`;
}

function eventLine(e: AuditEvent): string {
  const agency = e.agency ? `/${e.agency}` : "";
  return `${e.seq}  ${e.at}  ${e.category.padEnd(12)}  ${e.action}  ${e.actor} (${e.role}${agency})  ${e.subjectType.toLowerCase()}:${e.subjectId}  ${e.justification}\n`;
}

async function verify(io: CliIo, values: Values): Promise<number> {
  let fromSeq: number | undefined;
  if (values["from-seq"] !== undefined) {
    fromSeq = Number(values["from-seq"]);
    if (!Number.isSafeInteger(fromSeq) || fromSeq < 1)
      return usage(io, "--from-seq must be a whole number from 1");
  }
  const result = await withStore(io, async (db) => {
    const length = await chainLength(db);
    const report = await verifyChain(db, fromSeq === undefined ? {} : { fromSeq });
    return { length, report };
  });
  if (typeof result === "number") return result;
  const { length, report } = result;
  if (values.json) io.stdout.write(`${JSON.stringify(report)}\n`);
  else if (length === 0 && report.ok)
    io.stdout.write("the audit chain is empty: nothing has been appended to this store yet\n");
  else io.stdout.write(verifyText(report));
  return report.ok ? EXIT.OK : EXIT.REJECTED;
}

async function exportTrail(io: CliIo, values: Values): Promise<number> {
  if (!values.subject) return usage(io, "export needs --subject");
  if (!values.from || !values.to) return usage(io, "export needs --from and --to");
  const subject = subjectOf(values.subject, londonToday(io.now()));
  if (!subject) return usage(io, "--subject must be a person id (uuid), a CRN or a check-valid PNC");
  const from = instantOf(values.from, false);
  const to = instantOf(values.to, true);
  if (!from || !to) return usage(io, "--from and --to must be dates (YYYY-MM-DD) or ISO instants");
  if (from >= to) return usage(io, "--from must be before --to");
  const write = writer(io.stdout);
  const result = await withStore(io, async (db) => {
    const length = await chainLength(db);
    const events = await auditEventsAbout(db, await subjectIdsOf(db, subject), { from, to });
    return { length, events };
  });
  if (typeof result === "number") return result;
  const { length, events } = result;
  for (const e of events) await write(values.json ? `${JSON.stringify(e)}\n` : eventLine(e));
  if (!values.json) {
    if (length === 0)
      io.stderr.write("the audit chain of this store is empty: nothing has been appended to it yet\n");
    else io.stderr.write(`${events.length} audit entries about that subject from ${from} to ${to}\n`);
  }
  return EXIT.OK;
}

type Values = NonNullable<ReturnType<typeof parse>>["values"];

/** The arguments, or null after the shared usage error (src/cli/usage.ts). */
function parse(argv: string[], io: CliIo) {
  return parseOptions(io, USAGE, {
    args: argv,
    allowPositionals: true,
    options: {
      "from-seq": { type: "string" },
      subject: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

export async function auditCommand(argv: string[], io: CliIo): Promise<number> {
  const parsed = parse(argv, io);
  if (!parsed) return EXIT.FATAL;
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  const [action, ...extra] = positionals;
  if (extra.length > 0) return usage(io, "unexpected argument");
  if (action === "verify") {
    if (values.subject || values.from || values.to)
      return usage(io, "verify takes --from-seq and --json only");
    return verify(io, values);
  }
  if (action === "export") {
    if (values["from-seq"] !== undefined) return usage(io, "export takes --subject, --from, --to and --json");
    return exportTrail(io, values);
  }
  return usage(io, action ? "unknown action: verify or export" : "an action is needed: verify or export");
}
