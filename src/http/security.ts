/**
 * Security headers and per-client rate limits, registered at the root of the app (src/http/app.ts).
 *
 * Headers (@fastify/helmet) on every response, with a strict Content-Security-Policy: everything from the
 * API's own origin only, no inline script or style, no plugins, no framing, forms posting only to itself.
 * The data team's web pages (GOV.UK Frontend, a later step) fit inside it: its scripts, styles, fonts and
 * images are served from the origin. Swagger UI at /docs needs one thing more, data: images (its icons),
 * and gets that under /docs only. HSTS as helmet sets it (the service is reached over TLS).
 *
 * Rate limits (@fastify/rate-limit): at most `rateLimitMax` requests per `rateLimitWindowMs` per client,
 * counted per process. The client is the caller the token names (`request.principal`, set by the sign-in
 * hook, which runs first): a system by its client id, a person by their own id (people signing in through
 * the same web app share its client id, so that would make one reviewer's burst everyone's); a caller
 * without a verified token by IP. Over the limit: 429 BRIDGE_E_RATE_LIMITED in the one error shape, with
 * Retry-After (seconds). Probes and the metrics scrape are never limited.
 *
 * CSRF: the API takes bearer tokens, never cookies, so a cross-site form cannot act as anyone; no token
 * or double-submit check is registered. The web pages with forms (a later step) must add one.
 */
import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Principal } from "../auth/principal.ts";
import type { Limits } from "../config.ts";
import { BridgeError } from "../errors.ts";

/** The policy every response carries. */
export const CONTENT_SECURITY_POLICY: Readonly<Record<string, string[]>> = {
  "default-src": ["'self'"],
  "base-uri": ["'self'"],
  "connect-src": ["'self'"],
  "font-src": ["'self'"],
  "form-action": ["'self'"],
  "frame-ancestors": ["'none'"],
  "img-src": ["'self'"],
  "object-src": ["'none'"],
  "script-src": ["'self'"],
  "script-src-attr": ["'none'"],
  "style-src": ["'self'"],
};

/** Under /docs (Swagger UI): the same, with data: images for its icons. Still no inline script. */
export const DOCS_CONTENT_SECURITY_POLICY: Readonly<Record<string, string[]>> = {
  ...CONTENT_SECURITY_POLICY,
  "img-src": ["'self'", "data:"],
};

export const DOCS_PREFIX = "/docs";
/** Never rate-limited: probes and the metrics scrape. */
/** Routes the rate limit never applies to: the probes and the scraper (the API description reads it too). */
export const UNLIMITED_ROUTES: ReadonlySet<string> = new Set(["/health", "/ready", "/metrics"]);

const header = (policy: Readonly<Record<string, string[]>>) =>
  Object.entries(policy)
    .map(([name, values]) => `${name} ${values.join(" ")}`)
    .join(";");

/** Who a request counts against: its verified caller, else its IP. */
export function rateLimitKey(request: FastifyRequest): string {
  const principal = (request as { principal?: Principal | null }).principal;
  if (principal) {
    return principal.kind === "user"
      ? `user:${principal.subject}`
      : `client:${principal.clientId ?? principal.subject}`;
  }
  return `ip:${request.ip}`;
}

export function registerSecurity(app: FastifyInstance, limits: Limits): void {
  app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
  });
  const docsPolicy = header(DOCS_CONTENT_SECURITY_POLICY);
  app.addHook("onSend", async (request, reply, payload) => {
    const path = request.url.split("?")[0] ?? "";
    if (path === DOCS_PREFIX || path.startsWith(`${DOCS_PREFIX}/`)) {
      reply.header("content-security-policy", docsPolicy);
    }
    return payload;
  });

  const seconds = Math.round(limits.rateLimitWindowMs / 1000);
  app.register(rateLimit, {
    global: true,
    max: limits.rateLimitMax,
    timeWindow: limits.rateLimitWindowMs,
    keyGenerator: rateLimitKey,
    allowList: (request) => UNLIMITED_ROUTES.has(request.routeOptions.url ?? ""),
    errorResponseBuilder: (_request, context) =>
      new BridgeError(
        "BRIDGE_E_RATE_LIMITED",
        `at most ${context.max} requests per ${seconds} s from one client; try again in ${context.after}`,
      ),
  });
}
