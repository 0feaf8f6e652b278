import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { BridgeError } from "../../src/errors.ts";
import { dbPoolSize } from "../../src/queue/worker.ts";

describe("loadConfig", () => {
  it("defaults to the embedded store and safe values when nothing is set", () => {
    const c = loadConfig({});
    expect(c.databaseUrl).toBeNull();
    expect(c.databaseSchema).toBe("bridge");
    expect(c.dataDir).toBeNull();
    expect(c.logLevel).toBe("info");
    expect(c.ords.timeoutMs).toBe(10_000);
  });

  it("reads every variable it knows", () => {
    const c = loadConfig({
      DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/test",
      DB_SCHEMA: "bridge_x",
      BRIDGE_DATA_DIR: ".data/pglite",
      LOG_LEVEL: "debug",
      XML_MAX_DEPTH: "20",
      ORDS_BASE_URL: "https://ords.example.test",
      ORDS_TIMEOUT_MS: "2500",
      ORDS_TOKEN_URL: "https://auth.example.test/token",
      ORDS_CLIENT_ID: "bridge",
      ORDS_CLIENT_SECRET: "s3cret",
    });
    expect(c.databaseUrl).toContain("127.0.0.1");
    expect(c.databaseSchema).toBe("bridge_x");
    expect(c.xml.maxDepth).toBe(20);
    expect(c.ords).toMatchObject({
      baseUrl: "https://ords.example.test",
      timeoutMs: 2500,
      clientId: "bridge",
    });
  });

  it("reports every problem at once, by variable name, without echoing secrets", () => {
    let error: unknown;
    try {
      loadConfig({
        DATABASE_URL: "mysql://nope",
        DB_SCHEMA: "Bad-Schema",
        LOG_LEVEL: "loud",
        XML_MAX_DEPTH: "deep",
        ORDS_TOKEN_URL: "https://auth.example.test/token",
        ORDS_CLIENT_SECRET: "do-not-print-me",
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BridgeError);
    const e = error as BridgeError;
    expect(e.code).toBe("BRIDGE_E_CONFIG_INVALID");
    for (const name of ["DATABASE_URL", "DB_SCHEMA", "LOG_LEVEL", "XML_MAX_DEPTH", "ORDS_CLIENT_ID"]) {
      expect(e.message).toContain(name);
    }
    expect(e.message).not.toContain("do-not-print-me");
  });
});

describe("loadConfig: the service's settings", () => {
  it("has working defaults for the queue, HTTP and worker", () => {
    const c = loadConfig({});
    expect(c.redisUrl).toBe("redis://127.0.0.1:6379");
    expect(c.queuePrefix).toBe("bridge");
    expect(c.http).toEqual({
      host: "127.0.0.1",
      port: 8080,
      bodyLimitBytes: 256 * 1024 * 1024,
      publicBaseUrl: null,
    });
    expect(c.worker.concurrency).toBe(4);
    expect(c.arms.baseUrl).toBeNull();
  });

  it("reads PUBLIC_BASE_URL (the API description's server) without a trailing slash, http(s) only", () => {
    expect(loadConfig({ PUBLIC_BASE_URL: "https://bridge.hmpps.test/api/" }).http.publicBaseUrl).toBe(
      "https://bridge.hmpps.test/api",
    );
    expect(() => loadConfig({ PUBLIC_BASE_URL: "ftp://bridge.hmpps.test" })).toThrow(/PUBLIC_BASE_URL/);
  });

  it("reads each agency's endpoint and credentials, and insists on both credentials with a token URL", () => {
    const c = loadConfig({
      ARMS_BASE_URL: "http://127.0.0.1:9090",
      ARMS_TOKEN_URL: "http://127.0.0.1:9090/oauth/token",
      ARMS_CLIENT_ID: "bridge",
      ARMS_CLIENT_SECRET: "x",
      OASYS_BASE_URL: "http://127.0.0.1:9091",
      REDIS_URL: "redis://127.0.0.1:6379/2",
      QUEUE_PREFIX: "bridge-test",
      HTTP_PORT: "0",
      WORKER_CONCURRENCY: "8",
    });
    expect(c.arms).toMatchObject({ baseUrl: "http://127.0.0.1:9090", clientId: "bridge" });
    expect(c.oasys.baseUrl).toBe("http://127.0.0.1:9091");
    expect(c.redisUrl).toBe("redis://127.0.0.1:6379/2");
    expect(c.http.port).toBe(0);
    expect(c.worker.concurrency).toBe(8);
    expect(() => loadConfig({ OASYS_TOKEN_URL: "http://127.0.0.1/t" })).toThrow(/OASYS_CLIENT_ID/);
    const both = () => loadConfig({ REDIS_URL: "http://nope", QUEUE_PREFIX: "bad prefix!" });
    expect(both).toThrow(/REDIS_URL/);
    expect(both).toThrow(/QUEUE_PREFIX/);
  });

  it("sizes the database pool to the process's work unless DB_POOL_SIZE says otherwise", () => {
    const c = loadConfig({ WORKER_CONCURRENCY: "8" });
    expect(c.databasePoolSize).toBeNull();
    // One connection per job in flight on each of the four queues, two for the sweeper and readiness.
    expect(dbPoolSize(c, { api: false, worker: true })).toBe(34);
    expect(dbPoolSize(c, { api: true, worker: false })).toBe(10);
    expect(dbPoolSize(c, { api: true, worker: true })).toBe(44);
    const fixed = loadConfig({ WORKER_CONCURRENCY: "8", DB_POOL_SIZE: "12" });
    expect(dbPoolSize(fixed, { api: true, worker: true })).toBe(12);
    expect(() => loadConfig({ DB_POOL_SIZE: "0" })).toThrow(/DB_POOL_SIZE/);
  });
});

describe("Redis time-outs and the shutdown grace period", () => {
  it("default to 3 s and 25 s, read REDIS_*_TIMEOUT_MS and SHUTDOWN_GRACE_MS, and refuse nonsense", () => {
    expect(loadConfig({})).toMatchObject({
      redis: { connectTimeoutMs: 3_000, commandTimeoutMs: 3_000 },
      shutdownGraceMs: 25_000,
    });
    expect(
      loadConfig({
        REDIS_CONNECT_TIMEOUT_MS: "500",
        REDIS_COMMAND_TIMEOUT_MS: "750",
        SHUTDOWN_GRACE_MS: "5000",
      }),
    ).toMatchObject({ redis: { connectTimeoutMs: 500, commandTimeoutMs: 750 }, shutdownGraceMs: 5_000 });
    expect(() => loadConfig({ REDIS_COMMAND_TIMEOUT_MS: "0", SHUTDOWN_GRACE_MS: "soon" })).toThrow(
      /REDIS_COMMAND_TIMEOUT_MS.*SHUTDOWN_GRACE_MS/,
    );
  });
});
