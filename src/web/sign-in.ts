/**
 * Signing in and out of the web pages (public pages in the access policy, but `POST /sign-out`).
 *
 *   GET  /sign-in           starts an authorization code + PKCE sign-in at the issuer; the state, the PKCE
 *                           verifier and where to go back to are kept in a signed, HttpOnly cookie for ten
 *                           minutes (path /sign-in), nowhere else
 *   GET  /sign-in/callback  the redirect URI: exchanges the code (checking state, issuer and PKCE), has
 *                           src/auth verify the access token and build the person from its claims (the
 *                           same code as a bearer token on the API), and starts a session (session.ts)
 *   POST /sign-out          (CSRF-checked) ends the session and sends the browser to the issuer's
 *                           end-session endpoint, which sends it back to /signed-out
 *   GET  /signed-out        "You have signed out"
 *
 * A person with no role in the service gets "You do not have access" and no session. A sign-in that comes
 * back wrong (expired, refused, another window's) gets "Sorry, you could not be signed in". Logs carry the
 * roles of who signed in, never their id or a token.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { TokenVerifier } from "../auth/verify.ts";
import { Unauthenticated } from "../auth/verify.ts";
import type { ErrorPage } from "./errors.ts";
import { type OidcClient, SignInFailed } from "./oidc.ts";
import type { LayoutContext } from "./pages/page.ts";
import { pageTitle, renderPage } from "./pages/page.ts";
import type { Sessions } from "./session.ts";
import type { WebSettings } from "./settings.ts";

export interface SignInDeps {
  settings: WebSettings;
  oidc: OidcClient;
  sessions: Sessions;
  verifier: TokenVerifier;
  layout: (request: FastifyRequest, reply: FastifyReply) => LayoutContext;
  error: (request: FastifyRequest, reply: FastifyReply, page: ErrorPage) => Promise<FastifyReply>;
}

/** A path of this service to go back to after signing in: no scheme, no host, no query. */
const RETURN_TO = /^\/(?![/\\])[A-Za-z0-9\-._~/%:@]{0,200}$/;
export const safeReturnTo = (value: unknown): string =>
  typeof value === "string" && RETURN_TO.test(value) ? value : "/";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

export function signInRoutes(app: FastifyInstance, deps: SignInDeps): void {
  const { settings } = deps;
  const cookieName = settings.secure ? "__Secure-bridge-sign-in" : "bridge-sign-in";
  const cookieOptions = {
    path: "/sign-in",
    httpOnly: true,
    sameSite: "lax",
    secure: settings.secure,
    signed: true,
  } as const;
  const hide = { schema: { hide: true } };

  app.get("/sign-in", hide, async (request, reply) => {
    const base = new URL(settings.baseUrl());
    const returnTo = safeReturnTo((request.query as { returnTo?: unknown }).returnTo);
    // Cookies belong to a host: a person who opened http://127.0.0.1:3000 while the service calls itself
    // http://localhost:3000 signs in on the latter (loopback addresses only: a proxy's host never loops).
    if (LOOPBACK.has(base.hostname) && request.host.toLowerCase() !== base.host) {
      return reply.redirect(`${base.origin}/sign-in?returnTo=${encodeURIComponent(returnTo)}`, 303);
    }
    const started = await deps.oidc.start(`${base.origin}/sign-in/callback`);
    const kept = JSON.stringify({ s: started.state, v: started.verifier, r: returnTo });
    reply.setCookie(cookieName, kept, { ...cookieOptions, maxAge: 600 });
    return reply.header("cache-control", "no-store").redirect(started.url.href, 303);
  });

  app.get("/sign-in/callback", hide, async (request, reply) => {
    const raw = request.cookies[cookieName];
    if (raw !== undefined) reply.clearCookie(cookieName, cookieOptions);
    const unsigned = raw === undefined ? null : request.unsignCookie(raw);
    let kept: { s: string; v: string; r: string } | null = null;
    try {
      kept = unsigned?.valid && unsigned.value ? JSON.parse(unsigned.value) : null;
    } catch {
      kept = null;
    }
    if (!kept || typeof kept.s !== "string" || typeof kept.v !== "string") {
      return deps.error(request, reply, "sign-in-failed");
    }
    const base = new URL(settings.baseUrl());
    const callbackUrl = new URL(request.url, base.origin);
    let signedIn: Awaited<ReturnType<OidcClient["finish"]>>;
    try {
      signedIn = await deps.oidc.finish(callbackUrl, { state: kept.s, verifier: kept.v });
    } catch (error) {
      if (error instanceof SignInFailed) {
        request.log.info({ reason: error.message }, "web sign-in refused");
        return deps.error(request, reply, "sign-in-failed");
      }
      throw error;
    }
    let principal: Awaited<ReturnType<TokenVerifier["verify"]>>;
    try {
      principal = await deps.verifier.verify(`Bearer ${signedIn.accessToken}`);
    } catch (error) {
      if (error instanceof Unauthenticated) {
        request.log.info({ reason: error.reason }, "web sign-in refused: the access token");
        return deps.error(request, reply, "sign-in-failed");
      }
      throw error;
    }
    if (principal.kind !== "user" || (signedIn.subject !== null && signedIn.subject !== principal.subject)) {
      request.log.info("web sign-in refused: not a person, or the ID and access tokens disagree");
      return deps.error(request, reply, "sign-in-failed");
    }
    if (principal.roles.length === 0) {
      request.log.info("web sign-in refused: no role in this service");
      return deps.error(request, reply, "no-access");
    }
    await deps.sessions.start(request, reply, { principal, idToken: signedIn.idToken });
    request.log.info({ roles: principal.roles }, "web sign-in");
    return reply.redirect(safeReturnTo(kept.r), 303);
  });

  app.post("/sign-out", hide, async (request, reply) => {
    const session = await deps.sessions.end(request, reply);
    const base = new URL(settings.baseUrl());
    const endSession = await deps.oidc.endSession(session?.idToken ?? null, `${base.origin}/signed-out`);
    request.log.info("web sign-out");
    return reply.redirect(endSession?.href ?? "/signed-out", 303);
  });

  app.get("/signed-out", hide, async (request, reply) =>
    renderPage(
      reply,
      "pages/signed-out.njk",
      { title: pageTitle("You have signed out") },
      deps.layout(request, reply),
    ),
  );
}
