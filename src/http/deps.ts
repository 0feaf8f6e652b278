/**
 * What the API is built from. Everything that touches the outside world is passed in, so tests build the
 * same app against a real store and an in-process JobProducer, and `bridge serve` against BullMQ.
 */
import type { Logger } from "pino";
import type { AppAuth } from "../auth/plugin.ts";
import type { Config } from "../config.ts";
import type { Thresholds } from "../core/conflicts/types.ts";
import type { Mapping } from "../core/mapping/spec.ts";
import { BridgeError, isBridgeError } from "../errors.ts";
import type { BridgeMetrics } from "../observability/metrics.ts";
import type { JobProducer } from "../queue/jobs.ts";
import type { ReplayProducer } from "../queue/replay.ts";
import type { Db } from "../store/index.ts";
import type { WebMount } from "../web/index.ts";
import type { OpenApiOptions } from "./openapi.ts";
import type { ReadinessChecks } from "./readiness.ts";

export interface AppDeps {
  db: Db;
  /** Puts work on the queues; with `add` (the BullMQ producer has it) it can also replay dead letters. */
  producer: JobProducer & Partial<ReplayProducer>;
  /** `limits` (rate, ARMS body size) default to DEFAULT_LIMITS (src/config.ts). */
  config: Pick<Config, "http" | "xml"> & Partial<Pick<Config, "limits">>;
  logger: Logger;
  now?: () => Date;
  /** `/ready` runs these; default: the database and its migrations. */
  readiness?: ReadinessChecks;
  /**
   * Who may call what: the bearer-token verifier and the access policy (src/auth/). Required: the API
   * never runs open.
   */
  auth: AppAuth;
  /** Shared with an in-process worker; default: a registry of the app's own. */
  metrics?: BridgeMetrics;
  /**
   * The mapping and thresholds a decision re-reconciles the person with (src/pipeline/decide.ts): the same
   * the worker runs. Default: the bundled files.
   */
  reconcile?: { mapping: Mapping; thresholds: Thresholds };
  /** What the API description says that the rest of the app does not know: the token issuer, the roles. */
  openapi?: Pick<OpenApiOptions, "authIssuer" | "rolesFor">;
  /** The data team's web pages (src/web/), mounted at `/` when given: their sign-in client and sessions. */
  web?: WebMount;
}

/** Resolved dependencies as the route plugins receive them. */
export interface RouteDeps
  extends Required<Omit<AppDeps, "readiness" | "logger" | "openapi" | "auth" | "web">> {
  readiness: ReadinessChecks;
  /** The time now as an ISO instant. */
  nowIso: () => string;
}

/**
 * Puts work on a queue. A producer fault that is not already a registry error (Redis down, connection
 * reset) becomes 503 BRIDGE_E_QUEUE_UNAVAILABLE: what was stored stays stored, and posting the same
 * content again re-queues the same job ids, which is harmless (docs/service.md "Idempotency").
 */
export async function enqueue(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (isBridgeError(error)) throw error;
    throw new BridgeError("BRIDGE_E_QUEUE_UNAVAILABLE", "the job could not be queued", {}, { cause: error });
  }
}
