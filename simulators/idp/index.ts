/**
 * The bundled identity provider (oidc-provider): an OpenID Connect issuer for local runs, the tests and
 * the demo, never for production. `bridge idp` runs it alone; `bridge simulate` runs it beside the agency
 * simulators, on a port of its own. See README.md here.
 *
 *   /.well-known/openid-configuration, /jwks, /auth, /token   oidc-provider's own endpoints
 *   /interaction/:uid                                         the sign-in form (interactions.ts)
 *   /dev/sign-in                                              a browser sign-in that ends showing the token
 *   /dev/callback                                             the redirect URI of the `bridge-dev` client
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type Provider from "oidc-provider";
import { API_AUDIENCE, DEV_CLIENTS, DEV_PASSWORD, DEV_USERS, devSecret, SIGN_IN_CLIENT } from "./accounts.ts";
import { handleInteraction } from "./interactions.ts";
import { createProvider } from "./provider.ts";

export * from "./accounts.ts";
export { clientCredentialsToken, discover, passwordSignIn, SignInError } from "./sign-in.ts";

export interface IdpOptions {
  /** Listen port (0: any free port). */
  port?: number;
  host?: string;
  /**
   * The issuer URL tokens name (`iss`), when callers reach the provider by another address than the one it
   * listens on (a container: `http://localhost:9091` outside, `http://simulators:9091` inside).
   * Default: `http://<host>:<port>`.
   */
  issuer?: string;
  /** The password of every seeded person (default: DEV_PASSWORD). */
  password?: string;
  /** The audience of tokens for the bridge (AUTH_AUDIENCE; default `oasys-arms-bridge`). */
  audience?: string;
  /** Access token lifetime, seconds (default 1200, as HMPPS Auth's 20 minutes). */
  accessTokenTtlS?: number;
}

export interface RunningIdp {
  issuer: string;
  port: number;
  password: string;
  audience: string;
  /** Every system client with its dev secret. */
  clients: { clientId: string; clientSecret: string; role: string }[];
  users: { username: string; role: string }[];
  close(): Promise<void>;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res: ServerResponse, status: number, body: string) {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  res.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Development sign-in</title></head><body>${body}</body></html>`,
  );
}

/** The browser sign-in: the provider is its own `bridge-dev` client, PKCE verifier kept here by state. */
function devConsole(issuer: string) {
  const pending = new Map<string, string>();
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? "/", issuer);
    if (url.pathname === "/dev/sign-in") {
      const verifier = randomBytes(32).toString("base64url");
      const state = randomBytes(16).toString("base64url");
      if (pending.size > 1000) pending.clear();
      pending.set(state, verifier);
      const auth = new URL(`${issuer}/auth`);
      auth.search = new URLSearchParams({
        client_id: SIGN_IN_CLIENT,
        response_type: "code",
        scope: "openid",
        redirect_uri: `${issuer}/dev/callback`,
        code_challenge: createHash("sha256").update(verifier).digest("base64url"),
        code_challenge_method: "S256",
        state,
      }).toString();
      res.writeHead(303, { location: auth.href }).end();
      return true;
    }
    if (url.pathname !== "/dev/callback") return false;
    const code = url.searchParams.get("code");
    const verifier = pending.get(url.searchParams.get("state") ?? "");
    if (!code || !verifier) {
      page(
        res,
        400,
        '<p>No sign-in of this page\'s own is waiting here: start at <a href="/dev/sign-in">/dev/sign-in</a>.</p>',
      );
      return true;
    }
    pending.delete(url.searchParams.get("state") ?? "");
    const answer = await fetch(`${issuer}/token`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code,
        redirect_uri: `${issuer}/dev/callback`,
        client_id: SIGN_IN_CLIENT,
        code_verifier: verifier,
      }),
    });
    const token = ((await answer.json()) as { access_token?: string }).access_token;
    if (!token) {
      page(res, 502, `<p>The token endpoint answered ${answer.status}.</p>`);
      return true;
    }
    page(
      res,
      200,
      `<h1>Signed in</h1><p>Your access token (development only):</p><pre>${escapeHtml(token)}</pre><p>curl -H "Authorization: Bearer &lt;token&gt;" http://127.0.0.1:8080/v1/conflicts</p>`,
    );
    return true;
  };
}

export async function startIdp(options: IdpOptions = {}): Promise<RunningIdp> {
  const host = options.host ?? "127.0.0.1";
  const password = options.password ?? DEV_PASSWORD;
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  const server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost =
    host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  const issuer = (options.issuer ?? `http://${shownHost}:${port}`).replace(/\/+$/, "");
  const audience = options.audience ?? API_AUDIENCE;
  const provider: Provider = createProvider({
    issuer,
    audience,
    accessTokenTtlS: options.accessTokenTtlS ?? 1200,
  });
  const callback = provider.callback();
  const console = devConsole(issuer);
  handle = (req, res) => {
    void (async () => {
      if (await handleInteraction(provider, password, req, res)) return;
      if (await console(req, res)) return;
      await callback(req, res);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("internal error");
    });
  };

  return {
    issuer,
    port,
    password,
    audience,
    clients: DEV_CLIENTS.map((c) => ({
      clientId: c.clientId,
      clientSecret: devSecret(c.clientId),
      role: c.role,
    })),
    users: DEV_USERS.map((u) => ({ username: u.username, role: u.role })),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
