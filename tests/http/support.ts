/**
 * Shared set-up for the HTTP suite: the real app (buildApp) on a fresh PostgreSQL schema of its own,
 * verifying tokens from the run's bundled identity provider (tests/support/tokens.ts gets them), with
 * an in-process JobProducer that records what would be queued (the JobProducer interface is the seam the
 * service itself offers for running without Redis; tests about queuing through BullMQ use the real one),
 * and the app's log lines captured so tests can check what is (not) logged.
 */
import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { type AppAuth, appAuth } from "../../src/auth/index.ts";
import { buildApp } from "../../src/http/app.ts";
import type { AppDeps } from "../../src/http/deps.ts";
import { createLogger } from "../../src/log.ts";
import type { IngestJob, PushJob, QueueName, Recipient, ReconcileJob } from "../../src/queue/jobs.ts";
import type { AnyJob } from "../../src/queue/producer.ts";
import { dropSchema } from "../../src/store/db.ts";
import { type Db, openStore } from "../../src/store/index.ts";
import { DATABASE_URL, uniqueSchema } from "../store/support.ts";
import { testAuthSettings } from "../support/tokens.ts";

/** Records every job it is given, in order. */
export class RecordingProducer {
  readonly ingested: IngestJob[] = [];
  readonly reconciled: ReconcileJob[] = [];
  readonly pushed: { recipient: Recipient; job: PushJob }[] = [];
  readonly added: { queue: QueueName; data: AnyJob; jobKey: string }[] = [];
  /** Set to make every call fail as a Redis outage would. */
  failWith: Error | null = null;

  private check() {
    if (this.failWith) throw this.failWith;
  }
  async ingest(job: IngestJob) {
    this.check();
    this.ingested.push(job);
  }
  async reconcile(job: ReconcileJob) {
    this.check();
    this.reconciled.push(job);
  }
  async push(recipient: Recipient, job: PushJob) {
    this.check();
    this.pushed.push({ recipient, job });
  }
  async add(queue: QueueName, data: AnyJob, jobKey: string) {
    this.check();
    this.added.push({ queue, data, jobKey });
  }
}

export const TEST_CONFIG: AppDeps["config"] = {
  http: { host: "127.0.0.1", port: 0, bodyLimitBytes: 256 * 1024, publicBaseUrl: null },
  xml: { maxBytes: null, maxDepth: null, maxAttributes: null, maxTextLength: null },
};

export const FIXED_NOW = new Date("2026-11-20T12:00:00.000Z");

/**
 * The API's sign-in against the run's bundled identity provider (the global setup starts it), with the
 * bundled access policy; `overrides` change a setting (audience, issuer, clock skew, policy file).
 */
export function testAuth(overrides: Partial<ReturnType<typeof testAuthSettings>> = {}): AppAuth {
  return appAuth({ ...testAuthSettings(), ...overrides });
}

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  producer: RecordingProducer;
  /** Every log line the app wrote, as text. */
  logs: string[];
  done: () => Promise<void>;
}

export async function testApp(overrides: Partial<AppDeps> = {}): Promise<TestApp> {
  const db = await openStore({ databaseUrl: DATABASE_URL, schema: uniqueSchema() });
  const producer = new RecordingProducer();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(String(chunk));
      callback();
    },
  });
  const app = buildApp({
    db,
    producer,
    config: TEST_CONFIG,
    logger: createLogger({ level: "debug" }, sink),
    now: () => FIXED_NOW,
    auth: testAuth(),
    ...overrides,
  });
  await app.ready();
  return {
    app,
    db,
    producer,
    logs,
    done: async () => {
      await app.close();
      await dropSchema(db);
      await db.close();
    },
  };
}

/** The one error shape, for assertions. */
export interface ErrorJson {
  error: { code: string; message: string; requestId: string };
}
