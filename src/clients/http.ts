/**
 * Outbound HTTP for every agency the bridge talks to (OASys ORDS pull, token endpoints, the ARMS and OASys
 * pushes). A thin layer over Node's global `fetch`: a per-request time-out that also covers reading the
 * body, a correlation id on every request, and failures as typed `HttpError`s carrying a registry code.
 *
 * Messages never contain the URL path or the body (paths carry CRNs, bodies carry people): callers pass a
 * `label` ("ords:section6", "arms:push") that names the call instead.
 */
import { randomUUID } from "node:crypto";
import { BridgeError, type ErrorCode } from "../errors.ts";

export const CORRELATION_ID_HEADER = "x-correlation-id";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

export interface HttpRequest {
  method: HttpMethod;
  url: string | URL;
  /** Names the call in errors and logs, e.g. `ords:section6`. Never personal data. */
  label: string;
  /** Whole-request budget: connect, headers and body. */
  timeoutMs: number;
  headers?: Record<string, string>;
  body?: string | URLSearchParams;
  /** Sent as `x-correlation-id`; a fresh UUID when not given. */
  correlationId?: string;
  /** Lets a caller cancel (e.g. on shutdown) in addition to the time-out. */
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  correlationId: string;
}

export type HttpFailure = "TIMEOUT" | "UNREACHABLE" | "STATUS" | "BAD_BODY";

/** Why an HTTP call failed. `retryable` is what a retry policy needs; `code` is the registry code. */
export class HttpError extends BridgeError {
  readonly failure: HttpFailure;
  readonly label: string;
  /** The response status, when there was a response. */
  readonly httpStatus: number | null;
  /** From `Retry-After` (seconds or HTTP date), when the server sent one. */
  readonly retryAfterMs: number | null;
  readonly correlationId: string;

  constructor(
    failure: HttpFailure,
    code: ErrorCode,
    detail: string,
    init: { label: string; correlationId: string; httpStatus?: number; retryAfterMs?: number | null },
    options?: ErrorOptions,
  ) {
    super(
      code,
      detail,
      { label: init.label, httpStatus: init.httpStatus ?? null, correlationId: init.correlationId },
      options,
    );
    this.name = "HttpError";
    this.failure = failure;
    this.label = init.label;
    this.httpStatus = init.httpStatus ?? null;
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.correlationId = init.correlationId;
  }

  /** Time-outs, unreachable hosts, 408, 429 and 5xx may succeed later; everything else will not. */
  get retryable(): boolean {
    return !this.permanent;
  }
}

export const isHttpError = (e: unknown): e is HttpError => e instanceof HttpError;

/** 408, 429 and 5xx are worth retrying; other 4xx are the caller's problem. */
export const isRetryableStatus = (status: number): boolean =>
  status === 408 || status === 429 || status >= 500;

/** `Retry-After` as milliseconds from `nowMs`: delta-seconds or an HTTP date; null when absent or bad. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

function isTimeout(e: unknown): boolean {
  return e instanceof Error && (e.name === "TimeoutError" || (e as { code?: unknown }).code === 23);
}

/**
 * Send one request and read the whole body as text. Resolves for ANY status (callers that treat e.g. 409
 * as success need that); rejects only with an `HttpError` for a time-out or an unreachable service.
 */
export async function send(req: HttpRequest): Promise<HttpResponse> {
  const correlationId = req.correlationId ?? randomUUID();
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([timeout, req.signal]) : timeout;
  const headers = { ...req.headers, [CORRELATION_ID_HEADER]: correlationId };
  const meta = { label: req.label, correlationId };
  try {
    const res = await fetch(req.url, {
      method: req.method,
      headers,
      ...(req.body !== undefined ? { body: req.body } : {}),
      signal,
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, correlationId };
  } catch (e) {
    if (timeout.aborted || isTimeout(e)) {
      throw new HttpError(
        "TIMEOUT",
        "BRIDGE_E_HTTP_TIMEOUT",
        `${req.label}: no answer within ${req.timeoutMs} ms`,
        meta,
        { cause: e },
      );
    }
    if (req.signal?.aborted) throw e;
    const reason = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
    throw new HttpError("UNREACHABLE", "BRIDGE_E_HTTP_UNREACHABLE", `${req.label}: ${reason}`, meta, {
      cause: e,
    });
  }
}

/** The `HttpError` for a response that is not 2xx. */
export function statusError(
  req: Pick<HttpRequest, "label">,
  res: HttpResponse,
  nowMs = Date.now(),
): HttpError {
  const retryable = isRetryableStatus(res.status);
  return new HttpError(
    "STATUS",
    retryable ? "BRIDGE_E_HTTP_UNAVAILABLE" : "BRIDGE_E_HTTP_REFUSED",
    `${req.label}: HTTP ${res.status}`,
    {
      label: req.label,
      correlationId: res.correlationId,
      httpStatus: res.status,
      retryAfterMs: parseRetryAfter(res.headers.get("retry-after"), nowMs),
    },
  );
}

/** Send and require a 2xx; the body as text. */
export async function requestText(req: HttpRequest): Promise<HttpResponse> {
  const res = await send(req);
  if (res.status < 200 || res.status > 299) throw statusError(req, res);
  return res;
}

/** Send with `Accept: application/json`, require a 2xx, and parse the body as JSON. */
export async function requestJson(req: HttpRequest): Promise<{ response: HttpResponse; json: unknown }> {
  const response = await requestText({
    ...req,
    headers: { accept: "application/json", ...req.headers },
  });
  try {
    return { response, json: JSON.parse(response.text) as unknown };
  } catch (e) {
    throw new HttpError(
      "BAD_BODY",
      "BRIDGE_E_HTTP_BAD_BODY",
      `${req.label}: body is not JSON`,
      { label: req.label, correlationId: response.correlationId, httpStatus: response.status },
      { cause: e },
    );
  }
}

/** JSON body helper for POSTs. */
export function jsonBody(value: unknown): { body: string; headers: Record<string, string> } {
  return { body: JSON.stringify(value), headers: { "content-type": "application/json" } };
}
