/**
 * A tiny OAuth2 authorisation server for the simulated agencies: client-credentials grant only
 * (RFC 6749 §4.4), client authentication by HTTP Basic (§2.3.1, form-urlencoded id and secret) or by form
 * fields. Tokens are opaque random strings, short-lived (`expires_in`), so a bridge run of any length
 * exercises refreshing them. The resource endpoints accept any live token it issued.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface TokenIssuerOptions {
  clients: ClientCredentials[];
  /** Token lifetime in seconds, sent as `expires_in`. */
  ttlS: number;
  now?: () => number;
}

export type TokenOutcome =
  | { ok: true; body: { access_token: string; token_type: "Bearer"; expires_in: number } }
  | { ok: false; status: 400 | 401; body: { error: string; error_description: string } };

export type BearerCheck = { ok: true; clientId: string } | { ok: false; reason: string };

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

function basicCredentials(header: string | undefined): ClientCredentials | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (!m) return null;
  const pair = Buffer.from(m[1] as string, "base64").toString("utf8");
  const colon = pair.indexOf(":");
  if (colon < 0) return null;
  try {
    return {
      clientId: decodeURIComponent(pair.slice(0, colon).replace(/\+/g, " ")),
      clientSecret: decodeURIComponent(pair.slice(colon + 1).replace(/\+/g, " ")),
    };
  } catch {
    return null;
  }
}

export class TokenIssuer {
  readonly #clients: ClientCredentials[];
  readonly #ttlS: number;
  readonly #now: () => number;
  /** token -> {clientId, expiresAt epoch ms} */
  readonly #tokens = new Map<string, { clientId: string; expiresAt: number }>();
  issued = 0;

  constructor(options: TokenIssuerOptions) {
    this.#clients = options.clients;
    this.#ttlS = options.ttlS;
    this.#now = options.now ?? Date.now;
  }

  /** Handles a token request: the form body and the Authorization header. */
  grant(form: URLSearchParams, authorization: string | undefined): TokenOutcome {
    const fail = (status: 400 | 401, error: string, error_description: string): TokenOutcome => ({
      ok: false,
      status,
      body: { error, error_description },
    });
    const fromHeader = basicCredentials(authorization);
    const fromForm =
      form.get("client_id") !== null
        ? { clientId: form.get("client_id") ?? "", clientSecret: form.get("client_secret") ?? "" }
        : null;
    const presented = fromHeader ?? fromForm;
    if (!presented) return fail(401, "invalid_client", "client authentication is required");
    const known = this.#clients.find(
      (c) => same(c.clientId, presented.clientId) && same(c.clientSecret, presented.clientSecret),
    );
    if (!known) return fail(401, "invalid_client", "unknown client or wrong secret");
    if (form.get("grant_type") !== "client_credentials") {
      return fail(400, "unsupported_grant_type", "only client_credentials is supported");
    }
    this.#sweep();
    const token = randomBytes(24).toString("base64url");
    this.#tokens.set(token, { clientId: known.clientId, expiresAt: this.#now() + this.#ttlS * 1000 });
    this.issued += 1;
    return { ok: true, body: { access_token: token, token_type: "Bearer", expires_in: this.#ttlS } };
  }

  /** Checks an `Authorization: Bearer` header against the live tokens. */
  check(authorization: string | undefined): BearerCheck {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
    if (!m) return { ok: false, reason: "no bearer token" };
    const entry = this.#tokens.get(m[1] as string);
    if (!entry) return { ok: false, reason: "unknown token" };
    if (entry.expiresAt <= this.#now()) return { ok: false, reason: "token expired" };
    return { ok: true, clientId: entry.clientId };
  }

  /** Expires every token now (`POST /__tokens/expire`): the next push must fetch a new one. */
  expireAll(): number {
    const n = this.#tokens.size;
    this.#tokens.clear();
    return n;
  }

  #sweep() {
    const now = this.#now();
    for (const [t, e] of this.#tokens) if (e.expiresAt <= now) this.#tokens.delete(t);
  }
}
