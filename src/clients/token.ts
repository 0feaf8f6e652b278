/**
 * OAuth2 client-credentials tokens (RFC 6749 §4.4) for the bridge's service identity. One provider per
 * token endpoint and client: it caches the token until shortly before it expires, and concurrent callers
 * share a single in-flight token request (single-flight). A 401 from the resource server means the token
 * is no longer good: the caller invalidates it and asks again.
 *
 * The client secret is never logged or put into an error message.
 */
import { BridgeError } from "../errors.ts";
import { HttpError, requestText } from "./http.ts";

export interface TokenProvider {
  /** A bearer token valid for at least the refresh margin. */
  getToken(options?: { correlationId?: string }): Promise<string>;
  /**
   * Forget the cached token. Pass the token that was refused: if the cache has moved on to a newer token
   * meanwhile (another caller already refreshed), that newer one is kept.
   */
  invalidate(token?: string): void;
}

export interface ClientCredentialsConfig {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Space-separated scopes, when the authorisation server wants them. */
  scope?: string;
  timeoutMs: number;
  /** Refresh this long before `expires_in` runs out, so a token does not expire in flight. Default 60 s. */
  refreshMarginMs?: number;
  /**
   * `basic`: client id and secret in an HTTP Basic header (RFC 6749 §2.3.1, the recommended form and what
   * HMPPS Auth expects); `body`: as form fields.
   */
  clientAuth?: "basic" | "body";
  /** Clock, for tests. */
  now?: () => number;
}

interface CachedToken {
  accessToken: string;
  /** Epoch ms after which the token must not be handed out. */
  refreshAt: number;
}

const LABEL = "auth:token";

/** The parts of a token response the bridge relies on; anything else is ignored. */
export function readTokenResponse(text: string): { accessToken: string; expiresInS: number | null } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new BridgeError("BRIDGE_E_HTTP_BAD_BODY", `${LABEL}: token response is not JSON`);
  }
  const b = body as { access_token?: unknown; expires_in?: unknown; token_type?: unknown };
  if (typeof b !== "object" || b === null || typeof b.access_token !== "string" || b.access_token === "") {
    throw new BridgeError("BRIDGE_E_HTTP_BAD_BODY", `${LABEL}: token response has no access_token`);
  }
  if (typeof b.token_type === "string" && b.token_type.toLowerCase() !== "bearer") {
    throw new BridgeError("BRIDGE_E_HTTP_BAD_BODY", `${LABEL}: token type is not bearer`);
  }
  const expires = typeof b.expires_in === "string" ? Number(b.expires_in) : b.expires_in;
  const expiresInS = typeof expires === "number" && Number.isFinite(expires) && expires > 0 ? expires : null;
  return { accessToken: b.access_token, expiresInS };
}

export function createClientCredentialsTokenProvider(config: ClientCredentialsConfig): TokenProvider {
  const now = config.now ?? Date.now;
  const margin = config.refreshMarginMs ?? 60_000;
  let cached: CachedToken | null = null;
  let inflight: Promise<CachedToken> | null = null;

  async function fetchToken(correlationId: string | undefined): Promise<CachedToken> {
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    if (config.scope) form.set("scope", config.scope);
    const headers: Record<string, string> = {
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
    };
    if ((config.clientAuth ?? "basic") === "basic") {
      // RFC 6749 §2.3.1: form-urlencode id and secret before Base64.
      const pair = `${encodeURIComponent(config.clientId)}:${encodeURIComponent(config.clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(pair).toString("base64")}`;
    } else {
      form.set("client_id", config.clientId);
      form.set("client_secret", config.clientSecret);
    }
    const requestedAt = now();
    let res: Awaited<ReturnType<typeof requestText>>;
    try {
      res = await requestText({
        method: "POST",
        url: config.tokenUrl,
        label: LABEL,
        timeoutMs: config.timeoutMs,
        headers,
        body: form,
        ...(correlationId ? { correlationId } : {}),
      });
    } catch (e) {
      // 400/401/403 from a token endpoint: the credentials (or grant) are wrong. Retrying will not help.
      if (e instanceof HttpError && e.httpStatus !== null && !e.retryable) {
        throw new BridgeError(
          "BRIDGE_E_AUTH_TOKEN_REFUSED",
          `${LABEL}: HTTP ${e.httpStatus}`,
          {},
          { cause: e },
        );
      }
      throw e;
    }
    const { accessToken, expiresInS } = readTokenResponse(res.text);
    // No expires_in: use the token for this request only rather than guess a lifetime. A short-lived token
    // is refreshed at half its life at the latest. Measured from when we asked, so network time is covered.
    const lifetimeMs = expiresInS === null ? 0 : expiresInS * 1000;
    return { accessToken, refreshAt: requestedAt + lifetimeMs - Math.min(margin, lifetimeMs / 2) };
  }

  return {
    async getToken(options = {}) {
      if (cached && now() < cached.refreshAt) return cached.accessToken;
      if (!inflight) {
        inflight = fetchToken(options.correlationId)
          .then((token) => {
            cached = token;
            return token;
          })
          .finally(() => {
            inflight = null;
          });
      }
      return (await inflight).accessToken;
    },
    invalidate(token) {
      if (token === undefined || cached?.accessToken === token) cached = null;
    },
  };
}

/**
 * The token provider for a configured agency endpoint: client credentials when a token URL is configured
 * (config validation insists on both credentials then), none otherwise.
 */
export function tokenProviderFor(endpoint: {
  tokenUrl: string | null;
  clientId: string | null;
  clientSecret: string | null;
  timeoutMs: number;
}): TokenProvider | undefined {
  if (!endpoint.tokenUrl || !endpoint.clientId || !endpoint.clientSecret) return undefined;
  return createClientCredentialsTokenProvider({
    tokenUrl: endpoint.tokenUrl,
    clientId: endpoint.clientId,
    clientSecret: endpoint.clientSecret,
    timeoutMs: endpoint.timeoutMs,
  });
}
