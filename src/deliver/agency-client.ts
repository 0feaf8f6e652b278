/**
 * The push to one agency (contract §4): one HTTP POST per outbox row, its answer classified.
 *
 *   police     POST {base}/arms/v1/prefilled-assessments     JSON ARMS draft, or a JSON correction notice
 *   probation  POST {base}/oasys/v1/partner-risk-updates     XML partner update, or an XML correction notice
 *
 * Headers: `Authorization: Bearer` (OAuth2 client credentials, cached by the token provider; on a 401 the
 * token is dropped and the request made once more with a fresh one), `Idempotency-Key`, `X-Correlation-Id`,
 * `Content-Type`. Outcomes:
 * - DELIVERED: 2xx; the receipt is the parsed JSON body, or the raw text;
 * - ALREADY_HELD: 409, the agency already has this idempotency key: counts as delivered;
 * - RETRY: 408, 429, 5xx, a time-out or a connection failure, with `retryAfterMs` from `Retry-After`
 *   (delta-seconds or an HTTP date) when the agency sent one;
 * - PERMANENT_FAILURE: any other 4xx (or a 401 again after a refresh, or a refused token request).
 * Reasons name the call and the status, never the body or the path (they carry people).
 */
import { performance } from "node:perf_hooks";
import { type HttpResponse, isHttpError, isRetryableStatus, parseRetryAfter, send } from "../clients/http.ts";
import type { TokenProvider } from "../clients/token.ts";
import { type ErrorCode, isBridgeError } from "../errors.ts";
import type { Recipient } from "./types.ts";

export const PUSH_PATH: Record<Recipient, string> = {
  ARMS: "arms/v1/prefilled-assessments",
  OASYS: "oasys/v1/partner-risk-updates",
};

const LABEL: Record<Recipient, string> = { ARMS: "arms:push", OASYS: "oasys:push" };
/** Receipts are kept, but not without bound. */
export const MAX_RECEIPT_CHARS = 64 * 1024;

export interface AgencyClientConfig {
  recipient: Recipient;
  baseUrl: string;
  timeoutMs: number;
  /** Absent: no Authorization header (a test double or an endpoint on a trusted network). */
  tokenProvider?: TokenProvider;
  /** Clock for `Retry-After` HTTP dates (epoch ms). */
  now?: () => number;
}

/** What a push needs from an outbox row. */
export interface DeliverableRow {
  id: string;
  idempotencyKey: string;
  contentType: string;
  body: string;
  correlationId: string | null;
}

export type DeliveryOutcome =
  | { outcome: "DELIVERED"; httpStatus: number; latencyMs: number; receipt: unknown }
  | { outcome: "ALREADY_HELD"; httpStatus: number; latencyMs: number; receipt: unknown }
  | {
      outcome: "RETRY";
      httpStatus: number | null;
      latencyMs: number;
      errorCode: ErrorCode;
      reason: string;
      retryAfterMs: number | null;
      timedOut: boolean;
    }
  | {
      outcome: "PERMANENT_FAILURE";
      httpStatus: number | null;
      latencyMs: number;
      errorCode: ErrorCode;
      reason: string;
      /** The agency's own error code, when its body carried one that looks like a code. */
      agencyCode?: string;
    };

export interface AgencyClient {
  readonly recipient: Recipient;
  deliver(row: DeliverableRow, options?: { signal?: AbortSignal }): Promise<DeliveryOutcome>;
}

/** The receipt to keep: the JSON body parsed, else the text; bounded. */
export function receiptOf(res: Pick<HttpResponse, "text">): unknown {
  const text = res.text;
  if (text.trim() === "") return null;
  try {
    return text.length <= MAX_RECEIPT_CHARS
      ? (JSON.parse(text) as unknown)
      : text.slice(0, MAX_RECEIPT_CHARS);
  } catch {
    return text.slice(0, MAX_RECEIPT_CHARS);
  }
}

