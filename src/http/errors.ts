/**
 * One error shape for every failure the API reports:
 *
 *   { "error": { "code": "BRIDGE_E_...", "message": "...", "requestId": "..." } }
 *
 * plus, on a 409 about a conflict's lifecycle, `validActions`: what the conflict's state allows now.
 * with the HTTP status from the registry (src/errors.ts). Fastify's own errors (schema validation, body
 * too large, unknown content type, malformed JSON, unknown route) are mapped onto registry codes. The
 * message is the registry's generic message plus, for errors we raise, our person-free detail; for
 * schema validation, where in the request it failed (`body/assessments/0 must be object`), which names
 * fields, never their values. Anything unexpected is a 500 BRIDGE_E_INTERNAL whose detail stays in the log.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { quoteName } from "../core/personal-fields.ts";
import { BridgeError, ERROR_CODES, type ErrorCode, isBridgeError } from "../errors.ts";

export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId: string; validActions?: string[] };
}

export const errorBody = (
  code: ErrorCode,
  message: string,
  requestId: string,
  extra: { validActions?: string[] } = {},
): ErrorBody => ({
  error: { code, message, requestId, ...extra },
});

/** What an error adds to the body: the actions still valid, when a lifecycle refusal names them. */
function extraOf(error: unknown): { validActions?: string[] } {
  if (!isBridgeError(error)) return {};
  const actions = error.context.validActions;
  return Array.isArray(actions) && actions.every((a) => typeof a === "string")
    ? { validActions: actions }
    : {};
}

interface ValidationIssue {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
  keyword?: string;
}

/** Fastify error codes that are the client's fault, and the registry code each becomes. */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "BRIDGE_E_PAYLOAD_TOO_LARGE",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "BRIDGE_E_UNSUPPORTED_MEDIA_TYPE",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "BRIDGE_E_REQUEST_INVALID",
  FST_ERR_CTP_EMPTY_JSON_BODY: "BRIDGE_E_REQUEST_INVALID",
  FST_ERR_CTP_INVALID_JSON_BODY: "BRIDGE_E_REQUEST_INVALID",
  FST_ERR_CTP_EMPTY_TYPE: "BRIDGE_E_UNSUPPORTED_MEDIA_TYPE",
  FST_ERR_CTP_INVALID_TYPE: "BRIDGE_E_UNSUPPORTED_MEDIA_TYPE",
  FST_ERR_VALIDATION: "BRIDGE_E_REQUEST_INVALID",
};

/**
 * `body/assessments/0 must be object (additional property: foo)`: where and what, never a value. An
 * unexpected property's name is input too: shown only when short and plain (`quoteName`).
 */
export function describeValidation(context: string | undefined, issues: readonly ValidationIssue[]): string {
  const first = issues[0];
  if (!first) return `${context ?? "request"} is invalid`;
  const where = `${context ?? "request"}${first.instancePath ?? ""}`;
  const extra =
    first.keyword === "additionalProperties"
      ? ` (${quoteName(first.instancePath ?? "", String(first.params?.additionalProperty))})`
      : first.keyword === "required"
        ? ""
        : "";
  return `${where} ${first.message ?? "is invalid"}${extra}`;
}

export interface Classified {
  code: ErrorCode;
  /** Safe to send: the registry message, plus a person-free detail. */
  message: string;
  /** True when the fault is ours, not the client's: logged at error level with the cause. */
  internal: boolean;
}

export function classifyError(error: unknown): Classified {
  if (isBridgeError(error)) {
    const internal = ERROR_CODES[error.code].status >= 500 && error.code !== "BRIDGE_E_QUEUE_UNAVAILABLE";
    return {
      code: error.code,
      message: error.code === "BRIDGE_E_INTERNAL" ? ERROR_CODES.BRIDGE_E_INTERNAL.message : error.message,
      internal,
    };
  }
  const fastifyError = error as Partial<FastifyError> & { validation?: ValidationIssue[] };
  if (fastifyError.validation) {
    return {
      code: "BRIDGE_E_REQUEST_INVALID",
      message: `${ERROR_CODES.BRIDGE_E_REQUEST_INVALID.message}: ${describeValidation(
        fastifyError.validationContext,
        fastifyError.validation,
      )}`,
      internal: false,
    };
  }
  const mapped = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (mapped) return { code: mapped, message: ERROR_CODES[mapped].message, internal: false };
  return { code: "BRIDGE_E_INTERNAL", message: ERROR_CODES.BRIDGE_E_INTERNAL.message, internal: true };
}

/**
 * What of an unexpected error goes to the log: its type, code, message and stack. Not its other fields:
 * a driver error's `detail` can quote the row's values (`Key (crn)=(...)`), which are personal data.
 */
export function loggableError(error: unknown): Record<string, unknown> {
  if (error instanceof BridgeError) return { type: error.name, code: error.code, context: error.context };
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      type: error.name,
      code: typeof code === "string" ? code : undefined,
      message: error.message,
      stack: error.stack,
    };
  }
  return { type: typeof error };
}

/** Fastify error handler: classify, log (ids and codes only), answer in the one shape. */
export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const classified = classifyError(error);
  if (classified.internal) {
    request.log.error(
      {
        code: classified.code,
        err: loggableError(error),
      },
      "request failed",
    );
  } else {
    request.log.info({ code: classified.code }, "request refused");
  }
  return reply
    .code(ERROR_CODES[classified.code].status)
    .type("application/json")
    .send(errorBody(classified.code, classified.message, request.id, extraOf(error)));
}

/** Unknown route: 404 in the one shape. */
export function handleNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply
    .code(404)
    .type("application/json")
    .send(errorBody("BRIDGE_E_NOT_FOUND", ERROR_CODES.BRIDGE_E_NOT_FOUND.message, request.id));
}

/** Throws the registry's not-found error for a resource that is not held. */
export function notFound(what: string): never {
  throw new BridgeError("BRIDGE_E_NOT_FOUND", `no such ${what}`);
}
