/**
 * `bridge dlq list|show|replay`: the dead letters in PostgreSQL, for a person to read and put back through
 * the pipeline (src/queue/replay.ts). Readable by default, `--json` for tools.
 */
import { loadConfig } from "../config.ts";
import { isBridgeError } from "../errors.ts";
import { createProducer, producerOptionsFrom } from "../queue/producer.ts";
import { replayDeadLetter } from "../queue/replay.ts";
import { type Db, openStore } from "../store/index.ts";
import {
  type DeadLetter,
  type DeadLetterFilter,
  type DeadLetterStage,
  getDeadLetter,
  listDeadLetters,
} from "../store/repositories/dead-letters.ts";
import { type CliIo, EXIT } from "./io.ts";
import { parseOptions, quoteArg, usageError } from "./usage.ts";

export const HELP = `usage: bridge dlq list [--stage INGEST|RECONCILE|PUSH] [--code <code>] [--state open|replayed|all]
                       [--limit <n>] [--cursor <c>] [--json]
       bridge dlq show <id> [--json]
       bridge dlq replay <id> [--json]

Dead letters: work that failed permanently or ran out of attempts, with its stage, ids, error code and
reason. 'replay' puts the work back through the same pipeline under a fresh job key (…:replay-<n>); the
letter is kept and stamped. A letter is replayed once: replaying it again queues nothing and says where
its replay stands (QUEUED, DONE, or DEAD_LETTERED with the letter it left, which can be replayed in turn). Reads DATABASE_URL/DB_SCHEMA (or BRIDGE_DATA_DIR, an embedded store's
directory; without either there is no store to read, and it says so); replay also REDIS_URL/QUEUE_PREFIX.

Exit codes: 0 done, 1 usage error, no such dead letter, or failure.
`;

export const USAGE = "bridge dlq list|show <id>|replay <id> [options]";

const STAGES = new Set(["INGEST", "RECONCILE", "PUSH"]);
const STATES = { open: "OPEN", replayed: "REPLAYED", all: "ALL" } as const;

function line(d: DeadLetter): string {
  const subject = d.subject as { jobKey?: string };
  const replayed = d.replayedAt ? `replayed ${d.replayCount}x, last ${d.replayedAt}` : "open";
  return `${d.id}  ${d.createdAt}  ${d.stage.padEnd(9)}  ${d.errorCode}  ${subject.jobKey ?? "-"}  (${replayed})`;
}

function detail(d: DeadLetter): string {
  return [
    `dead letter ${d.id}`,
    `  stage:     ${d.stage}`,
    `  error:     ${d.errorCode}`,
    `  reason:    ${d.reason}`,
    `  attempts:  ${d.attempts}`,
    `  created:   ${d.createdAt}`,
    `  replayed:  ${d.replayedAt ? `${d.replayCount} time(s), last ${d.replayedAt}` : "never"}`,
    `  subject:   ${JSON.stringify(d.subject)}`,
    "",
  ].join("\n");
}

/**
 * Without DATABASE_URL or BRIDGE_DATA_DIR the store would be a new embedded one in memory: always empty,
 * never the service's. "no dead letters" there would mislead, so every action refuses, saying why.
 */
export const NO_STORE =
  "DATABASE_URL is not set, so this would look at a new, empty embedded store (in memory), not at the service's dead letters. Set DATABASE_URL (and DB_SCHEMA) to the service's PostgreSQL, or BRIDGE_DATA_DIR to an embedded store's directory.";

/** The refusal when there is no store worth reading (see NO_STORE); null when there is one. */
function noStore(io: CliIo): number | null {
  const config = loadConfig();
  if (config.databaseUrl || config.dataDir) return null;
  io.stderr.write(`bridge dlq: ${NO_STORE}\n`);
  return EXIT.FATAL;
}

async function withStore<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const config = loadConfig();
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

const usage = (io: CliIo, why: string): number => usageError(io, USAGE, why);

