/**
 * `bridge serve` as a process would run it (in-process here): real PostgreSQL, real Redis under a prefix of
 * this file's own, a real port, tokens from the run's bundled identity provider. Work posted to the API
 * lands on the BullMQ queues; with --with-worker the same process also processes it. Stopping (as SIGTERM
 * does) closes everything and returns 0. Without a token issuer it does not start at all.
 */
import { readFileSync } from "node:fs";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { serveCommand } from "../../src/cli/serve.ts";
import { bullJobId, jobIds } from "../../src/queue/jobs.ts";
import { dropSchema, openDb } from "../../src/store/db.ts";
import { captureIo } from "../cli/capture.ts";
import { dropPrefix, REDIS_URL, uniquePrefix, waitFor } from "../queue/support.ts";
import { DATABASE_URL, uniqueSchema } from "../store/support.ts";
import { authAs, testAuthEnv } from "../support/tokens.ts";

const prefix = uniquePrefix();
const schemas: string[] = [];
afterAll(async () => {
  await dropPrefix(prefix);
  const db = await openDb({ databaseUrl: DATABASE_URL, schema: uniqueSchema() });
  for (const schema of [...schemas, db.schema]) await dropSchema(db, schema);
  await db.close();
});

const fixture = (name: string) => readFileSync(new URL(`../fixtures/xml/${name}`, import.meta.url));

async function serve(argv: string[]) {
  const schema = uniqueSchema();
  schemas.push(schema);
  const stop = new AbortController();
  const { io, stdout } = captureIo();
  let listening: (port: number) => void = () => {};
  const port = new Promise<number>((resolve) => {
    listening = resolve;
  });
  const exit = serveCommand(argv, io, {
    env: {
      DATABASE_URL,
      DB_SCHEMA: schema,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      HTTP_PORT: "0",
      LOG_LEVEL: "info",
      OUTBOX_SWEEP_INTERVAL_MS: "3600000",
      ARMS_BASE_URL: "http://127.0.0.1:1",
      OASYS_BASE_URL: "http://127.0.0.1:1",
      ...testAuthEnv(),
    },
    stop: stop.signal,
    onListening: ({ port }) => listening(port),
  });
  // A start-up failure rejects `exit` before `port` resolves: surface it.
  const base = `http://127.0.0.1:${await Promise.race([port, exit.then(() => Promise.reject(new Error(stdout.text)))])}`;
  return { base, stop: () => stop.abort(), exit, stdout };
}

