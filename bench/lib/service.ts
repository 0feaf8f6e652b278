/**
 * Long-running processes for the benches (the bridge's API, worker and simulators, a raw BullMQ worker),
 * each in its own Node process as they are deployed, so they share the machine's cores the way the real
 * service does. Output lines are kept for `waitForLine`; CPU time comes from /proc (Linux), so a suite can
 * say which process used the cores. Also: a free port, and the CPU time of other programs by name (Redis,
 * PostgreSQL).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export interface Service {
  readonly name: string;
  readonly pid: number;
  /** Resolves with the first output line (stdout or stderr, past or future) that `match` accepts. */
  waitForLine(match: (line: string) => boolean, timeoutMs: number): Promise<string>;
  /** User + system CPU time so far, ms (0 once the process is gone). */
  cpuMs(): number;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when killed). */
  stop(graceMs?: number): Promise<number | null>;
}

/** Starts `node bin/run-ts.js <script> ...args` (or any Node entry) in `root` with `env` added. */
export function startService(
  name: string,
  root: string,
  entry: string,
  args: string[],
  env: Record<string, string> = {},
): Service {
  // BENCH_CPU_PROF_DIR=<dir>: every service writes a V8 CPU profile there when it exits (for a bottleneck hunt).
  const profileDir = process.env.BENCH_CPU_PROF_DIR;
  const nodeArgs = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, join(root, entry), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const waiters = new Set<(line: string) => void>();
  let exited: number | null | undefined;
  const onData = (stream: NodeJS.ReadableStream | null) => {
    let partial = "";
    stream?.setEncoding("utf8");
    stream?.on("data", (s: string) => {
      const parts = (partial + s).split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) {
        lines.push(line);
        if (lines.length > 2000) lines.splice(0, 1000);
        for (const w of waiters) w(line);
      }
    });
  };
  onData(child.stdout);
  onData(child.stderr);
  const exit = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      exited = code;
      resolve(code);
    }),
  );
  const pid = child.pid ?? 0;

  return {
    name,
    pid,
    waitForLine(match, timeoutMs) {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const done = (error: Error | null, line?: string) => {
          clearTimeout(timer);
          waiters.delete(onLine);
          if (error) reject(error);
          else resolve(line as string);
        };
        const onLine = (line: string) => {
          if (match(line)) done(null, line);
        };
        const timer = setTimeout(() => {
          const tail = lines.slice(-5).join(" / ");
          done(new Error(`${name}: no expected output within ${timeoutMs} ms (last: ${tail})`));
        }, timeoutMs);
        waiters.add(onLine);
        void exit.then((code) => {
          if (waiters.has(onLine))
            done(new Error(`${name} exited (${code}): ${lines.slice(-5).join(" / ")}`));
        });
      });
    },
    cpuMs: () => (exited === undefined ? processCpuMs(pid) : 0),
    async stop(graceMs = 30_000) {
      if (exited !== undefined) return exited;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
  };
}

/** CPU time (user + system) of one process, ms; 0 when it is gone or /proc cannot be read. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start at field 3.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks / TICKS_PER_SECOND) * 1000;
  } catch {
    return 0;
  }
}

/** The pids of every process whose command name is `comm` (e.g. `postgres`, `redis-server`). */
export function pidsOf(comm: string): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === comm) pids.push(Number(entry));
    } catch {
      // gone between the listing and the read
    }
  }
  return pids;
}

/**
 * CPU used by every process named `comm` from now until the returned function is called, ms. Processes
 * that start in between count in full; ones that end in between lose what they used since the start.
 */
export function cpuMeter(comm: string): () => number {
  const before = new Map(pidsOf(comm).map((pid) => [pid, processCpuMs(pid)]));
  return () =>
    pidsOf(comm).reduce((sum, pid) => sum + Math.max(0, processCpuMs(pid) - (before.get(pid) ?? 0)), 0);
}

/** A TCP port free right now on 127.0.0.1 (for a child to listen on). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
