import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { BridgeError } from "../../src/errors.ts";

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
