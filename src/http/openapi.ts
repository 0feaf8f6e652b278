/**
 * The API description, as a contract a client can be generated from (OpenAPI 3.1 at /docs/json, the UI at
 * /docs). The route files hold what each route reads and answers when it succeeds; everything else the
 * description says is decided here, in one place:
 * - an `operationId` per route, from one table (OPERATIONS): readable, stable names a generated client's
 *   methods take; a route missing from the table has none, which the tests catch;
 * - the error responses each route can give, from the one registry (src/errors.ts): the table names the
 *   codes a route refuses with, every route can answer 500, every route that needs a token 401 and 403;
 *   each status is the shared `ErrorResponse` schema, described by the codes it carries;
 * - `servers`: PUBLIC_BASE_URL when set, else `/`, which OpenAPI reads as the server the document was
 *   fetched from (right behind a proxy or a published container port, where the listening address is not);
 * - security: the bearer (an HMPPS-Auth-style JWT) is required by every operation except the probes
 *   (`/health`, `/ready`: `security: []`); with the issuer known (AUTH_ISSUER), its OpenID Connect
 *   discovery document is declared too (`oidc`), as the other way to describe the same token;
 * - the roles an operation requires, when the app is given the access policy (`rolesFor`): `x-roles` and a
 *   sentence in the operation's description.
 */
import { STATUS_CODES } from "node:http";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance, FastifySchema, RouteOptions } from "fastify";
import { ERROR_CODES, type ErrorCode } from "../errors.ts";
import { ref } from "./schemas.ts";
import { UNLIMITED_ROUTES } from "./security.ts";

/**
 * The roles that may call an operation, by method and route URL as fastify and the access policy name it
 * (`GET /v1/persons/:id`); undefined when the policy gives none (a public route).
 */
export type RolesFor = (method: string, url: string) => readonly string[] | undefined;

export interface OpenApiOptions {
  /** PUBLIC_BASE_URL: where clients reach the API. Absent: `/`, the server that served the document. */
  publicBaseUrl?: string | null;
  /** AUTH_ISSUER: the OpenID Connect issuer of the bearer tokens. Absent: no `oidc` scheme is declared. */
  authIssuer?: string | null;
  /** The access policy's roles per operation. Absent: the description names no roles. */
  rolesFor?: RolesFor;
}

export interface Operation {
  operationId: string;
  /** Answered without a token: the probes an orchestrator calls. */
  public?: true;
  /** The codes the route itself refuses with; 500 and (unless public) 401 and 403 are added to every route. */
  errors: readonly ErrorCode[];
}

const INVALID = "BRIDGE_E_REQUEST_INVALID";
/** What any route with a body can be refused with before its handler runs. */
const BODY: readonly ErrorCode[] = [INVALID, "BRIDGE_E_PAYLOAD_TOO_LARGE", "BRIDGE_E_UNSUPPORTED_MEDIA_TYPE"];
const STORE = "BRIDGE_E_STORE_UNAVAILABLE";
const QUEUE = "BRIDGE_E_QUEUE_UNAVAILABLE";
const NOT_FOUND = "BRIDGE_E_NOT_FOUND";
/** A page cursor this service did not issue. */
const BAD_CURSOR = "BRIDGE_E_USAGE";

