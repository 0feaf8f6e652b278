/**
 * A PostgreSQL server of the test's own, for tests that stop, restart or crash the database: `initdb` into
 * a temporary directory, `postgres` on a free port on 127.0.0.1 with its unix socket in that directory
 * (trust auth, fsync off). The shared server on 127.0.0.1:5432 is never touched.
 *
 * initdb and postgres refuse to run as root, so when the tests run as root (CI does) every server command
 * runs as the `postgres` OS user (`runuser`, else `su`) on a directory that user owns. The binaries are
 * taken from PG_BIN_DIR when it is set (and only from there), else the directory `initdb` on PATH really
 * lives in, else the newest
 * /usr/lib/postgresql/<version>/bin. A missing binary or user fails the test with a message saying so:
 * nothing is skipped.
 *
 * Commands run asynchronously, so a process under test keeps handling its connections' events while the
 * server goes down and comes back.
 */
import { execFile, execFileSync, spawnSync } from "node:child_process";
import {
  accessSync,
  chownSync,
  constants,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";

export type StopMode = "fast" | "immediate";

export interface PrivatePostgres {
  /** `postgresql://postgres@127.0.0.1:<port>/postgres` (trust auth). */
  readonly url: string;
  readonly port: number;
  /**
   * Stops the server as `pg_ctl stop -m <mode>` does (fast: sessions terminated with 57P01; immediate: no
   * clean shutdown, crash recovery on the way back), runs `whileDown` if given, then starts it again on the
   * same port and resolves once it accepts connections.
   */
  restart(options: { mode: StopMode; whileDown?: () => Promise<void> }): Promise<void>;
  /** Stops the server (immediate) and deletes its directory. Safe to call more than once. */
  stop(): Promise<void>;
  /** The end of the server's log, for failure messages. */
  logTail(lines?: number): string;
}

const BINARIES = ["initdb", "pg_ctl", "postgres"] as const;
const OS_USER = "postgres";
const COMMAND_TIMEOUT_MS = 120_000;

const executable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The one directory holding initdb, pg_ctl and postgres of the same version. */
export function findPostgresBinaries(): string {
  // PG_BIN_DIR, when set, is the only place looked in: a wrong one fails rather than finding another.
  const candidates: string[] = process.env.PG_BIN_DIR ? [process.env.PG_BIN_DIR] : [];
  if (!process.env.PG_BIN_DIR) {
    for (const dir of (process.env.PATH ?? "").split(delimiter).filter(Boolean)) {
      const initdb = join(dir, "initdb");
      if (executable(initdb)) candidates.push(dirname(realpathSync(initdb)));
    }
    try {
      const versions = readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a));
      candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
    } catch {
      // No Debian-style install: the PATH candidates are all there is.
    }
  }
  const found = candidates.find((dir) => BINARIES.every((b) => executable(join(dir, b))));
  if (!found) {
    throw new Error(
      `private PostgreSQL: ${BINARIES.join(", ")} not found together in PG_BIN_DIR, on PATH or in ` +
        `/usr/lib/postgresql/*/bin (looked in: ${candidates.join(", ") || "nothing"}); install the PostgreSQL ` +
        "server package or set PG_BIN_DIR",
    );
  }
  return found;
}

const isRoot = (): boolean => process.getuid?.() === 0;

function osUser(): { uid: number; gid: number } {
  try {
    const id = (flag: string) => Number(execFileSync("id", [flag, OS_USER], { encoding: "utf8" }).trim());
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    throw new Error(
      `private PostgreSQL: running as root, and initdb/postgres refuse root; there is no '${OS_USER}' OS user to run them as`,
    );
  }
}

const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

/** The command line that runs `argv` as the server's OS user (itself when not root). */
function asServerUser(argv: string[]): [string, string[]] {
  if (!isRoot()) return [argv[0]!, argv.slice(1)];
  if (executable("/usr/sbin/runuser") || executable("/sbin/runuser")) {
    return ["runuser", ["-u", OS_USER, "--", ...argv]];
  }
  return ["su", [OS_USER, "-s", "/bin/sh", "-c", argv.map(quote).join(" ")]];
}

