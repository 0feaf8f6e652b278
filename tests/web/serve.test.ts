/**
 * `bridge serve` (in process) serves the web pages beside the API, with real PostgreSQL and Redis: a person
 * signs in through the run's identity provider and gets the start page; the API still wants its token.
 */
import { afterAll, describe, expect, it } from "vitest";
import { serveCommand } from "../../src/cli/serve.ts";
import { dropSchema, openDb } from "../../src/store/db.ts";
import { captureIo } from "../cli/capture.ts";
import { dropPrefix, REDIS_URL, uniquePrefix } from "../queue/support.ts";
import { DATABASE_URL, uniqueSchema } from "../store/support.ts";
import { testAuthEnv } from "../support/tokens.ts";
import { titleOf, WebClient } from "../support/web-client.ts";
import { person } from "./support.ts";

const prefix = uniquePrefix();
const schema = uniqueSchema();
afterAll(async () => {
  await dropPrefix(prefix);
  const db = await openDb({ databaseUrl: DATABASE_URL, schema });
  await dropSchema(db);
  await db.close();
});

describe("bridge serve", () => {
  it("serves the web pages at / and the API under /v1, from one process", async () => {
    const stop = new AbortController();
    const { io, stdout } = captureIo();
    let listening: (port: number) => void = () => {};
    const port = new Promise<number>((resolve) => {
      listening = resolve;
    });
    const exit = serveCommand([], io, {
      env: {
        DATABASE_URL,
        DB_SCHEMA: schema,
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        HTTP_PORT: "0",
        LOG_LEVEL: "warn",
        ...testAuthEnv(),
      },
      stop: stop.signal,
      onListening: ({ port }) => listening(port),
    });
    try {
      const base = `http://127.0.0.1:${await Promise.race([port, exit.then(() => Promise.reject(new Error(stdout.text)))])}`;
      const browser = new WebClient();
      const home = await browser.signIn(`${base}/`, person("admin.user"));
      expect(home.status).toBe(200);
      expect(titleOf(home.html)).toBe("Home - OASys–ARMS bridge");
      expect(home.html).toContain("Administrator");
      expect((await browser.request(`${base}/v1/dead-letters`)).status).toBe(401);
    } finally {
      stop.abort();
      expect(await exit).toBe(0);
    }
  });
});