/** Every route, by fastify method and URL. */
export const OPERATIONS: Readonly<Record<string, Operation>> = {
  "GET /health": { operationId: "getHealth", public: true, errors: [] },
  // 503 is the route's own Readiness answer, naming the checks that failed.
  "GET /ready": { operationId: "getReadiness", public: true, errors: [] },
  "GET /metrics": { operationId: "getMetrics", errors: [] },
  "POST /v1/oasys/exports": {
    operationId: "postOasysExport",
    errors: [
      ...BODY,
      "BRIDGE_E_XML_NOT_WELL_FORMED",
      "BRIDGE_E_XML_DOCTYPE_REFUSED",
      "BRIDGE_E_XML_ENTITY_REFUSED",
      "BRIDGE_E_XML_WRONG_ROOT",
      "BRIDGE_E_FILE_UNREADABLE",
      "BRIDGE_E_XML_LIMIT_EXCEEDED",
      "BRIDGE_E_XML_ENCODING_REFUSED",
      STORE,
      QUEUE,
    ],
  },
  "GET /v1/exports/:id": { operationId: "getExport", errors: [INVALID, NOT_FOUND, STORE] },
  "POST /v1/oasys/events": {
    operationId: "postOasysEvent",
    errors: [...BODY, "BRIDGE_E_EVENT_INVALID", STORE, QUEUE],
  },
  // A bad or conflicting document is reported in the 202 answer, by document; the request stands.
  "POST /v1/arms/assessments": { operationId: "postArmsAssessments", errors: [...BODY, STORE, QUEUE] },
  "GET /v1/persons/:id": { operationId: "getPerson", errors: [INVALID, NOT_FOUND, STORE] },
  // 400 also for an identifier that does not read (naming the field); an invisible person is left out.
  "POST /v1/persons/search": { operationId: "searchPersons", errors: [...BODY, STORE] },
  "GET /v1/conflicts": { operationId: "listConflicts", errors: [INVALID, BAD_CURSOR, STORE] },
  "GET /v1/conflicts/:id": { operationId: "getConflict", errors: [INVALID, NOT_FOUND, STORE] },
  // Pushes the decision releases that cannot be queued are left to the outbox sweeper: no 503 for them.
  "POST /v1/conflicts/:id/decisions": {
    operationId: "recordConflictDecision",
    errors: [
      ...BODY,
      NOT_FOUND,
      "BRIDGE_E_CONFLICT_TRANSITION",
      "BRIDGE_E_FOUR_EYES",
      "BRIDGE_E_DECISION_INCOMPLETE",
      STORE,
    ],
  },
  "GET /v1/deliveries": { operationId: "listDeliveries", errors: [INVALID, BAD_CURSOR, STORE] },
  "GET /v1/dead-letters": { operationId: "listDeadLetters", errors: [INVALID, BAD_CURSOR, STORE] },
  // USAGE: a letter that names no job that can be replayed.
  // CONFLICT_TRANSITION: the letter was discarded.
  "POST /v1/dead-letters/:id/replay": {
    operationId: "replayDeadLetter",
    errors: [...BODY, NOT_FOUND, "BRIDGE_E_USAGE", "BRIDGE_E_CONFLICT_TRANSITION", STORE, QUEUE],
  },
  // CONFLICT_TRANSITION: the letter was replayed.
  "POST /v1/dead-letters/:id/discard": {
    operationId: "discardDeadLetter",
    errors: [...BODY, NOT_FOUND, "BRIDGE_E_CONFLICT_TRANSITION", STORE],
  },
};

const ALL_CODES = Object.keys(ERROR_CODES) as ErrorCode[];
const codesWithStatus = (status: number) => ALL_CODES.filter((code) => ERROR_CODES[code].status === status);

/**
 * What any operation that needs a token can answer besides 401 and 403 (the registry's codes with those
 * statuses): the issuer's keys could not be fetched. Named here, taken only once the registry has it.
 */
const AUTH_CODES = ["BRIDGE_E_AUTH_UNAVAILABLE"].filter((code): code is ErrorCode => code in ERROR_CODES);

/** Without a registry code of their own (until authentication adds them), what 401 and 403 mean. */
const AUTH_MEANING: Readonly<Record<number, string>> = {
  401: "no valid bearer token was sent",
  403: "the token's roles do not allow this operation",
};