export async function dlqCommand(argv: string[], io: CliIo): Promise<number> {
  const parsed = parse(argv, io);
  if (!parsed) return EXIT.FATAL;
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  const [action, id, ...extra] = positionals;
  const json = values.json === true;
  if (extra[0] !== undefined) return usage(io, `unexpected argument ${quoteArg(extra[0])}`);

  if (action === "list") {
    if (id) return usage(io, "list takes no id");
    const refused = noStore(io);
    if (refused !== null) return refused;
    const filter: DeadLetterFilter = {};
    if (values.stage) {
      const stage = values.stage.toUpperCase();
      if (!STAGES.has(stage)) return usage(io, "--stage must be INGEST, RECONCILE or PUSH");
      filter.stage = stage as DeadLetterStage;
    }
    if (values.code) filter.errorCode = values.code;
    if (values.state) {
      const state = STATES[values.state as keyof typeof STATES];
      if (!state) return usage(io, "--state must be open, replayed or all");
      filter.state = state;
    }
    if (values.limit) filter.limit = Number(values.limit);
    if (values.cursor) filter.cursor = values.cursor;
    try {
      const page = await withStore((db) => listDeadLetters(db, filter));
      if (json) io.stdout.write(`${JSON.stringify(page)}\n`);
      else {
        for (const d of page.items) io.stdout.write(`${line(d)}\n`);
        io.stdout.write(
          page.items.length === 0
            ? "no dead letters\n"
            : page.nextCursor
              ? `more: --cursor ${page.nextCursor}\n`
              : "",
        );
      }
      return EXIT.OK;
    } catch (e) {
      if (isBridgeError(e) && e.code === "BRIDGE_E_USAGE") return usage(io, e.detail);
      throw e;
    }
  }

  if (action === "show" || action === "replay") {
    if (!id) return usage(io, `${action} needs a dead letter id`);
    const refused = noStore(io);
    if (refused !== null) return refused;
    if (action === "show") {
      const letter = await withStore((db) => getDeadLetter(db, id));
      if (!letter) return notFound(io, id);
      io.stdout.write(json ? `${JSON.stringify(letter)}\n` : detail(letter));
      return EXIT.OK;
    }
    const config = loadConfig();
    const producer = createProducer(producerOptionsFrom(config));
    try {
      const replayed = await withStore((db) => replayDeadLetter(db, producer, id, io.now()));
      io.stdout.write(
        json
          ? `${JSON.stringify(replayed)}\n`
          : replayed.replayed
            ? `replayed ${replayed.deadLetterId} onto ${replayed.queue} as ${replayed.jobKey}\n`
            : `${replayed.deadLetterId} was replayed before, as ${replayed.jobKey}: nothing queued; that replay is ${replayed.replayState}${replayed.nextDeadLetterId ? ` (its dead letter: ${replayed.nextDeadLetterId})` : ""}\n`,
      );
      return EXIT.OK;
    } catch (e) {
      if (isBridgeError(e) && e.code === "BRIDGE_E_NOT_FOUND") return notFound(io, id);
      if (isBridgeError(e) && e.code === "BRIDGE_E_USAGE") {
        io.stderr.write(`bridge dlq: ${e.detail}\n`);
        return EXIT.FATAL;
      }
      throw e;
    } finally {
      await producer.close();
    }
  }
  return usage(
    io,
    action ? `unknown action ${quoteArg(action)}` : "an action is needed: list, show or replay",
  );
}

function notFound(io: CliIo, id: string): number {
  io.stderr.write(`bridge dlq: no dead letter ${id}\n`);
  return EXIT.FATAL;
}

function parse(argv: string[], io: CliIo) {
  return parseOptions(io, USAGE, {
    args: argv,
    allowPositionals: true,
    options: {
      stage: { type: "string" },
      code: { type: "string" },
      state: { type: "string" },
      limit: { type: "string" },
      cursor: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}
