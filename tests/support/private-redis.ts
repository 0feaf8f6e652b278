/**
 * A Redis server of the test's own, for tests that restart or lose Redis: `redis-server` on a free port on
 * 127.0.0.1, its working directory a temporary one, either without persistence (the default: `--save ""
 * --appendonly no`, so a restart loses every key, as a cache-configured Redis does) or with the
 * append-only file (`appendonly: true`, fsync always: a restart keeps every write it acknowledged). The
 * shared Redis on 127.0.0.1:6379 is never touched.
 *
 * `restart()` stops the server (SIGKILL by default: a crash; SIGTERM: a clean shutdown) and starts it
 * again on the same port; `stop()` stops it and deletes its directory. A missing `redis-server` fails the
 * test with a message saying so.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PrivateRedis {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Stops the server, runs `whileDown` if given, starts it again on the same port, resolves once it answers. */
  restart(options?: { signal?: "SIGKILL" | "SIGTERM"; whileDown?: () => Promise<void> }): Promise<void>;
  /** Stops the server and deletes its directory. Safe to call more than once. */
  stop(): Promise<void>;
  /** The end of the server's output, for failure messages. */
  logTail(lines?: number): string;
}

const BINARY = process.env.REDIS_SERVER_BIN ?? "redis-server";
const READY_TIMEOUT_MS = 15_000;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** One PING over a fresh connection: true on +PONG. */
function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    let answer = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.on("error", () => done(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      answer += chunk.toString();
      if (answer.includes("\r\n")) done(answer.startsWith("+PONG"));
    });
  });
}

export async function startPrivateRedis(options: { appendonly?: boolean } = {}): Promise<PrivateRedis> {
  if (spawnSync(BINARY, ["--version"]).error) {
    throw new Error(
      `private Redis: '${BINARY}' not found (install the Redis server package or set REDIS_SERVER_BIN)`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "bridge-redis-"));
  const port = await freePort();
  const persistence = options.appendonly
    ? ["--appendonly", "yes", "--appendfsync", "always", "--save", ""]
    : ["--appendonly", "no", "--save", ""];
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--daemonize", "no"];
  let output: string[] = [];
  let child: ChildProcess | null = null;
  let stopped = false;

  const start = async () => {
    const started = spawn(BINARY, [...args, ...persistence], { stdio: ["ignore", "pipe", "pipe"] });
    child = started;
    const keep = (chunk: Buffer) => {
      output = [...output, ...chunk.toString().split("\n")].slice(-200);
    };
    started.stdout?.on("data", keep);
    started.stderr?.on("data", keep);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await pings(port))) {
      if (started.exitCode !== null || Date.now() > deadline) {
        throw new Error(`private Redis on port ${port} did not start:\n${output.slice(-20).join("\n")}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const halt = async (signal: NodeJS.Signals) => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill(signal);
    await exited;
  };

  const onExit = () => child?.kill("SIGKILL");
  process.once("exit", onExit);
  await start();

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async restart({ signal = "SIGKILL", whileDown } = {}) {
      if (stopped) throw new Error("private Redis: restart after stop");
      await halt(signal);
      await whileDown?.();
      await start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      process.off("exit", onExit);
      await halt("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
    logTail: (lines = 20) => output.slice(-lines).join("\n"),
  };
}
