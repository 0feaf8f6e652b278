/**
 * The one registry of error codes. Every error the bridge raises or reports carries one of these codes;
 * HTTP responses, CLI output, record rejections and dead letters all use them. Codes are a contract:
 * add new ones, never rename or reuse one. Messages here are generic and never contain personal data.
 */

export interface ErrorSpec {
  /** HTTP status when the error reaches a client. */
  status: number;
  /** Short, person-free description. */
  message: string;
  /** Permanent errors go to the dead-letter store; transient ones are retried. */
  permanent: boolean;
}

export const ERROR_CODES = {
  // Configuration and usage
  BRIDGE_E_CONFIG_INVALID: { status: 500, message: "configuration is invalid", permanent: true },
  BRIDGE_E_USAGE: { status: 400, message: "command used incorrectly", permanent: true },
  // XML ingest: whole-file faults
  BRIDGE_E_XML_NOT_WELL_FORMED: { status: 400, message: "the file is not well-formed XML", permanent: true },
  BRIDGE_E_XML_DOCTYPE_REFUSED: {
    status: 400,
    message: "DOCTYPE and entity declarations are refused",
    permanent: true,
  },
  BRIDGE_E_XML_ENTITY_REFUSED: { status: 400, message: "entity references are refused", permanent: true },
  BRIDGE_E_XML_LIMIT_EXCEEDED: {
    status: 413,
    message: "an XML size or shape limit was exceeded",
    permanent: true,
  },
  BRIDGE_E_XML_WRONG_ROOT: {
    status: 400,
    message: "the root element is not an OASys export (urn:hmpps:oasys:export:1)",
    permanent: true,
  },
  BRIDGE_E_XML_ENCODING_REFUSED: {
    status: 415,
    message: "only UTF-8 encoded XML is accepted",
    permanent: true,
  },
  BRIDGE_E_FILE_UNREADABLE: { status: 400, message: "the file could not be read", permanent: true },
  // Record-level rejections (one assessment refused, the others go on)
  BRIDGE_E_RECORD_INVALID: { status: 422, message: "the assessment record is invalid", permanent: true },
  BRIDGE_E_RECORD_MISSING_FIELD: { status: 422, message: "a required field is missing", permanent: true },
  BRIDGE_E_RECORD_BAD_VALUE: {
    status: 422,
    message: "a field has a value that is not allowed",
    permanent: true,
  },
  BRIDGE_E_RECORD_SCHEMA: {
    status: 422,
    message: "the record does not satisfy the canonical schema",
    permanent: true,
  },
  // OASys REST pull
  BRIDGE_E_ORDS_NOT_FOUND: { status: 404, message: "OASys has no such assessment", permanent: true },
  BRIDGE_E_ORDS_UNAVAILABLE: { status: 503, message: "OASys did not answer in time", permanent: false },
  BRIDGE_E_ORDS_BAD_RESPONSE: {
    status: 502,
    message: "OASys answered with something unexpected",
    permanent: true,
  },
  BRIDGE_E_ORDS_AUTH: { status: 502, message: "OASys refused the bridge's credentials", permanent: true },
  BRIDGE_E_ORDS_PK_MISMATCH: {
    status: 502,
    message: "OASys answered about a different assessment than the one asked for",
    permanent: true,
  },
  // Outbound HTTP (shared by the ORDS pull and the agency pushes)
  BRIDGE_E_HTTP_TIMEOUT: {
    status: 504,
    message: "the remote service did not answer in time",
    permanent: false,
  },
  BRIDGE_E_HTTP_UNREACHABLE: {
    status: 503,
    message: "the remote service could not be reached",
    permanent: false,
  },
  BRIDGE_E_HTTP_UNAVAILABLE: {
    status: 503,
    message: "the remote service answered with a retryable status (408, 429 or 5xx)",
    permanent: false,
  },
  BRIDGE_E_HTTP_REFUSED: {
    status: 502,
    message: "the remote service refused the request (4xx)",
    permanent: true,
  },
  BRIDGE_E_HTTP_BAD_BODY: {
    status: 502,
    message: "the remote service answered with a body that could not be read",
    permanent: true,
  },
  BRIDGE_E_AUTH_TOKEN_REFUSED: {
    status: 502,
    message: "the token endpoint refused the bridge's client credentials",
    permanent: true,
  },
  // Mapping and ARMS interchange
  BRIDGE_E_MAPPING_INVALID: { status: 500, message: "the mapping file is invalid", permanent: true },
  BRIDGE_E_MAPPING_REFUSED: {
    status: 422,
    message: "the assessment cannot be mapped to an ARMS draft",
    permanent: true,
  },
  BRIDGE_E_ARMS_INVALID: {
    status: 422,
    message: "the ARMS interchange document is invalid",
    permanent: true,
  },
  BRIDGE_E_ARMS_STALE_REVISION: {
    status: 409,
    message: "a newer revision of this ARMS assessment is already held",
    permanent: true,
  },
  BRIDGE_E_ARMS_REVISION_CONFLICT: {
    status: 409,
    message: "this revision of the ARMS assessment is already held with different content",
    permanent: true,
  },
  BRIDGE_E_ARMS_NOT_JSON: {
    status: 400,
    message: "the ARMS input is not JSON, a JSON array or NDJSON",
    permanent: true,
  },
  BRIDGE_E_ARMS_LIMIT_EXCEEDED: {
    status: 413,
    message: "the ARMS input exceeds a size limit",
    permanent: true,
  },
  BRIDGE_E_THRESHOLDS_INVALID: {
    status: 500,
    message: "the conflict thresholds file is invalid",
    permanent: true,
  },
  BRIDGE_E_RETENTION_INVALID: {
    status: 500,
    message: "the retention periods file is invalid",
    permanent: true,
  },
  // Store
  BRIDGE_E_STORE_UNAVAILABLE: { status: 503, message: "the database is unavailable", permanent: false },
  BRIDGE_E_STORE_MIGRATION: { status: 500, message: "a database migration failed", permanent: true },
  BRIDGE_E_NOT_FOUND: { status: 404, message: "no such resource", permanent: true },
  BRIDGE_E_CONFLICT_TRANSITION: {
    status: 409,
    message: "that decision is not allowed in the conflict's current state",
    permanent: true,
  },
  BRIDGE_E_FOUR_EYES: {
    status: 409,
    message: "a BLOCK conflict needs a second, different reviewer",
    permanent: true,
  },
  BRIDGE_E_DECISION_INCOMPLETE: {
    status: 422,
    message: "a conflict decision needs a reviewer, a rationale and (to resolve) the decision taken",
    permanent: true,
  },
  // HTTP API (requests from clients)
  BRIDGE_E_REQUEST_INVALID: {
    status: 400,
    message: "the request does not satisfy the API's schema",
    permanent: true,
  },
  BRIDGE_E_PAYLOAD_TOO_LARGE: { status: 413, message: "the request body is too large", permanent: true },
  BRIDGE_E_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: "the request's content type is not accepted here",
    permanent: true,
  },
  BRIDGE_E_EVENT_INVALID: {
    status: 422,
    message: "the domain event does not name an OASys assessment the bridge can pull",
    permanent: true,
  },
  BRIDGE_E_QUEUE_UNAVAILABLE: {
    status: 503,
    message: "the work queue is unavailable; try again later",
    permanent: false,
  },
  BRIDGE_E_RATE_LIMITED: {
    status: 429,
    message: "too many requests from this client; try again after the time in Retry-After",
    permanent: false,
  },
  // Sign-in: bearer tokens and the access policy (src/auth/)
  BRIDGE_E_UNAUTHENTICATED: {
    status: 401,
    message: "a valid bearer token is required",
    permanent: true,
  },
  BRIDGE_E_FORBIDDEN: {
    status: 403,
    message: "the caller's roles do not allow this operation",
    permanent: true,
  },
  BRIDGE_E_AUTH_UNAVAILABLE: {
    status: 503,
    message: "the token issuer's keys could not be fetched; try again later",
    permanent: false,
  },
  BRIDGE_E_ACCESS_POLICY_INVALID: {
    status: 500,
    message: "the access policy file is invalid",
    permanent: true,
  },
  // Jobs that ended failed without their processor saying why (dead letters only)
  BRIDGE_E_JOB_STALLED: {
    status: 500,
    message: "the job stalled more than allowed: its worker stopped mid-job each time",
    permanent: true,
  },
  BRIDGE_E_JOB_FAILED: { status: 500, message: "the job failed outside its processor", permanent: true },
  BRIDGE_E_INTERNAL: { status: 500, message: "internal error", permanent: false },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The one error class: a registry code, a person-free detail, optional structured context. */
export class BridgeError extends Error {
  readonly code: ErrorCode;
  readonly detail: string;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    detail?: string,
    context: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(detail ? `${ERROR_CODES[code].message}: ${detail}` : ERROR_CODES[code].message, options);
    this.name = "BridgeError";
    this.code = code;
    this.detail = detail ?? ERROR_CODES[code].message;
    this.context = context;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  get permanent(): boolean {
    return ERROR_CODES[this.code].permanent;
  }
}

export const isBridgeError = (e: unknown): e is BridgeError => e instanceof BridgeError;
