/**
 * `redocly lint` of the document the API serves, with the recommended rules (redocly.yaml): an error fails
 * the test; warnings are listed in its output without failing it (two are expected per document: the
 * probes describe no 4XX answer, since they give none). Linted as deployed by default (servers `/`, no issuer) and as configured (PUBLIC_BASE_URL, the
 * issuer's OIDC scheme), through the Redocly CLI itself, as a CI job or a developer would run it.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { authAs } from "../support/tokens.ts";
import { TEST_CONFIG, type TestApp, testApp } from "./support.ts";

const run = promisify(execFile);
const REDOCLY = join(
  dirname(createRequire(import.meta.url).resolve("@redocly/cli/package.json")),
  "bin/cli.js",
);
const CONFIG = new URL("../../redocly.yaml", import.meta.url).pathname;

interface Problem {
  ruleId: string;
  severity: "error" | "warn";
  message: string;
  location: { source: { ref: string }; pointer: string }[];
}

const dir = mkdtempSync(join(tmpdir(), "bridge-openapi-"));
const apps: TestApp[] = [];
afterAll(async () => {
  for (const app of apps) await app.done();
  rmSync(dir, { recursive: true, force: true });
});

async function servedTo(file: string, overrides: Parameters<typeof testApp>[0] = {}): Promise<string> {
  const t = await testApp(overrides);
  apps.push(t);
  const res = await t.app.inject({ method: "GET", url: "/docs/json", headers: await authAs("admin.user") });
  expect(res.statusCode).toBe(200);
  const path = join(dir, file);
  writeFileSync(path, res.body);
  return path;
}

interface Report {
  totals: { errors: number; warnings: number };
  problems: Problem[];
}

/** The CLI's JSON report on one file (it exits 1 when it finds errors; the report is on stdout either way). */
async function lint(file: string): Promise<Report> {
  const { stdout } = await run(
    process.execPath,
    [REDOCLY, "lint", file, "--config", CONFIG, "--format", "json"],
    {
      cwd: dir,
      env: {
        ...process.env,
        REDOCLY_TELEMETRY: "off",
        REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
        NO_COLOR: "1",
      },
      maxBuffer: 16 * 1024 * 1024,
    },
  ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }));
  return JSON.parse(stdout) as Report;
}

const describeProblem = (p: Problem) =>
  `${p.severity} ${p.ruleId} at ${p.location.map((l) => `${l.source.ref}${l.pointer}`).join(", ")}: ${p.message}`;

describe("redocly lint of /docs/json", () => {
  it("finds no error with the recommended rules, as served by default and as configured", async () => {
    const files = [
      await servedTo("default.json"),
      await servedTo("configured.json", {
        config: { ...TEST_CONFIG, http: { ...TEST_CONFIG.http, publicBaseUrl: "https://bridge.hmpps.test" } },
        openapi: { authIssuer: "https://sign-in.hmpps.test/auth/issuer" },
      }),
    ];
    for (const file of files) {
      const report = await lint(file);
      const warnings = report.problems.filter((p) => p.severity === "warn");
      if (warnings.length > 0) {
        console.log(`redocly lint: ${warnings.length} warnings\n${warnings.map(describeProblem).join("\n")}`);
      }
      const errors = report.problems.filter((p) => p.severity === "error");
      expect(errors.map(describeProblem), file).toEqual([]);
      expect(report.totals.errors, file).toBe(0);
    }
  }, 60_000);
});
