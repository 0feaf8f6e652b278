/**
 * Getting access tokens from an OpenID Connect issuer the way real callers do, over HTTP:
 * - a system: client credentials (RFC 6749 §4.4), the client authenticated with HTTP Basic;
 * - a person: authorization code with PKCE (RFC 7636, S256), the sign-in form filled in and posted as a
 *   browser without JavaScript would, cookies kept between the requests, redirects followed by hand up to
 *   the redirect URI, then the code exchanged at the token endpoint.
 * Used by `bridge idp token` and by the tests (tests/support/tokens.ts). Nothing here makes a token.
 */
import { createHash, randomBytes } from "node:crypto";

export interface Endpoints {
  issuer: string;
  authorization: string;
  token: string;
  jwks: string;
}

export class SignInError extends Error {}

/** The issuer's endpoints from its discovery document. */
export async function discover(issuer: string): Promise<Endpoints> {
  const res = await fetch(`${issuer}/.well-known/openid-configuration`);
  if (!res.ok) throw new SignInError(`discovery at ${issuer} answered ${res.status}`);
  const doc = (await res.json()) as Record<string, string>;
  if (doc.issuer !== issuer) throw new SignInError(`discovery names issuer ${doc.issuer}, not ${issuer}`);
  return {
    issuer,
    authorization: String(doc.authorization_endpoint),
    token: String(doc.token_endpoint),
    jwks: String(doc.jwks_uri),
  };
}

async function tokenFrom(res: Response, what: string): Promise<string> {
  const body = (await res.json().catch(() => ({}))) as { access_token?: string; error?: string };
  if (!res.ok || !body.access_token) {
    throw new SignInError(`${what}: the token endpoint answered ${res.status} ${body.error ?? ""}`.trim());
  }
  return body.access_token;
}

/** A system's access token (client credentials). `resource`: another API than the issuer's default. */
export async function clientCredentialsToken(
  issuer: string,
  client: { clientId: string; clientSecret: string },
  options: { resource?: string; scope?: string } = {},
): Promise<string> {
  const { token } = await discover(issuer);
  const basic = Buffer.from(
    `${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`,
  ).toString("base64");
  const form = new URLSearchParams({ grant_type: "client_credentials" });
  if (options.resource) form.set("resource", options.resource);
  if (options.scope) form.set("scope", options.scope);
  const res = await fetch(token, {
    method: "POST",
    headers: { authorization: `Basic ${basic}` },
    body: form,
  });
  return tokenFrom(res, `client credentials for ${client.clientId}`);
}

/** Cookies by name, as a browser would keep them for one site. */
class CookieJar {
  readonly #cookies = new Map<string, string>();

  take(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      if (eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || /expires=.*1970/i.test(a));
      if (value === "" || expired) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

const FORM = /<form[^>]*\smethod="post"[^>]*\saction="([^"]+)"/i;

/**
 * A person's access token: authorization code + PKCE through the issuer's sign-in form. Throws
 * SignInError when the form refuses the credentials or the issuer answers anything unexpected.
 */
export async function passwordSignIn(
  issuer: string,
  person: { username: string; password: string },
  options: { clientId?: string; redirectUri?: string } = {},
): Promise<string> {
  const endpoints = await discover(issuer);
  const clientId = options.clientId ?? "bridge-dev";
  const redirectUri = options.redirectUri ?? `${issuer}/dev/callback`;
  const verifier = randomBytes(32).toString("base64url");
  const state = randomBytes(16).toString("base64url");
  const authorize = new URL(endpoints.authorization);
  authorize.search = new URLSearchParams({
    client_id: clientId,
    response_type: "code",
    scope: "openid",
    redirect_uri: redirectUri,
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
    state,
  }).toString();

  const jar = new CookieJar();
  const request = async (url: string, init: RequestInit = {}) => {
    const res = await fetch(url, {
      ...init,
      redirect: "manual",
      headers: { ...(init.headers as Record<string, string>), cookie: jar.header() },
    });
    jar.take(res);
    return res;
  };

  let url = authorize.href;
  let res = await request(url);
  let posted = false;
  for (let step = 0; step < 12; step++) {
    const location = res.headers.get("location");
    if (res.status >= 300 && res.status < 400 && location) {
      const next = new URL(location, url);
      if (next.href.startsWith(redirectUri)) {
        const error = next.searchParams.get("error");
        if (error) throw new SignInError(`sign-in for ${person.username} ended with ${error}`);
        if (next.searchParams.get("state") !== state)
          throw new SignInError("the redirect's state is not ours");
        if (next.searchParams.get("iss") !== issuer)
          throw new SignInError("the redirect names another issuer");
        const code = next.searchParams.get("code");
        if (!code) throw new SignInError("the redirect carries no code");
        const exchange = await fetch(endpoints.token, {
          method: "POST",
          body: new URLSearchParams({
            grant_type: "authorization_code",
            code,
            redirect_uri: redirectUri,
            client_id: clientId,
            code_verifier: verifier,
          }),
        });
        return tokenFrom(exchange, `the code exchange for ${person.username}`);
      }
      url = next.href;
      res = await request(url);
      continue;
    }
    const action = res.status === 200 && !posted ? FORM.exec(await res.text())?.[1] : undefined;
    if (!action) {
      throw new SignInError(
        `sign-in for ${person.username}: the issuer answered ${res.status}${posted ? " to the form" : ""}`,
      );
    }
    posted = true;
    url = new URL(action.replace(/&amp;/g, "&"), url).href;
    res = await request(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ username: person.username, password: person.password }).toString(),
    });
  }
  throw new SignInError(`sign-in for ${person.username} went round too many redirects`);
}