/** Every code an operation can answer with, grouped by HTTP status (ascending). */
export function errorStatuses(
  operation: Operation,
  /** The route is under the per-client rate limit (src/http/security.ts): it can answer 429. */
  options: { rateLimited?: boolean } = {},
): Map<number, ErrorCode[]> {
  const codes = new Set<ErrorCode>([...operation.errors, "BRIDGE_E_INTERNAL"]);
  const byStatus = new Map<number, ErrorCode[]>();
  if (!operation.public) {
    for (const code of [...codesWithStatus(401), ...codesWithStatus(403), ...AUTH_CODES]) codes.add(code);
    if (options.rateLimited) codes.add("BRIDGE_E_RATE_LIMITED");
    byStatus.set(401, []);
    byStatus.set(403, []);
  }
  for (const code of codes) {
    const status = ERROR_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return new Map([...byStatus].sort(([a], [b]) => a - b));
}

function describeStatus(status: number, codes: readonly ErrorCode[]): string {
  const what =
    codes.length > 0
      ? codes.map((code) => `${code} (${ERROR_CODES[code].message})`).join("; ")
      : (AUTH_MEANING[status] ?? "");
  return `${STATUS_CODES[status] ?? status}: ${what}.`;
}

type DescribedSchema = FastifySchema & {
  operationId?: string;
  description?: string;
  security?: unknown[];
  response?: Record<string, unknown>;
  hide?: boolean;
  "x-roles"?: readonly string[];
};

/** The route's schema with its operation's id, security, roles and error responses added. */
export function describeRoute(
  method: string,
  url: string,
  schema: DescribedSchema | undefined,
  operation: Operation,
  rolesFor: RolesFor | undefined,
): DescribedSchema {
  const response: Record<string, unknown> = {};
  for (const [status, codes] of errorStatuses(operation, { rateLimited: !UNLIMITED_ROUTES.has(url) })) {
    response[String(status)] = { ...ref("ErrorResponse"), description: describeStatus(status, codes) };
  }
  // What the route declares itself wins (`/ready` answers 503 with its Readiness, not an error).
  Object.assign(response, schema?.response);
  const described: DescribedSchema = { ...schema, operationId: operation.operationId, response };
  if (operation.public) {
    described.security = [];
    return described;
  }
  const roles = rolesFor?.(method, url);
  if (roles) {
    described["x-roles"] = roles;
    const sentence = `Roles: ${roles.length > 0 ? `one of ${roles.join(", ")}` : "none may call it"}.`;
    described.description = schema?.description ? `${schema.description}\n\n${sentence}` : sentence;
  }
  return described;
}

/** The OpenID Connect discovery document of an issuer. */
export const discoveryUrl = (issuer: string): string =>
  `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;

/**
 * Registers the description: the onRoute hook (before any route is added), @fastify/swagger with the
 * document-wide parts, and the UI at /docs.
 */
export function registerOpenApi(app: FastifyInstance, options: OpenApiOptions = {}): void {
  app.addHook("onRoute", (route: RouteOptions) => {
    if (typeof route.method !== "string") return;
    const operation = OPERATIONS[`${route.method} ${route.url}`];
    const schema = route.schema as DescribedSchema | undefined;
    if (!operation || schema?.hide) return;
    route.schema = describeRoute(route.method, route.url, schema, operation, options.rolesFor);
  });

  const issuer = options.authIssuer ?? null;
  app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "OASys-ARMS bridge",
        version: "1",
        description:
          "Ingests OASys assessments and ARMS assessments, pre-fills ARMS drafts, flags conflicts between the agencies' risk judgements, and pushes reconciled records to both. Errors: {error: {code, message, requestId}} with codes from the bridge's registry; each operation lists the codes it can answer with.",
        license: { name: "MIT", identifier: "MIT" },
      },
      servers: [
        options.publicBaseUrl
          ? { url: options.publicBaseUrl, description: "This deployment (PUBLIC_BASE_URL)" }
          : { url: "/", description: "The server this document was fetched from" },
      ],
      tags: [
        { name: "oasys", description: "OASys exports and assessment events in (probation)" },
        { name: "arms", description: "Completed ARMS assessments in (police)" },
        { name: "persons", description: "The reconciled view of a person" },
        { name: "conflicts", description: "Conflicting risk judgements and reviewers' decisions" },
        { name: "deliveries", description: "What has been pushed to each agency" },
        { name: "dead letters", description: "Work that failed permanently, and replaying it" },
        { name: "ops", description: "Probes and metrics" },
      ],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: "http",
            scheme: "bearer",
            bearerFormat: "JWT",
            description: "An HMPPS-Auth-style access token (a signed JWT) in `Authorization: Bearer`.",
          },
          ...(issuer
            ? {
                oidc: {
                  type: "openIdConnect",
                  openIdConnectUrl: discoveryUrl(issuer),
                  description: "The token issuer's OpenID Connect discovery document (AUTH_ISSUER).",
                },
              }
            : {}),
        },
      },
      // Either describes the same `Authorization: Bearer` token: the OIDC one says where to get it.
      security: issuer ? [{ bearerAuth: [] }, { oidc: [] }] : [{ bearerAuth: [] }],
    },
    // Paths are the routes' own, whatever path PUBLIC_BASE_URL has.
    stripBasePath: false,
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  app.register(swaggerUi, { routePrefix: "/docs" });
}