/** Environment for server commands: none of the caller's PG* settings, a fixed locale. */
function serverEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("PG")) env[key] = value;
  return { ...env, LC_ALL: "C", LANG: "C" };
}

function run(argv: string[], cwd: string): Promise<string> {
  const [command, args] = asServerUser(argv);
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd, env: serverEnv(), timeout: COMMAND_TIMEOUT_MS, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${argv.slice(0, 2).join(" ")} failed: ${error.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

function freePort(): Promise<number> {
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

/** A fresh directory the server's OS user owns and can write (TMPDIR may not be reachable for it). */
function serverDirectory(): string {
  const owner = isRoot() ? osUser() : null;
  const bases = [...new Set([tmpdir(), "/tmp"])];
  for (const base of bases) {
    const dir = mkdtempSync(join(base, "bridge-pg-"));
    if (!owner) return dir;
    chownSync(dir, owner.uid, owner.gid);
    const [command, args] = asServerUser(["test", "-w", dir]);
    if (spawnSync(command, args, { stdio: "ignore" }).status === 0) return dir;
    rmSync(dir, { recursive: true, force: true });
  }
  throw new Error(`private PostgreSQL: no temporary directory the '${OS_USER}' user can write (${bases})`);
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = findPostgresBinaries();
  const root = serverDirectory();
  const data = join(root, "data");
  const logFile = join(root, "server.log");
  const pgCtl = join(bin, "pg_ctl");
  let port = 0;
  let stopped = false;

  const logTail = (lines = 30) => {
    try {
      return readFileSync(logFile, "utf8").split("\n").slice(-lines).join("\n");
    } catch {
      return "(no server log)";
    }
  };
  // Settings on the command line, so a start on a fresh port needs no file edits. fsync=off only skips
  // flushes to disk, which an operating system that stays up makes good; every commit still reaches the
  // WAL before it is acknowledged (no synchronous_commit=off), so `-m immediate` loses nothing committed.
  const settings = () =>
    [
      `-p ${port}`,
      "-c listen_addresses=127.0.0.1",
      `-c unix_socket_directories=${root}`,
      "-c fsync=off",
      "-c full_page_writes=off",
      "-c shared_buffers=16MB",
      "-c max_connections=80",
    ].join(" ");
  const start = async () => {
    try {
      await run([pgCtl, "start", "-D", data, "-l", logFile, "-w", "-t", "60", "-o", settings()], root);
    } catch (error) {
      throw new Error(
        `private PostgreSQL did not start on port ${port}: ${(error as Error).message}\n${logTail()}`,
      );
    }
  };
  const halt = (mode: StopMode) => run([pgCtl, "stop", "-D", data, "-m", mode, "-w", "-t", "60"], root);

  // If the test process ends without stop(), take the server down with it (synchronously: 'exit').
  const onExit = () => {
    if (stopped) return;
    const [command, args] = asServerUser([pgCtl, "stop", "-D", data, "-m", "immediate"]);
    spawnSync(command, args, { cwd: root, env: serverEnv(), stdio: "ignore" });
    rmSync(root, { recursive: true, force: true });
  };
  process.once("exit", onExit);

  try {
    await run(
      [
        join(bin, "initdb"),
        "-D",
        data,
        "-U",
        "postgres",
        "-A",
        "trust",
        "-E",
        "UTF8",
        "--no-locale",
        "--no-sync",
      ],
      root,
    );
    // A port found free can be taken before the server binds it: try a few.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await start();
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
  } catch (error) {
    onExit();
    process.off("exit", onExit);
    stopped = true;
    throw error;
  }

  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    logTail,
    async restart({ mode, whileDown }) {
      await halt(mode);
      try {
        await whileDown?.();
      } finally {
        await start();
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      process.off("exit", onExit);
      await halt("immediate").catch(() => {});
      rmSync(root, { recursive: true, force: true });
    },
  };
}
