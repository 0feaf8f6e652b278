/**
 * The agency simulators in one node:http server on one port (paths differ per agency):
 *
 *   POST /oauth/token                          OAuth2 client credentials (all agencies)
 *   POST /arms/v1/prefilled-assessments        police push (JSON ARMS drafts), Bearer required
 *   POST /oasys/v1/partner-risk-updates        probation push (XML partner updates), Bearer required
 *   GET  /eor/oasys/ass/...                    OASys ORDS pull paths, Bearer required unless `ordsAuth: false`
 *
 * and control paths for tests and the demo, never faulted and never authenticated (a test tool: never
 * expose it beyond the machine): `GET /__health`, `GET /__received?recipient=ARMS|OASYS`, `POST /__reset`,
 * `GET|POST /__faults`, `POST /__tokens/expire`, `POST /__config`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { type ClientCredentials, TokenIssuer } from "./auth.ts";
import { FaultInjector, type FaultKind, FaultSpecError, type FaultTarget, NO_FAULTS } from "./faults.ts";
import { BodyTooLarge, header, problem, readBody, sendJson } from "./http.ts";
import { OrdsStore } from "./ords/store.ts";
import { type IdempotencyMode, type Recipient, RecipientInbox } from "./recipients.ts";

export interface SimulatorOptions {
  /** 0 = any free port. Default 0. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Clients the token endpoint knows. Default one: `bridge` / `bridge-secret`. */
  clients?: ClientCredentials[];
  /** Access token lifetime (`expires_in`), seconds. Default 300. */
  tokenTtlS?: number;
  /** Initial fault changes (see `applyFaultChanges`). */
  faults?: Record<string, unknown>;
  /** PRNG seed for fault decisions. Default 1. */
  seed?: number;
  idempotency?: IdempotencyMode;
  /** The ORDS data; empty when not given. */
  ords?: OrdsStore;
  /** Require a bearer token on the ORDS paths. Default true. */
  ordsAuth?: boolean;
  /** One line per agency request (no paths or bodies: they hold personal data). */
  log?: (line: string) => void;
}

export interface RunningSimulators {
  url: string;
  port: number;
  faults: FaultInjector;
  inboxes: Record<Recipient, RecipientInbox>;
  tokens: TokenIssuer;
  ords: OrdsStore;
  close(): Promise<void>;
}

export const DEFAULT_CLIENT: ClientCredentials = { clientId: "bridge", clientSecret: "bridge-secret" };
const PUSH_BODY_LIMIT = 16 * 1024 * 1024;
const CONTROL_BODY_LIMIT = 64 * 1024;

/** What an agency route answers; the fault wrapper decides whether it reaches the client. */
interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const PUSH_PATHS: Record<string, Recipient> = {
  "/arms/v1/prefilled-assessments": "ARMS",
  "/oasys/v1/partner-risk-updates": "OASYS",
};

