/**
 * Vitest global setup: make sure the real services the integration tests talk to are up (PostgreSQL on
 * 127.0.0.1:5432, Redis on 127.0.0.1:6379), starting them with the machine's own commands when they are
 * not. Unit tests need neither; this only costs a connection check when both are already running.
 * Override with DATABASE_URL / REDIS_URL.
 *
 * It also starts the bundled identity provider (simulators/idp/) once for the run, on a free port, and
 * hands its issuer and dev credentials to the test files (`inject("idp")`; tests/support/tokens.ts gets
 * tokens from it through the real flows).
 */
import { execSync } from "node:child_process";
import { connect } from "node:net";
import type { TestProject } from "vitest/node";
import { DEV_CLIENTS, devSecret, startIdp } from "../../simulators/idp/index.ts";

/** The run's identity provider, as the test files receive it. */
export interface TestIdp {
  issuer: string;
  /** The seeded people's password. */
  password: string;
  /** The audience of tokens for the bridge (AUTH_AUDIENCE). */
  audience: string;
  /** Each seeded system's client secret, by client id. */
  secrets: Record<string, string>;
}

declare module "vitest" {
  export interface ProvidedContext {
    idp: TestIdp;
  }
}

function reachable(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

async function waitFor(host: string, port: number, name: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (await reachable(host, port)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} did not come up on ${host}:${port}`);
}

function tryRun(command: string): void {
  try {
    execSync(command, { stdio: "ignore", timeout: 60_000 });
  } catch {
    // The wait below reports the failure with the service's name.
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!process.env.DATABASE_URL && !(await reachable("127.0.0.1", 5432))) {
    tryRun("pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | head -n 1) main start");
    await waitFor("127.0.0.1", 5432, "PostgreSQL");
  }
  if (!process.env.REDIS_URL && !(await reachable("127.0.0.1", 6379))) {
    tryRun(
      'mkdir -p /var/lib/redis /var/log/redis && redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
    );
    await waitFor("127.0.0.1", 6379, "Redis");
  }
  const idp = await startIdp({ port: 0 });
  project.provide("idp", {
    issuer: idp.issuer,
    password: idp.password,
    audience: idp.audience,
    secrets: Object.fromEntries(DEV_CLIENTS.map((c) => [c.clientId, devSecret(c.clientId)])),
  });
  return () => idp.close();
}
