/**
 * Runs a bench worker in its own Node process so that its peak RSS (`process.resourceUsage().maxRSS`)
 * belongs to that candidate alone. A worker prints one JSON object as its last stdout line.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";

export interface WorkerRun<T> {
  ok: boolean;
  result?: T;
  /** Why it failed (exit code or signal and the tail of stderr). */
  failure?: string;
}

export function runWorker<T>(
  root: string,
  worker: string,
  args: string[],
  options: { maxOldSpaceMb?: number } = {},
): Promise<WorkerRun<T>> {
  const nodeArgs = options.maxOldSpaceMb ? [`--max-old-space-size=${options.maxOldSpaceMb}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, join(root, "bin/run-ts.js"), worker, ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => {
    stdout += s;
  });
  child.stderr.setEncoding("utf8").on("data", (s: string) => {
    stderr = (stderr + s).slice(-4000);
  });
  return new Promise((resolve) => {
    child.on("close", (code, signal) => {
      const last = stdout.trim().split("\n").at(-1) ?? "";
      if (code === 0 && last.startsWith("{")) {
        resolve({ ok: true, result: JSON.parse(last) as T });
        return;
      }
      const why = signal ? `killed by ${signal}` : `exit code ${code}`;
      const tail = stderr.trim().split("\n").slice(-3).join(" / ");
      resolve({ ok: false, failure: `${why}${tail ? `: ${tail}` : ""}` });
    });
  });
}