const CODE_LIKE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/** `{"error": {"code": "X"}}` or `{"code": "X"}`: a code-shaped value only, never free text. */
function agencyCodeOf(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { code?: unknown; error?: { code?: unknown } } | null;
    const code = body?.error?.code ?? body?.code;
    return typeof code === "string" && CODE_LIKE.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

function endpoint(baseUrl: string, recipient: Recipient): URL {
  return new URL(PUSH_PATH[recipient], baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
}

export function createAgencyClient(config: AgencyClientConfig): AgencyClient {
  const url = endpoint(config.baseUrl, config.recipient);
  const label = LABEL[config.recipient];
  const now = config.now ?? Date.now;

  async function post(row: DeliverableRow, token: string | null, signal?: AbortSignal) {
    return send({
      method: "POST",
      url,
      label,
      timeoutMs: config.timeoutMs,
      headers: {
        "content-type": row.contentType,
        accept: "application/json, application/xml;q=0.9, */*;q=0.1",
        "idempotency-key": row.idempotencyKey,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: row.body,
      ...(row.correlationId ? { correlationId: row.correlationId } : {}),
      ...(signal ? { signal } : {}),
    });
  }

  function classify(res: HttpResponse, latencyMs: number, afterRefresh: boolean): DeliveryOutcome {
    const s = res.status;
    if (s >= 200 && s <= 299)
      return { outcome: "DELIVERED", httpStatus: s, latencyMs, receipt: receiptOf(res) };
    if (s === 409) return { outcome: "ALREADY_HELD", httpStatus: s, latencyMs, receipt: receiptOf(res) };
    if (isRetryableStatus(s)) {
      return {
        outcome: "RETRY",
        httpStatus: s,
        latencyMs,
        errorCode: "BRIDGE_E_HTTP_UNAVAILABLE",
        reason: `${label}: HTTP ${s}`,
        retryAfterMs: parseRetryAfter(res.headers.get("retry-after"), now()),
        timedOut: false,
      };
    }
    const agencyCode = agencyCodeOf(res.text);
    return {
      outcome: "PERMANENT_FAILURE",
      httpStatus: s,
      latencyMs,
      errorCode: "BRIDGE_E_HTTP_REFUSED",
      reason: `${label}: HTTP ${s}${afterRefresh ? " after a token refresh" : ""}`,
      ...(agencyCode ? { agencyCode } : {}),
    };
  }

  /** A thrown error (time-out, unreachable, token refused) as an outcome; anything else is rethrown. */
  function failed(e: unknown, latencyMs: number): DeliveryOutcome {
    if (!isBridgeError(e)) throw e;
    const httpStatus = isHttpError(e) ? e.httpStatus : null;
    if (e.permanent) {
      return { outcome: "PERMANENT_FAILURE", httpStatus, latencyMs, errorCode: e.code, reason: e.detail };
    }
    return {
      outcome: "RETRY",
      httpStatus,
      latencyMs,
      errorCode: e.code,
      reason: e.detail,
      retryAfterMs: isHttpError(e) ? e.retryAfterMs : null,
      timedOut: isHttpError(e) && e.failure === "TIMEOUT",
    };
  }

  return {
    recipient: config.recipient,
    async deliver(row, options = {}) {
      const started = performance.now();
      const elapsed = () => performance.now() - started;
      const tokenOptions = row.correlationId ? { correlationId: row.correlationId } : {};
      try {
        let token = config.tokenProvider ? await config.tokenProvider.getToken(tokenOptions) : null;
        let res = await post(row, token, options.signal);
        if (res.status === 401 && config.tokenProvider && token) {
          config.tokenProvider.invalidate(token);
          token = await config.tokenProvider.getToken(tokenOptions);
          res = await post(row, token, options.signal);
          return classify(res, elapsed(), true);
        }
        return classify(res, elapsed(), false);
      } catch (e) {
        return failed(e, elapsed());
      }
    },
  };
}
