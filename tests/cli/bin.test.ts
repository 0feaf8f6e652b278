/**
 * The `bridge` command as a person runs it: a real process through bin/bridge.js and the TypeScript
 * loader (bin/ts-hooks.mjs), with its exit codes.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const bridge = (...args: string[]) =>
  spawnSync(process.execPath, ["bin/bridge.js", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });

describe("bin/bridge.js", () => {
  it("lists its commands", () => {
    const r = bridge("--help");
    expect(r.status).toBe(0);
    for (const command of [
      "demo",
      "parse",
      "prefill",
      "mapping",
      "reconcile",
      "serve",
      "worker",
      "simulate",
      "idp",
      "dlq",
    ]) {
      expect(r.stdout).toContain(`  ${command}`);
    }
  });

  it("runs a command end to end with its contract exit codes", () => {
    expect(bridge("parse", "examples/oasys/complete-layer3-sexual-items.xml").status).toBe(0);
    const some = bridge("parse", "examples/oasys/malformed-one-of-three.xml");
    expect(some.status).toBe(2);
    expect(some.stdout).toContain("1 rejected");
    expect(bridge("parse").status).toBe(1);
  });

  it("points a failure at the TypeScript source it came from", () => {
    const r = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import "./bin/register-ts.js"; const { parsePnc } = await import("./src/core/identity/identifiers.ts"); parsePnc(null, 26);`,
      ],
      { cwd: ROOT, encoding: "utf8", timeout: 60_000 },
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/at strip \(.*src\/core\/identity\/identifiers\.ts:\d+:\d+\)/);
  });
});
