/**
 * The data team's web pages, served by the same fastify app as the API (src/http/app.ts mounts them at
 * `/` when given `AppDeps.web`; the API stays under /v1). See docs/web.md.
 *
 * At the app's root: cookies (@fastify/cookie, signed with WEB_SESSION_SECRET), the templates and assets
 * (views.ts), CSRF tokens (@fastify/csrf-protection over the session's secret), and the not-found handler:
 * an unknown URL outside the API's paths is the web's "Page not found" (after signing in), the API's keep
 * their JSON 404.
 *
 * In the pages' own scope, for every page route, in order:
 *   1. onRequest: the session (session.ts) names the person (`request.principal`, the same `Principal` as
 *      a bearer token's); the access policy's `pages` decide (src/auth/pages.ts): public, sign in first (a
 *      GET is redirected to /sign-in; a form posted without a session is "You have been signed out"),
 *      allowed, or "Page not found" (404, never 403);
 *   2. preHandler: every POST checks its CSRF token (`_csrf` field) against the session's secret;
 *   3. the page (pages/), or the sign-in routes (sign-in.ts);
 *   4. onSend: the pages' Content-Security-Policy (csp.ts); errors become GOV.UK error pages (errors.ts).
 */
import cookie from "@fastify/cookie";
import csrf from "@fastify/csrf-protection";
import formbody from "@fastify/formbody";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { pageAccess } from "../auth/pages.ts";
import type { AppAuth } from "../auth/plugin.ts";
import type { RouteDeps } from "../http/deps.ts";
import { pageContentSecurityPolicy } from "./csp.ts";
import { type ErrorPage, renderError, webErrorHandler } from "./errors.ts";
import { createOidcClient, type OidcClient } from "./oidc.ts";
import { PAGES } from "./pages/index.ts";
import { layoutFor, type Page, renderPage, type WebDeps } from "./pages/page.ts";
import { createSessions, type Sessions } from "./session.ts";
import type { WebSettings } from "./settings.ts";
import { safeReturnTo, signInRoutes } from "./sign-in.ts";
import { registerViews, templateScriptHashes } from "./views.ts";

export type { WebSettings } from "./settings.ts";

/** What the app is given to mount the web (AppDeps.web). */
export interface WebMount {
  settings: WebSettings;
  /** Default: the pages of pages/index.ts (tests add their own). */
  pages?: readonly Page[];
  /** Default: openid-client at the settings' issuer. */
  oidc?: OidcClient;
}

export interface WebOptions extends WebMount {
  api: RouteDeps;
  auth: AppAuth;
  /** How the API answers an unknown URL under its own paths. */
  apiNotFound: (request: FastifyRequest, reply: FastifyReply) => unknown;
}

/** Registers the web at the app's root. Call after registerAuth(app, auth, { pages: true }). */
export function registerWeb(app: FastifyInstance, options: WebOptions): void {
  const { settings, api, auth } = options;
  const policy = auth.policy;
  const pages = options.pages ?? PAGES;
  const deps: WebDeps = { api, policy };
  const sessions: Sessions = createSessions({
    db: api.db,
    secret: settings.sessionSecret,
    idleS: settings.sessionIdleS,
    maxS: settings.sessionMaxS,
    secure: settings.secure,
    now: api.now,
  });
  const oidc = options.oidc ?? createOidcClient(settings);
  const csp = pageContentSecurityPolicy({ scriptHashes: templateScriptHashes(), issuer: settings.issuer });
  const layout = (request: FastifyRequest, reply: FastifyReply) => layoutFor(request, reply, policy, pages);
  const error = (request: FastifyRequest, reply: FastifyReply, page: ErrorPage) =>
    renderError(reply.header("content-security-policy", csp), page, layout(request, reply));
  const signIn = (request: FastifyRequest) =>
    `/sign-in?returnTo=${encodeURIComponent(safeReturnTo(request.url.split("?", 1)[0]))}`;

  app.decorateRequest("session", null as unknown as FastifyRequest["session"]);
  app.register(cookie, { secret: settings.sessionSecret });
  app.register(csrf, { sessionPlugin: "@fastify/session" });
  registerViews(app);

  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split("?", 1)[0] ?? "/";
    if (policy.isApiPath(path)) return options.apiNotFound(request, reply);
    request.session = {};
    const session = await sessions.load(request);
    if (session) {
      request.principal = session.principal;
      request.session = { _csrf: session.csrfSecret };
    } else if (request.method === "GET" || request.method === "HEAD") {
      return reply.redirect(signIn(request), 303);
    }
    return error(request, reply, "not-found");
  });

  app.register(async (web) => {
    web.register(formbody);
    web.setErrorHandler(async (err, request, reply) =>
      webErrorHandler(layout)(err, request, reply.header("content-security-policy", csp)),
    );

    web.addHook("onRequest", async (request, reply) => {
      request.session = {};
      const url = request.routeOptions.url;
      if (url !== undefined && policy.isPublicPage(request.method, url)) return;
      const session = await sessions.load(request);
      if (session) {
        request.principal = session.principal;
        request.session = { _csrf: session.csrfSecret };
      }
      switch (pageAccess(policy, request.method, url, request.principal)) {
        case "public":
        case "allowed":
          return;
        case "sign-in":
          if (request.method === "GET" || request.method === "HEAD")
            return reply.redirect(signIn(request), 303);
          return error(request, reply, "signed-out");
        case "not-found":
          return error(request, reply, "not-found");
      }
    });
    web.addHook("preHandler", (request, reply, done) => {
      if (request.method === "POST") web.csrfProtection(request, reply, done);
      else done();
    });
    web.addHook("onSend", async (_request, reply, payload) => {
      reply.header("content-security-policy", csp);
      return payload;
    });

    signInRoutes(web, { settings, oidc, sessions, verifier: auth.verifier, layout, error });
    for (const page of pages) {
      web.route({
        method: page.method,
        url: page.url,
        schema: { hide: true },
        handler: async (request, reply) => {
          const context = layout(request, reply);
          const principal = request.principal;
          if (!principal) return error(request, reply, "not-found"); // the hook let no one else through
          const result = await page.handle({ request, principal, deps, now: api.now(), layout: context });
          if ("redirect" in result) return reply.redirect(result.redirect, result.status ?? 303);
          if ("download" in result) {
            const { filename, contentType, body } = result.download;
            return reply
              .header("cache-control", "no-store")
              .header("content-disposition", `attachment; filename="${filename}"`)
              .type(contentType)
              .send(body);
          }
          return renderPage(reply, result.view, result.model, context, result.status);
        },
      });
    }
  });
}
