/**
 * The HTTP API (fastify 5). `buildApp` wires one encapsulated plugin per area (routes/*.ts) around the
 * shared pieces registered at the root:
 * - sign-in, before anything else: a bearer token from the issuer and a role the access policy allows on
 *   the route, or 401/403 (src/auth/plugin.ts; every route must be in the policy or the app does not start);
 * - the API's JSON Schemas (shared schemas, compiled once; requests and responses validated: schemas.ts);
 * - one error shape from the registry for every failure, unknown routes included (errors.ts);
 * - request ids (`X-Request-Id` taken from the client when it is a plain token, else a new UUID, and
 *   echoed on every response);
 * - one log line per request (method, route pattern, status, time; never bodies or query values) and the
 *   HTTP duration metric;
 * - OpenAPI 3.1 generated from the route schemas, served at /docs (UI) and /docs/json; operation ids,
 *   error responses, servers and security are added in one place (openapi.ts).
 * - security headers with a strict Content-Security-Policy, and per-client rate limits (security.ts).
 * - with `deps.web`, the data team's web pages at `/` (src/web/: a session from the web's own OpenID
 *   Connect sign-in instead of a bearer token, the policy's `pages`, CSRF on every form); the API's paths
 *   (/v1, /docs, the probes, /metrics) keep their bearer tokens and JSON answers.
 * Bodies are limited to 64 KiB unless a route says otherwise: exports HTTP_BODY_LIMIT_BYTES, ARMS
 * assessments HTTP_ARMS_BODY_LIMIT_BYTES, the JSON routes their own small limits.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { registerAuth } from "../auth/plugin.ts";
import { DEFAULT_LIMITS } from "../config.ts";
import { loadThresholds } from "../core/conflicts/load-thresholds.ts";
import { loadMapping } from "../core/mapping/load.ts";
import { createMetrics } from "../observability/metrics.ts";
import { countLiveConflicts } from "../store/repositories/conflicts.ts";
import { registerWeb } from "../web/index.ts";
import type { AppDeps, RouteDeps } from "./deps.ts";
import { handleError, handleNotFound } from "./errors.ts";
import { refuseUndeclaredMediaTypes } from "./media-types.ts";
import { registerOpenApi } from "./openapi.ts";
import { storeChecks } from "./readiness.ts";
import { armsRoutes } from "./routes/arms.ts";
import { conflictsRoutes } from "./routes/conflicts.ts";
import { deadLettersRoutes } from "./routes/dead-letters.ts";
import { deliveriesRoutes } from "./routes/deliveries.ts";
import { eventsRoutes } from "./routes/events.ts";
import { exportsRoutes } from "./routes/exports.ts";
import { opsRoutes } from "./routes/ops.ts";
import { personsRoutes } from "./routes/persons.ts";
import { apiSchemas, serializerCompiler, validatorCompiler } from "./schemas.ts";
import { registerSecurity } from "./security.ts";

export const DEFAULT_BODY_LIMIT = 64 * 1024;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
/** Ops routes are logged at debug level: probes and scrapes would drown the request log. */
const QUIET_ROUTES = new Set(["/health", "/ready", "/metrics"]);

export function requestIdFor(request: IncomingMessage): string {
  const given = request.headers["x-request-id"];
  return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const now = deps.now ?? (() => new Date());
  const routeDeps: RouteDeps = {
    db: deps.db,
    producer: deps.producer,
    config: deps.config,
    now,
    nowIso: () => now().toISOString(),
    readiness: deps.readiness ?? storeChecks(deps.db),
    reconcile: deps.reconcile ?? { mapping: loadMapping(), thresholds: loadThresholds() },
    metrics:
      deps.metrics ??
      createMetrics({ conflictCounts: () => countLiveConflicts(deps.db), processMetrics: true }),
  };

  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestIdFor,
    bodyLimit: DEFAULT_BODY_LIMIT,
    return503OnClosing: true,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  // With the web pages mounted, an unknown URL outside the API's paths is theirs (src/web/index.ts).
  if (!deps.web) app.setNotFoundHandler(handleNotFound);
  for (const schema of apiSchemas()) app.addSchema(schema);

  // Headers first (a 401 carries them too); the rate limit attaches itself to each route as it is added,
  // after sign-in has named the caller (security.ts).
  registerSecurity(app, deps.config.limits ?? DEFAULT_LIMITS);
  // Who may call what, before anything else looks at the request (src/auth/plugin.ts).
  registerAuth(app, deps.auth, { pages: deps.web !== undefined });
  app.addHook("onRequest", refuseUndeclaredMediaTypes);
  app.addHook("onSend", async (request, reply, payload) => {
    reply.header("x-request-id", request.id);
    return payload;
  });
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    const status = reply.statusCode;
    routeDeps.metrics.observeHttp(route, request.method, status, reply.elapsedTime / 1000);
    const line = { method: request.method, route, status, ms: Math.round(reply.elapsedTime) };
    if (QUIET_ROUTES.has(route)) request.log.debug(line, "request completed");
    else request.log.info(line, "request completed");
  });

  registerOpenApi(app, {
    // The roles each operation requires, from the access policy (which names `:id` where OpenAPI has `{id}`).
    rolesFor: (method, path) =>
      deps.auth.policy.rolesFor(method, path.replace(/\{([A-Za-z0-9_]+)\}/g, ":$1")),
    ...deps.openapi,
    publicBaseUrl: deps.config.http.publicBaseUrl,
  });

  // The data team's web pages at `/` (src/web/, docs/web.md); the API stays under /v1.
  if (deps.web) {
    registerWeb(app, { ...deps.web, api: routeDeps, auth: deps.auth, apiNotFound: handleNotFound });
  }
  const options = { deps: routeDeps };
  app.register(opsRoutes, options);
  app.register(exportsRoutes, options);
  app.register(eventsRoutes, options);
  app.register(armsRoutes, options);
  app.register(personsRoutes, options);
  app.register(conflictsRoutes, options);
  app.register(deliveriesRoutes, options);
  app.register(deadLettersRoutes, options);
  return app;
}
