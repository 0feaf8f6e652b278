/**
 * GET a JSON body from ORDS: bearer token, a small bounded retry with jitter for transient failures, and
 * every failure translated to an ORDS registry code. Retrying for longer is the queue's job; this only
 * smooths over a blip. A 404 is returned (not thrown) because for some endpoints it means "none".
 */
import { setTimeout as sleep } from "node:timers/promises";
import { HttpError, requestJson } from "../../clients/http.ts";
import type { TokenProvider } from "../../clients/token.ts";
import { BridgeError, isBridgeError } from "../../errors.ts";

export interface RetryPolicy {
  /** Attempts in all, including the first. 1 = no retry. */
  maxAttempts: number;
  /** Full-jitter exponential backoff: a random delay up to `baseDelayMs * 2^(attempt-1)`. */
  baseDelayMs: number;
  /** No single wait is longer; a `Retry-After` beyond it ends the retries (the queue takes over). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 2_000 };

export interface OrdsTransportConfig {
  baseUrl: string;
  timeoutMs: number;
  tokenProvider?: TokenProvider;
  retry?: Partial<RetryPolicy>;
}

export type OrdsGetResult = { found: true; body: unknown } | { found: false };

export interface OrdsGetRequest {
  /** Path below the base URL, e.g. `/eor/oasys/ass/section1/ALLOW/9630348`. */
  path: string;
  /** Endpoint name for errors (`section6`, `rmp`): never the path, which may hold a CRN. */
  endpoint: string;
  correlationId: string;
  /** For error context only. */
  assessmentPk?: number;
  /** Cancels the request and any retry still to come. */
  signal?: AbortSignal;
}

export type OrdsGet = (request: OrdsGetRequest) => Promise<OrdsGetResult>;

interface Classified {
  error: BridgeError;
  retryable: boolean;
  retryAfterMs: number | null;
}

function classify(e: unknown, req: OrdsGetRequest): Classified | "NOT_FOUND" {
  const context = {
    endpoint: req.endpoint,
    assessmentPk: req.assessmentPk ?? null,
    correlationId: req.correlationId,
  };
  const fail = (
    code: BridgeError["code"],
    detail: string,
    retryable = false,
    retryAfterMs: number | null = null,
  ) => ({
    error: new BridgeError(code, `${req.endpoint}: ${detail}`, context, { cause: e }),
    retryable,
    retryAfterMs,
  });
  if (e instanceof HttpError) {
    const status = e.httpStatus;
    if (status === 404) return "NOT_FOUND";
    if (status === 401 || status === 403) return fail("BRIDGE_E_ORDS_AUTH", `HTTP ${status}`);
    if (e.retryable) {
      return fail(
        "BRIDGE_E_ORDS_UNAVAILABLE",
        status === null ? e.failure.toLowerCase() : `HTTP ${status}`,
        true,
        e.retryAfterMs,
      );
    }
    if (e.failure === "BAD_BODY") return fail("BRIDGE_E_ORDS_BAD_RESPONSE", "body is not JSON");
    return fail("BRIDGE_E_ORDS_BAD_RESPONSE", `HTTP ${status}`);
  }
  // Token endpoint failures: refused or unreadable credentials are an auth problem.
  if (isBridgeError(e) && (e.code === "BRIDGE_E_AUTH_TOKEN_REFUSED" || e.code === "BRIDGE_E_HTTP_BAD_BODY")) {
    return fail("BRIDGE_E_ORDS_AUTH", "no usable token");
  }
  throw e;
}

export function createOrdsTransport(config: OrdsTransportConfig): OrdsGet {
  const base = config.baseUrl.replace(/\/+$/, "");
  const retry = { ...DEFAULT_RETRY, ...config.retry };
  const provider = config.tokenProvider;

  async function once(req: OrdsGetRequest, token: string | null): Promise<unknown> {
    const { json } = await requestJson({
      method: "GET",
      url: `${base}${req.path}`,
      label: `ords:${req.endpoint}`,
      timeoutMs: config.timeoutMs,
      correlationId: req.correlationId,
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
      ...(req.signal ? { signal: req.signal } : {}),
    });
    return json;
  }

  /** One logical call; on a 401, the token is dropped and the call made once more with a fresh one. */
  async function authorised(req: OrdsGetRequest): Promise<unknown> {
    const token = provider ? await provider.getToken({ correlationId: req.correlationId }) : null;
    try {
      return await once(req, token);
    } catch (e) {
      if (!(provider && token !== null && e instanceof HttpError && e.httpStatus === 401)) throw e;
      provider.invalidate(token);
      return once(req, await provider.getToken({ correlationId: req.correlationId }));
    }
  }

  return async (req) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return { found: true, body: await authorised(req) };
      } catch (e) {
        const c = classify(e, req);
        if (c === "NOT_FOUND") return { found: false };
        if (!c.retryable || attempt >= retry.maxAttempts) throw c.error;
        const jitter = Math.random() * Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
        const wait = Math.max(jitter, c.retryAfterMs ?? 0);
        if (wait > retry.maxDelayMs || req.signal?.aborted) throw c.error;
        await sleep(wait, undefined, req.signal ? { signal: req.signal } : {});
      }
    }
  };
}