describe("bridge serve", () => {
  it("serves the API, queues posted work on BullMQ, reports readiness and queue depth, stops cleanly", async () => {
    const server = await serve([]);
    try {
      const ready = await fetch(`${server.base}/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({
        status: "ready",
        checks: { database: { ok: true }, migrations: { ok: true }, redis: { ok: true } },
      });

      const posted = await fetch(`${server.base}/v1/oasys/exports`, {
        method: "POST",
        headers: { "content-type": "application/xml", ...(await authAs("oasys-system")) },
        body: fixture("contract-example.xml"),
      });
      expect(posted.status).toBe(202);
      const { exportId } = (await posted.json()) as { exportId: string };

      const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
      const queue = new Queue("ingest", { connection, prefix });
      try {
        const job = await queue.getJob(bullJobId(jobIds.ingest({ type: "OASYS_EXPORT", exportId })));
        expect(job?.data).toEqual({ type: "OASYS_EXPORT", exportId });
      } finally {
        await queue.close();
        connection.disconnect();
      }
      const scraper = await authAs("metrics-scraper");
      const metrics = await (await fetch(`${server.base}/metrics`, { headers: scraper })).text();
      expect(metrics).toContain('bridge_queue_jobs{queue="ingest",state="waiting"} 1');
    } finally {
      server.stop();
    }
    expect(await server.exit).toBe(0);
    expect(server.stdout.text).toContain('"msg":"bridge serving"');
    expect(server.stdout.text).toContain('"msg":"bridge stopped"');
    await expect(fetch(`${server.base}/health`)).rejects.toThrow();
  });

  it("with --with-worker also processes the work it queues", async () => {
    const server = await serve(["--with-worker"]);
    try {
      const ready = (await (await fetch(`${server.base}/ready`)).json()) as {
        checks: Record<string, unknown>;
      };
      expect(ready.checks.worker).toEqual({ ok: true });
      const probation = await authAs("oasys-system");
      const posted = await fetch(`${server.base}/v1/oasys/exports`, {
        method: "POST",
        headers: { "content-type": "application/xml", ...probation },
        body: fixture("bad-record-in-the-middle.xml"),
      });
      const { exportId } = (await posted.json()) as { exportId: string };
      const stored = await waitFor("the worker to ingest the export", async () => {
        const answer = await fetch(`${server.base}/v1/exports/${exportId}`, { headers: probation });
        const view = (await answer.json()) as {
          assessments: { assessmentPk: number }[];
        };
        return view.assessments.length === 2 ? view.assessments : undefined;
      });
      expect(stored.map((a) => a.assessmentPk)).toEqual([3001, 3003]);
      const admin = await authAs("admin.user");
      const metrics = await (await fetch(`${server.base}/metrics`, { headers: admin })).text();
      expect(metrics).toMatch(/bridge_jobs_total\{queue="ingest",outcome="completed"\} 1/);
    } finally {
      server.stop();
    }
    expect(await server.exit).toBe(0);
  });

  it("does not start without a token issuer: one line saying to run bridge idp and set AUTH_ISSUER", async () => {
    const env = { DATABASE_URL, DB_SCHEMA: uniqueSchema(), REDIS_URL, HTTP_PORT: "0" };
    const { io } = captureIo();
    await expect(serveCommand([], io, { env })).rejects.toMatchObject({
      code: "BRIDGE_E_CONFIG_INVALID",
      message: expect.stringContaining("run `bridge idp` (or `bridge simulate`) and set AUTH_ISSUER"),
    });
    // As a person sees it: one line on stderr, exit 1, nothing listening.
    const saved = { ...process.env };
    for (const name of Object.keys(process.env)) if (name.startsWith("AUTH_")) delete process.env[name];
    Object.assign(process.env, env);
    try {
      const cli = captureIo();
      expect(await main(["serve"], cli.io)).toBe(1);
      expect(cli.stderr.text.trim().split("\n")).toEqual([
        expect.stringMatching(/^bridge serve: BRIDGE_E_CONFIG_INVALID: .*AUTH_ISSUER is not set.*bridge idp/),
      ]);
      expect(cli.stdout.text).toBe("");
    } finally {
      for (const name of Object.keys(env)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });

  it("in production, does not start without an issuer and a JWKS URL (https), whatever else is set", async () => {
    const { io } = captureIo();
    const production = { BRIDGE_ENV: "production", HTTP_PORT: "0" };
    await expect(serveCommand([], io, { env: production })).rejects.toMatchObject({
      code: "BRIDGE_E_CONFIG_INVALID",
      message: expect.stringMatching(
        /AUTH_ISSUER is required when BRIDGE_ENV=production.*AUTH_JWKS_URL is required/,
      ),
    });
    // The development default (<issuer>/jwks) does not apply in production, and neither does plain http.
    await expect(
      serveCommand([], io, {
        env: { ...production, AUTH_ISSUER: "https://sign-in.example.test/auth/issuer" },
      }),
    ).rejects.toMatchObject({ message: expect.stringContaining("AUTH_JWKS_URL is required") });
    await expect(
      serveCommand([], io, {
        env: { ...production, ...testAuthEnv(), AUTH_JWKS_URL: `${testAuthEnv().AUTH_ISSUER}/jwks` },
      }),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/AUTH_ISSUER must use https.*AUTH_JWKS_URL must use https/),
    });
  });

  it("refuses to start on invalid configuration, naming the variable", async () => {
    const { io } = captureIo();
    await expect(serveCommand([], io, { env: { HTTP_PORT: "http" } })).rejects.toMatchObject({
      code: "BRIDGE_E_CONFIG_INVALID",
      message: expect.stringContaining("HTTP_PORT"),
    });
  });
});