export async function startSimulators(options: SimulatorOptions = {}): Promise<RunningSimulators> {
  const faults = new FaultInjector(NO_FAULTS, options.seed ?? 1);
  if (options.faults) faults.update(options.faults);
  const tokens = new TokenIssuer({
    clients: options.clients ?? [DEFAULT_CLIENT],
    ttlS: options.tokenTtlS ?? 300,
  });
  const inboxes: Record<Recipient, RecipientInbox> = {
    ARMS: new RecipientInbox("ARMS", options.idempotency),
    OASYS: new RecipientInbox("OASYS", options.idempotency),
  };
  const ords = options.ords ?? new OrdsStore();
  const ordsAuth = options.ordsAuth ?? true;
  const log = options.log ?? (() => {});
  /** Requests held open by the `timeout` fault; destroyed on close. */
  const held = new Set<ServerResponse>();

  const unauthorised = (reason: string): Answer => ({
    status: 401,
    body: problem(401, "UNAUTHORISED", reason),
    headers: { "www-authenticate": `Bearer error="invalid_token", error_description="${reason}"` },
  });

  async function token(req: IncomingMessage, bytes: Buffer): Promise<Answer> {
    const outcome = tokens.grant(new URLSearchParams(bytes.toString("utf8")), header(req, "authorization"));
    return {
      status: outcome.ok ? 200 : outcome.status,
      body: outcome.body,
      headers: { "cache-control": "no-store" },
    };
  }

  function push(recipient: Recipient, req: IncomingMessage, bytes: Buffer): Answer {
    const auth = tokens.check(header(req, "authorization"));
    if (!auth.ok) return unauthorised(auth.reason);
    const outcome = inboxes[recipient].accept({
      contentType: header(req, "content-type") ?? "",
      idempotencyKey: header(req, "idempotency-key"),
      correlationId: header(req, "x-correlation-id"),
      body: bytes,
    });
    if ("code" in outcome)
      return { status: outcome.status, body: problem(outcome.status, outcome.code, outcome.message) };
    return {
      status: outcome.status,
      body:
        outcome.status === 409
          ? { ...problem(409, "ALREADY_RECEIVED", "already have it"), ...outcome.receipt }
          : outcome.receipt,
      headers: outcome.replayed ? { "idempotent-replayed": "true" } : {},
    };
  }

  function pull(req: IncomingMessage, pathname: string): Answer | null {
    const answer = ords.answer(pathname);
    if (!answer) return null;
    if (ordsAuth) {
      const auth = tokens.check(header(req, "authorization"));
      if (!auth.ok) return unauthorised(auth.reason);
    }
    return answer;
  }

  /** Runs an agency route through the fault switchboard. */
  async function agency(
    target: FaultTarget,
    name: string,
    req: IncomingMessage,
    res: ServerResponse,
    route: (bytes: Buffer) => Answer | Promise<Answer>,
  ): Promise<void> {
    const bytes = req.method === "POST" ? await readBody(req, PUSH_BODY_LIMIT) : Buffer.alloc(0);
    const decision = faults.decide(target);
    if (decision.delayMs > 0) await sleep(decision.delayMs);
    const fault: FaultKind | null = decision.fault;
    const note = (status: string) =>
      log(`${req.method} ${name} ${status}${fault ? ` [fault ${fault}]` : ""}`);
    if (fault === "reset") {
      note("reset");
      resetSocket(req.socket);
      return;
    }
    if (fault === "timeout") {
      note("held (no answer)");
      held.add(res);
      res.on("close", () => held.delete(res));
      return;
    }
    if (fault === "429") {
      note("429");
      const s = faults.settings.retryAfterS;
      sendJson(res, 429, problem(429, "TOO_MANY_REQUESTS", "slow down"), { "retry-after": String(s) });
      return;
    }
    if (fault === "5xx") {
      const status = faults.settings.errorStatus;
      note(String(status));
      sendJson(res, status, problem(status, "UNAVAILABLE", "simulated failure"));
      return;
    }
    const answer = await route(bytes);
    if (fault === "lost") {
      // Processed (and recorded), but the answer never arrives: only the Idempotency-Key saves the sender.
      note(`${answer.status} lost`);
      resetSocket(req.socket);
      return;
    }
    note(String(answer.status));
    sendJson(res, answer.status, answer.body, answer.headers);
  }

  async function control(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname;
    const json = async () => {
      const text = (await readBody(req, CONTROL_BODY_LIMIT)).toString("utf8").trim();
      const v: unknown = text === "" ? {} : JSON.parse(text);
      if (typeof v !== "object" || v === null || Array.isArray(v))
        throw new FaultSpecError("send a JSON object");
      return v as Record<string, unknown>;
    };
    if (req.method === "GET" && path === "/__health") {
      sendJson(res, 200, { ok: true, ordsAssessments: ords.size });
    } else if (req.method === "GET" && path === "/__received") {
      const which = url.searchParams.get("recipient");
      if (which !== null && which !== "ARMS" && which !== "OASYS") {
        sendJson(res, 400, problem(400, "BAD_RECIPIENT", "recipient must be ARMS or OASYS"));
      } else {
        const list = which ? [inboxes[which]] : [inboxes.ARMS, inboxes.OASYS];
        sendJson(res, 200, {
          received: list.flatMap((i) => i.received),
          stats: Object.fromEntries(list.map((i) => [i.recipient, i.stats])),
          rejections: list.flatMap((i) => i.rejections),
          tokensIssued: tokens.issued,
        });
      }
    } else if (req.method === "POST" && path === "/__reset") {
      inboxes.ARMS.reset();
      inboxes.OASYS.reset();
      sendJson(res, 200, { ok: true });
    } else if (req.method === "GET" && path === "/__faults") {
      sendJson(res, 200, { seed: faults.seed, ...faults.settings, injected: faults.injected });
    } else if (req.method === "POST" && path === "/__faults") {
      const { seed, ...changes } = await json();
      if (seed !== undefined && (typeof seed !== "number" || !Number.isInteger(seed))) {
        throw new FaultSpecError("seed must be a whole number");
      }
      sendJson(res, 200, faults.update(changes, seed as number | undefined));
    } else if (req.method === "POST" && path === "/__tokens/expire") {
      sendJson(res, 200, { expired: tokens.expireAll() });
    } else if (req.method === "POST" && path === "/__config") {
      const { idempotency, ...rest } = await json();
      if (Object.keys(rest).length > 0) throw new FaultSpecError(`unknown setting '${Object.keys(rest)[0]}'`);
      if (idempotency !== undefined) {
        if (idempotency !== "replay" && idempotency !== "conflict") {
          throw new FaultSpecError("idempotency must be replay or conflict");
        }
        inboxes.ARMS.mode = idempotency;
        inboxes.OASYS.mode = idempotency;
      }
      sendJson(res, 200, { idempotency: inboxes.ARMS.mode });
    } else {
      return false;
    }
    return true;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://simulator");
    const path = url.pathname;
    if (path.startsWith("/__")) {
      if (await control(req, res, url)) return;
    } else if (req.method === "POST" && path === "/oauth/token") {
      return agency("token", "token", req, res, (bytes) => token(req, bytes));
    } else if (req.method === "POST" && path in PUSH_PATHS) {
      const recipient = PUSH_PATHS[path] as Recipient;
      return agency(recipient === "ARMS" ? "arms" : "oasys", `push:${recipient}`, req, res, (bytes) =>
        push(recipient, req, bytes),
      );
    } else if (req.method === "GET" && path.startsWith("/eor/oasys/ass/")) {
      const endpoint = path.split("/")[4] ?? "ords";
      return agency("ords", `ords:${endpoint}`, req, res, () => {
        return pull(req, path) ?? { status: 404, body: problem(404, "NOT_FOUND", "no such ORDS path") };
      });
    }
    sendJson(res, 404, problem(404, "NOT_FOUND", "no such path"));
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent || res.destroyed) return;
      if (e instanceof BodyTooLarge) sendJson(res, 413, problem(413, "TOO_LARGE", e.message));
      else if (e instanceof FaultSpecError || e instanceof SyntaxError) {
        sendJson(res, 400, problem(400, "BAD_REQUEST", e.message));
      } else sendJson(res, 500, problem(500, "SIMULATOR_BUG", (e as Error).message));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${address.port}`,
    port: address.port,
    faults,
    inboxes,
    tokens,
    ords,
    close: async () => {
      for (const res of held) res.destroy();
      held.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A TCP reset (RST) where the platform can send one; else an abrupt close. */
function resetSocket(socket: Socket): void {
  const s = socket as Socket & { resetAndDestroy?: () => Socket };
  if (typeof s.resetAndDestroy === "function") s.resetAndDestroy();
  else s.destroy();
}
