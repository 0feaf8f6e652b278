/**
 * Redis or PostgreSQL down (issue 11, item 1): `bridge serve --with-worker` and `bridge worker` as
 * processes of their own, on a private Redis and a private PostgreSQL (tests/support/private-*.ts; the
 * shared servers are never touched), with short time-outs and grace from the configuration. Redis is
 * stopped mid-test and stays down; PostgreSQL is stopped for a while too. The API answers 503 with the
 * registry code of what is down (an export post, an event post), `/ready` names the check that failed,
 * and both processes stop on SIGTERM with exit code 0 while Redis is still unreachable.
 *
 * No timed assertion: every wait has a generous bound, and a request that hangs (as an export post did:
 * beside a worker the API queued through the worker's connection, which waits for Redis) fails the test
 * at that bound instead of answering.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PrivatePostgres, startPrivatePostgres } from "../support/private-postgres.ts";
import { type PrivateRedis, startPrivateRedis } from "../support/private-redis.ts";
import { authAs, testAuthEnv } from "../support/tokens.ts";

const BOUND_MS = 30_000;
const GRACE_MS = 5_000;

interface Child {
  process: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

let redis: PrivateRedis;
let pg: PrivatePostgres;
const children: Child[] = [];

function start(args: string[], env: Record<string, string>, ready: string): Promise<Child> {
  const child = spawn(process.execPath, ["bin/bridge.js", ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const handle = { process: child, output: () => output, exited };
  children.push(handle);
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (output.includes(`"msg":"${ready}"`)) {
        clearInterval(timer);
        resolve(handle);
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`bridge ${args[0]} did not start:\n${output}`));
      }
    }, 50);
  });
}

/** Resolves with the exit code, or "still running" after the bound. */
const exitOf = (child: Child) =>
  Promise.race([
    child.exited,
    new Promise<string>((resolve) => setTimeout(() => resolve("still running"), BOUND_MS)),
  ]);

let api = "";
let serve: Child;
let worker: Child;

beforeAll(async () => {
  [redis, pg] = await Promise.all([startPrivateRedis(), startPrivatePostgres()]);
  const env = {
    ...testAuthEnv(),
    DATABASE_URL: pg.url,
    DB_SCHEMA: "bridge_outage",
    REDIS_URL: redis.url,
    QUEUE_PREFIX: "bt-outage",
    HTTP_HOST: "127.0.0.1",
    HTTP_PORT: "0",
    LOG_LEVEL: "info",
    SHUTDOWN_GRACE_MS: String(GRACE_MS),
    REDIS_CONNECT_TIMEOUT_MS: "500",
    REDIS_COMMAND_TIMEOUT_MS: "500",
    RECOVERY_SWEEP_INTERVAL_MS: "3600000",
    OUTBOX_SWEEP_INTERVAL_MS: "3600000",
    ARMS_BASE_URL: "http://127.0.0.1:1",
    OASYS_BASE_URL: "http://127.0.0.1:1",
  };
  serve = await start(["serve", "--with-worker"], env, "bridge serving");
  const line = serve
    .output()
    .split("\n")
    .find((l) => l.includes('"msg":"bridge serving"'));
  api = `http://127.0.0.1:${(JSON.parse(line as string) as { port: number }).port}`;
  worker = await start(["worker"], env, "worker started");
}, 120_000);

afterAll(async () => {
  for (const child of children) child.process.kill("SIGKILL");
  await Promise.all([redis?.stop(), pg?.stop()]);
});

const exportBytes = (n: number) =>
  Buffer.concat([
    readFileSync(new URL("../fixtures/xml/contract-example.xml", import.meta.url)),
    Buffer.from(`\n<!-- post ${n} -->\n`),
  ]);

async function post(path: string, body: Buffer | string, contentType: string) {
  const res = await fetch(`${api}${path}`, {
    method: "POST",
    headers: { "content-type": contentType, ...(await authAs("oasys-system")) },
    body,
    signal: AbortSignal.timeout(BOUND_MS),
  });
  return { status: res.status, body: (await res.json()) as { error?: { code: string } } };
}

async function ready() {
  const res = await fetch(`${api}/ready`, { signal: AbortSignal.timeout(BOUND_MS) });
  return {
    status: res.status,
    body: (await res.json()) as { checks: Record<string, { ok: boolean; code?: string }> },
  };
}

const EVENT = JSON.stringify({
  eventType: "assessment.summary.produced",
  version: 1,
  occurredAt: "2026-11-20T10:00:00Z",
  detailUrl: "https://oasys.example/eor/oasys/ass/asssumm/X123456/ALLOW/9630348/COMPLETE",
  personReference: { identifiers: [{ type: "CRN", value: "X123456" }] },
});

describe("with Redis or PostgreSQL down", () => {
  it("answers 503 naming what is down, and stops within its grace on SIGTERM", async () => {
    expect((await ready()).status).toBe(200);
    expect((await post("/v1/oasys/exports", exportBytes(1), "application/xml")).status).toBe(202);

    await redis.stop();
    const exported = await post("/v1/oasys/exports", exportBytes(2), "application/xml");
    expect(exported.status).toBe(503);
    expect(exported.body.error?.code).toBe("BRIDGE_E_QUEUE_UNAVAILABLE");
    const event = await post("/v1/oasys/events", EVENT, "application/json");
    expect(event.status).toBe(503);
    expect(event.body.error?.code).toBe("BRIDGE_E_QUEUE_UNAVAILABLE");
    const redisDown = await ready();
    expect(redisDown.status).toBe(503);
    expect(redisDown.body.checks.redis).toMatchObject({ ok: false, code: "BRIDGE_E_QUEUE_UNAVAILABLE" });
    expect(redisDown.body.checks.database).toEqual({ ok: true });

    await pg.restart({
      mode: "fast",
      whileDown: async () => {
        const refused = await post("/v1/oasys/exports", exportBytes(3), "application/xml");
        expect(refused.status).toBe(503);
        expect(refused.body.error?.code).toBe("BRIDGE_E_STORE_UNAVAILABLE");
        const bothDown = await ready();
        expect(bothDown.status).toBe(503);
        expect(bothDown.body.checks.database).toMatchObject({
          ok: false,
          code: "BRIDGE_E_STORE_UNAVAILABLE",
        });
        expect(bothDown.body.checks.redis).toMatchObject({ ok: false });
      },
    });

    // Redis is still unreachable: both processes stop anyway, cleanly.
    serve.process.kill("SIGTERM");
    worker.process.kill("SIGTERM");
    expect(await exitOf(serve), serve.output()).toBe(0);
    expect(await exitOf(worker), worker.output()).toBe(0);
    expect(serve.output()).toContain('"msg":"bridge stopping"');
  }, 180_000);
});
