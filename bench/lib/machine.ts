/** Where a benchmark ran: the facts a reader needs to compare two RESULTS.md files. */
import { execFileSync } from "node:child_process";
import { cpus, loadavg, release, totalmem, type } from "node:os";

function git(root: string, args: string[]): string | null {
  try {
    return execFileSync("git", args, {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return null;
  }
}

export function machineTable(root: string, startedAt: Date): string {
  const cpu = cpus();
  const commit = git(root, ["rev-parse", "--short=12", "HEAD"]) ?? "unknown";
  // Only changes to what is measured (and the code measuring it) make a result differ from its commit.
  const dirty = git(root, [
    "status",
    "--porcelain",
    "--",
    "src",
    "bench/lib",
    "bench/suites",
    "bench/workers",
    "bench/run.ts",
    "scripts",
    "package.json",
  ]);
  const rows: [string, string][] = [
    ["Date", startedAt.toISOString()],
    ["Git commit", `${commit}${dirty ? " (with uncommitted changes to measured code)" : ""}`],
    ["CPU", cpu[0]?.model.trim() ?? "unknown"],
    ["Cores (logical)", String(cpu.length)],
    ["Memory", `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`],
    ["OS", `${type()} ${release()}`],
    ["Node.js", process.version],
    [
      "Load average at start (1/5/15 min)",
      loadavg()
        .map((l) => l.toFixed(2))
        .join(" / "),
    ],
  ];
  return ["| | |", "|---|---|", ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join("\n");
}
