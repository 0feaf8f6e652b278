/**
 * docker-compose.yml cannot rot: docker-compose itself validates it (when the binary is installed; no
 * Docker engine is needed for `config`), and its wiring is checked against the bridge's own config
 * loader, so a renamed variable or a bad URL fails here rather than on someone's first `up`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { apiAuth, loadConfig } from "../../src/config.ts";
import { startWorker } from "../../src/queue/worker.ts";
import { dropSchema } from "../../src/store/db.ts";
import { openStore } from "../../src/store/index.ts";
import { DATABASE_URL, REDIS_URL } from "./support.ts";

const COMPOSE_FILE = "docker-compose.yml";

function composeBinary(): string | null {
  const probe = spawnSync("docker-compose", ["version"], { encoding: "utf8" });
  return probe.status === 0 ? "docker-compose" : null;
}

interface Service {
  image?: string;
  ports?: string[];
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const compose = parse(readFileSync(COMPOSE_FILE, "utf8"), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;

describe("docker-compose.yml", () => {
  const binary = composeBinary();
  const skipped =
    binary === null ? " (skipped: docker-compose is not installed; apt-get install docker-compose)" : "";
  it.skipIf(binary === null)(`validates with \`docker-compose config -q\`${skipped}`, () => {
    // Throws (with docker-compose's own message) when the file is invalid.
    execFileSync(binary as string, ["-f", COMPOSE_FILE, "config", "-q"], { encoding: "utf8", stdio: "pipe" });
  });

  it("runs redis with the append-only file on and no eviction", () => {
    const command = services.redis?.command?.join(" ") ?? "";
    expect(command).toMatch(/--appendonly yes/);
    expect(command).toMatch(/--maxmemory-policy noeviction/);
  });

  it("has every process of the stack, each with a health check or a healthy dependency", () => {
    expect(Object.keys(services).sort()).toEqual(["api", "postgres", "redis", "simulators", "worker"]);
    expect(services.api?.command).toEqual(["serve"]);
    expect(services.worker?.command).toEqual(["worker"]);
    expect(services.simulators?.command?.[0]).toBe("simulate");
    for (const name of ["redis", "postgres", "simulators", "api", "worker"]) {
      expect(services[name]?.healthcheck?.test, name).toBeDefined();
    }
    for (const name of ["api", "worker"]) {
      for (const needed of ["redis", "postgres", "simulators"]) {
        expect(services[name]?.depends_on?.[needed]?.condition, `${name} -> ${needed}`).toBe(
          "service_healthy",
        );
      }
    }
  });

  it("gives the API and the worker a configuration the bridge accepts, pointing at the services", () => {
    for (const name of ["api", "worker"]) {
      const config = loadConfig(services[name]?.environment ?? {});
      expect(config.databaseUrl).toMatch(/@postgres:5432\//);
      expect(config.redisUrl).toBe("redis://redis:6379");
      for (const agency of [config.ords, config.arms, config.oasys]) {
        expect(agency.baseUrl).toBe("http://simulators:9090");
        expect(agency.tokenUrl).toBe("http://simulators:9090/oauth/token");
      }
    }
    expect(loadConfig(services.api?.environment ?? {}).http.host).toBe("0.0.0.0");
  });

  it("points the API at the simulators' identity provider: the issuer tokens name, its keys inside", () => {
    const command = services.simulators?.command ?? [];
    const flag = (name: string) => command[command.indexOf(name) + 1];
    const auth = apiAuth(loadConfig(services.api?.environment ?? {}));
    expect(auth.issuer).toBe(flag("--idp-issuer"));
    expect(auth.jwksUrl).toBe(`http://simulators:${flag("--idp-port")}/jwks`);
    expect(services.simulators?.ports ?? []).toContain(
      `127.0.0.1:${flag("--idp-port")}:${flag("--idp-port")}`,
    );
  });

  it("gives the simulators the client credentials the bridge uses", () => {
    const command = services.simulators?.command ?? [];
    const flag = (name: string) => command[command.indexOf(name) + 1];
    const env = services.api?.environment ?? {};
    expect(flag("--client-id")).toBe(env.ARMS_CLIENT_ID);
    expect(flag("--client-secret")).toBe(env.ARMS_CLIENT_SECRET);
    expect(flag("--host")).toBe("0.0.0.0");
  });

  it("the worker's health check passes while a worker runs on its queues, and fails when none does", async () => {
    const test = services.worker?.healthcheck?.test ?? [];
    expect(test.slice(0, 3)).toEqual(["CMD", "node", "-e"]);
    const check = (prefix: string) =>
      spawnSync("node", ["-e", test[3] as string], {
        env: { ...process.env, REDIS_URL, QUEUE_PREFIX: prefix },
        encoding: "utf8",
        timeout: 20_000,
      }).status;
    const suffix = `${process.pid}_${randomBytes(4).toString("hex")}`;
    const prefix = `bt-compose-${suffix}`;
    const db = await openStore({ databaseUrl: DATABASE_URL, schema: `bridge_compose_${suffix}` });
    const config = loadConfig({ DATABASE_URL, REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: "silent" });
    const worker = await startWorker({
      config,
      db,
      log: pino({ level: "silent" }),
      sweeper: false,
      graceMs: 1_000,
    });
    try {
      expect(check(prefix)).toBe(0);
    } finally {
      await worker.close();
      await dropSchema(db);
      await db.close();
    }
    expect(check(prefix)).toBe(1);
  }, 60_000);
});
