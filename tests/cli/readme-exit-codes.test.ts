/**
 * The README's command table is a contract: each command's exit codes there are the codes it really
 * gives. Each command that reads input is run on input that reads cleanly, on input with a rejected
 * record, and with a usage error; the codes seen must be exactly the codes its row lists.
 */
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.ts";
import { captureIo } from "./capture.ts";

const EX = "examples/oasys";
const CLEAN = `${EX}/complete-layer3-sexual-items.xml`;
/** One of its three assessments is rejected (RoSH level "Severe"). */
const ONE_REJECTED = `${EX}/malformed-one-of-three.xml`;
const MAPPING = "mappings/oasys-to-arms.yaml";
const PAIR = "examples/pairs/matched-consistent";

/** The README's command table: the command (its leading words) and the exit codes its row lists. */
function readmeExitCodes(): Map<string, number[]> {
  const rows = new Map<string, number[]>();
  for (const line of readFileSync("README.md", "utf8").split("\n")) {
    if (!line.startsWith("| `bridge ")) continue;
    const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
    const words = (cells[1] ?? "").replace(/`/g, "").split(" ");
    const end = words.findIndex((w) => !/^[a-z]+$/.test(w));
    const command = words.slice(0, end === -1 ? words.length : end).join(" ");
    const codes = [...(cells[3] ?? "").matchAll(/\b\d+\b/g)].map((m) => Number(m[0]));
    if (codes.length > 0) rows.set(command, codes);
  }
  return rows;
}

/** A folder of demo examples holding one export with a rejected record. */
function examplesWithARejectedRecord(): string {
  const dir = mkdtempSync(join(tmpdir(), "bridge-readme-demo-"));
  copyFileSync(ONE_REJECTED, join(dir, "one-rejected.xml"));
  return dir;
}

interface Runs {
  clean: string[];
  rejected: string[] | null;
  usage: string[];
}

const RUNS: Record<string, () => Runs> = {
  "bridge demo": () => ({
    clean: ["demo", "--json", "--examples", "examples/pairs/matched-consistent"],
    rejected: ["demo", "--json", "--examples", examplesWithARejectedRecord()],
    usage: ["demo", "--frob"],
  }),
  "bridge parse": () => ({ clean: ["parse", CLEAN], rejected: ["parse", ONE_REJECTED], usage: ["parse"] }),
  "bridge prefill": () => ({
    clean: ["prefill", CLEAN],
    rejected: ["prefill", ONE_REJECTED],
    usage: ["prefill"],
  }),
  "bridge mapping test": () => ({
    clean: ["mapping", "test"],
    rejected: null,
    usage: ["mapping", "test", "x.xml"],
  }),
  "bridge mapping diff": () => ({
    clean: ["mapping", "diff", "--from", MAPPING, "--to", MAPPING, CLEAN],
    rejected: ["mapping", "diff", "--from", MAPPING, "--to", MAPPING, ONE_REJECTED],
    usage: ["mapping", "diff", CLEAN],
  }),
  "bridge mapping coverage": () => ({
    clean: ["mapping", "coverage", CLEAN],
    rejected: ["mapping", "coverage", ONE_REJECTED],
    usage: ["mapping", "coverage"],
  }),
  "bridge reconcile": () => ({
    clean: ["reconcile", "--oasys", `${PAIR}/oasys.xml`, "--arms", `${PAIR}/arms.json`],
    rejected: ["reconcile", "--oasys", ONE_REJECTED, "--arms", `${PAIR}/arms.json`],
    usage: ["reconcile"],
  }),
};

/** Rows with exit codes not run here, and where their codes are held to. */
const RUN_ELSEWHERE: Record<string, string> = {
  "bridge audit verify": "needs a store; tests/cli/audit.test.ts",
  "bridge audit export": "needs a store; tests/cli/audit.test.ts",
  "bridge retention run": "needs a store; tests/store/retention.test.ts",
};

async function exitCode(argv: string[]): Promise<number> {
  return main(argv, captureIo().io);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("the README's exit codes", () => {
  const table = readmeExitCodes();

  it("has a row with exit codes for each command run here, and every such row is run", () => {
    for (const command of Object.keys(RUNS)) expect(table.has(command), command).toBe(true);
    for (const command of table.keys()) {
      expect(command in RUNS || command in RUN_ELSEWHERE, `${command}: no run pins its codes`).toBe(true);
    }
  });

  it.each(Object.keys(RUNS))(
    "%s exits with exactly the codes its row lists",
    async (command) => {
      vi.stubEnv("DATABASE_URL", "");
      vi.stubEnv("BRIDGE_DATA_DIR", "");
      const runs = (RUNS[command] as () => Runs)();
      const seen = {
        clean: await exitCode(runs.clean),
        rejected: runs.rejected ? await exitCode(runs.rejected) : null,
        usage: await exitCode(runs.usage),
      };
      expect(seen.clean).toBe(0);
      expect(seen.usage).toBe(1);
      const codes = new Set([seen.clean, seen.usage, ...(seen.rejected === null ? [] : [seen.rejected])]);
      expect([...codes].sort(), `${command}: ${JSON.stringify(seen)}`).toEqual(
        [...new Set(table.get(command))].sort(),
      );
    },
    60_000,
  );
});
