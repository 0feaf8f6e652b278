/**
 * Configuration, read from the environment once at start-up and validated as a whole: every problem is
 * reported together, naming the variable (never echoing a secret's value). Nothing else reads
 * `process.env`; adapters receive the parts they need.
 */
import { BridgeError } from "./errors.ts";

export interface Config {
  /** PostgreSQL connection; absent = the embedded PGlite store. */
  databaseUrl: string | null;
  /** Schema the bridge's tables live in (isolates tests and tenants). */
  databaseSchema: string;
  /** PostgreSQL connections per process; absent = sized to the process's work (see `dbPoolSize`). */
  databasePoolSize: number | null;
  /** PGlite data directory; absent = in-memory (nothing kept after the process ends). */
  dataDir: string | null;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  mappingPath: string | null;
  thresholdsPath: string | null;
  /**
   * Retention (mappings/retention.yaml): RETENTION_PATH, the periods file (default: the bundled one);
   * RETENTION_INTERVAL_MS, how often the worker runs the erasure job (unset: never, the default, so that
   * nothing is erased before the periods are confirmed; `bridge retention run` runs it by hand).
   */
  retention: { path: string | null; intervalMs: number | null };
  xml: {
    maxBytes: number | null;
    maxDepth: number | null;
    maxAttributes: number | null;
    maxTextLength: number | null;
  };
  ords: AgencyEndpoint;
  /** Police (ARMS) push endpoint: `POST {baseUrl}/arms/v1/prefilled-assessments`. */
  arms: AgencyEndpoint;
  /** Probation (OASys) push endpoint: `POST {baseUrl}/oasys/v1/partner-risk-updates`. */
  oasys: AgencyEndpoint;
  redisUrl: string;
  /** BullMQ key prefix: isolates deployments and test runs on one Redis. */
  queuePrefix: string;
  /**
   * How long the API (and `bridge dlq`) waits on Redis before answering 503: to connect
   * (REDIS_CONNECT_TIMEOUT_MS) and for a command's reply (REDIS_COMMAND_TIMEOUT_MS). Workers wait on.
   */
  redis: { connectTimeoutMs: number; commandTimeoutMs: number };
  /** SHUTDOWN_GRACE_MS: from SIGTERM to the end of `bridge serve` / `bridge worker`, whatever is down. */
  shutdownGraceMs: number;
  /** What one client may ask of the API (src/http/security.ts, the ARMS route). */
  limits: Limits;
  http: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    /** PUBLIC_BASE_URL: where clients reach the API (the OpenAPI `servers`); absent: the serving host. */
    publicBaseUrl: string | null;
  };
  worker: {
    concurrency: number;
    pushAttempts: number;
    /** How often the recovery sweep runs (it also runs at start-up). */
    sweepIntervalMs: number;
    /** Unfinished work younger than this is left to its job; older work without a job is queued again. */
    sweepGraceMs: number;
  };
  /**
   * BRIDGE_ENV. `production`: the API starts only with AUTH_ISSUER and AUTH_JWKS_URL set (https), never
   * with a default. `development` (default): AUTH_JWKS_URL may be left to default; still never an open API.
   */
  environment: "production" | "development";
  /** Bearer tokens the API accepts (src/auth/verify.ts) and who may call what (the access policy). */
  auth: AuthConfig;
  /** The data team's web pages (src/web/): their OpenID Connect client at AUTH_ISSUER and sessions. */
  web: WebConfig;
}

export interface WebConfig {
  /**
   * WEB_CLIENT_ID and WEB_CLIENT_SECRET: the web's confidential client (authorization code + PKCE). Unset
   * (development only): the bundled identity provider's seeded `bridge-web` client (src/web/settings.ts).
   */
  clientId: string | null;
  clientSecret: string | null;
  /**
   * WEB_SESSION_SECRET (at least 32 characters): keys the stored hashes of session ids and signs the
   * sign-in cookie. Unset (development only): a random one per process (sessions end with the process).
   */
  sessionSecret: string | null;
  /** WEB_SESSION_IDLE_S (default 1800): a session ends after this long without a request. */
  sessionIdleS: number;
  /** WEB_SESSION_MAX_S (default 28800, 8 hours): and this long after signing in, whatever happens. */
  sessionMaxS: number;
}

export interface AuthConfig {
  /** AUTH_ISSUER: the OpenID Connect issuer every token's `iss` must equal. */
  issuer: string | null;
  /** AUTH_JWKS_URL: the issuer's signing keys. Absent (development only): `${issuer}/jwks`. */
  jwksUrl: string | null;
  /** AUTH_AUDIENCE: what every token's `aud` must contain (default `oasys-arms-bridge`). */
  audience: string;
  /** AUTH_CLOCK_SKEW_S: leeway on `exp` and `nbf`, seconds (default 30). */
  clockSkewS: number;
  /** ACCESS_POLICY_PATH: the access policy file (default `mappings/access-policy.yaml`). */
  policyPath: string | null;
}

export interface Limits {
  /** RATE_LIMIT_MAX requests per RATE_LIMIT_WINDOW_MS from one client (its token's client, else its IP). */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** HTTP_ARMS_BODY_LIMIT_BYTES: a POST /v1/arms/assessments body (up to 10,000 documents). */
  armsBodyLimitBytes: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = {
  rateLimitMax: 1_200,
  rateLimitWindowMs: 60_000,
  armsBodyLimitBytes: 32 * 1024 * 1024,
};

/** An agency's base URL with its OAuth2 client-credentials settings (token cached and refreshed). */
export interface AgencyEndpoint {
  baseUrl: string | null;
  timeoutMs: number;
  tokenUrl: string | null;
  clientId: string | null;
  clientSecret: string | null;
}

type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

class Problems {
  readonly list: string[] = [];
  add(name: string, why: string) {
    this.list.push(`${name} ${why}`);
  }
}

function text(env: Env, name: string): string | null {
  const v = env[name]?.trim();
  return v ? v : null;
}

function int(env: Env, name: string, problems: Problems, min: number, max: number): number | null {
  const v = text(env, name);
  if (v === null) return null;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    problems.add(name, `must be a whole number from ${min} to ${max}`);
    return null;
  }
  return Number(v);
}

function url(env: Env, name: string, problems: Problems, protocols: string[]): string | null {
  const v = text(env, name);
  if (v === null) return null;
  try {
    const u = new URL(v);
    if (!protocols.includes(u.protocol)) problems.add(name, `must use ${protocols.join(" or ")}`);
  } catch {
    problems.add(name, "is not a valid URL");
  }
  return v;
}

/** Parse and validate the configuration; throws one BridgeError listing every problem. */
export function loadConfig(env: Env = process.env): Config {
  const problems = new Problems();
  const schema = text(env, "DB_SCHEMA") ?? "bridge";
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    problems.add("DB_SCHEMA", "must be a lower-case SQL identifier");
  const logLevel = (text(env, "LOG_LEVEL") ?? "info") as Config["logLevel"];
  if (!LOG_LEVELS.includes(logLevel)) problems.add("LOG_LEVEL", `must be one of ${LOG_LEVELS.join(", ")}`);

  const agency = (prefix: string): AgencyEndpoint => {
    const endpoint = {
      baseUrl: url(env, `${prefix}_BASE_URL`, problems, ["http:", "https:"]),
      timeoutMs: int(env, `${prefix}_TIMEOUT_MS`, problems, 100, 120_000) ?? 10_000,
      tokenUrl: url(env, `${prefix}_TOKEN_URL`, problems, ["http:", "https:"]),
      clientId: text(env, `${prefix}_CLIENT_ID`),
      clientSecret: text(env, `${prefix}_CLIENT_SECRET`),
    };
    if (endpoint.tokenUrl && (!endpoint.clientId || !endpoint.clientSecret)) {
      problems.add(
        `${prefix}_CLIENT_ID/${prefix}_CLIENT_SECRET`,
        `are required when ${prefix}_TOKEN_URL is set`,
      );
    }
    return endpoint;
  };
  const ords = agency("ORDS");
  const queuePrefix = text(env, "QUEUE_PREFIX") ?? "bridge";
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(queuePrefix))
    problems.add("QUEUE_PREFIX", "must be 1-64 letters, digits, _ . or -");

  const environment = (text(env, "BRIDGE_ENV") ?? "development") as Config["environment"];
  if (environment !== "production" && environment !== "development")
    problems.add("BRIDGE_ENV", "must be production or development");
  const auth: AuthConfig = {
    issuer: url(env, "AUTH_ISSUER", problems, ["http:", "https:"])?.replace(/\/+$/, "") ?? null,
    jwksUrl: url(env, "AUTH_JWKS_URL", problems, ["http:", "https:"]),
    audience: text(env, "AUTH_AUDIENCE") ?? "oasys-arms-bridge",
    clockSkewS: int(env, "AUTH_CLOCK_SKEW_S", problems, 0, 300) ?? 30,
    policyPath: text(env, "ACCESS_POLICY_PATH"),
  };
  if (environment === "production") {
    for (const [name, value] of [
      ["AUTH_ISSUER", auth.issuer],
      ["AUTH_JWKS_URL", auth.jwksUrl],
    ] as const) {
      if (!value) problems.add(name, "is required when BRIDGE_ENV=production");
      else if (!value.startsWith("https:")) problems.add(name, "must use https: when BRIDGE_ENV=production");
    }
  }

  const web: WebConfig = {
    clientId: text(env, "WEB_CLIENT_ID"),
    clientSecret: text(env, "WEB_CLIENT_SECRET"),
    sessionSecret: text(env, "WEB_SESSION_SECRET"),
    sessionIdleS: int(env, "WEB_SESSION_IDLE_S", problems, 60, 86_400) ?? 1_800,
    sessionMaxS: int(env, "WEB_SESSION_MAX_S", problems, 300, 7 * 86_400) ?? 28_800,
  };
  if (web.sessionSecret !== null && web.sessionSecret.length < 32) {
    problems.add("WEB_SESSION_SECRET", "must be at least 32 characters");
  }
  if (web.sessionIdleS > web.sessionMaxS)
    problems.add("WEB_SESSION_IDLE_S", "must not exceed WEB_SESSION_MAX_S");
  if (environment === "production") {
    for (const name of ["WEB_CLIENT_ID", "WEB_CLIENT_SECRET", "WEB_SESSION_SECRET"]) {
      if (!text(env, name)) problems.add(name, "is required when BRIDGE_ENV=production");
    }
    // The web's redirect URI and secure cookies: where people reach the service, over TLS.
    const base = text(env, "PUBLIC_BASE_URL");
    if (!base) problems.add("PUBLIC_BASE_URL", "is required when BRIDGE_ENV=production");
    else if (!base.startsWith("https:"))
      problems.add("PUBLIC_BASE_URL", "must use https: when BRIDGE_ENV=production");
  }

  const sweepInterval = int(env, "RECOVERY_SWEEP_INTERVAL_MS", problems, 100, 3_600_000);
  // The older name, from when the sweep covered the outbox alone; RECOVERY_SWEEP_INTERVAL_MS wins.
  const outboxSweepInterval = int(env, "OUTBOX_SWEEP_INTERVAL_MS", problems, 100, 3_600_000);

  const config: Config = {
    databaseUrl: url(env, "DATABASE_URL", problems, ["postgres:", "postgresql:"]),
    databaseSchema: schema,
    databasePoolSize: int(env, "DB_POOL_SIZE", problems, 1, 500),
    dataDir: text(env, "BRIDGE_DATA_DIR"),
    logLevel,
    mappingPath: text(env, "MAPPING_PATH"),
    thresholdsPath: text(env, "THRESHOLDS_PATH"),
    retention: {
      path: text(env, "RETENTION_PATH"),
      intervalMs: int(env, "RETENTION_INTERVAL_MS", problems, 60_000, 31 * 86_400_000),
    },
    xml: {
      maxBytes: int(env, "XML_MAX_BYTES", problems, 1024, Number.MAX_SAFE_INTEGER),
      maxDepth: int(env, "XML_MAX_DEPTH", problems, 4, 1000),
      maxAttributes: int(env, "XML_MAX_ATTRIBUTES", problems, 1, 10_000),
      maxTextLength: int(env, "XML_MAX_TEXT_LENGTH", problems, 64, 1 << 30),
    },
    ords,
    arms: agency("ARMS"),
    oasys: agency("OASYS"),
    redisUrl: url(env, "REDIS_URL", problems, ["redis:", "rediss:"]) ?? "redis://127.0.0.1:6379",
    queuePrefix,
    redis: {
      connectTimeoutMs: int(env, "REDIS_CONNECT_TIMEOUT_MS", problems, 100, 60_000) ?? 3_000,
      commandTimeoutMs: int(env, "REDIS_COMMAND_TIMEOUT_MS", problems, 100, 60_000) ?? 3_000,
    },
    shutdownGraceMs: int(env, "SHUTDOWN_GRACE_MS", problems, 1_000, 600_000) ?? 25_000,
    limits: {
      rateLimitMax: int(env, "RATE_LIMIT_MAX", problems, 1, 1_000_000) ?? DEFAULT_LIMITS.rateLimitMax,
      rateLimitWindowMs:
        int(env, "RATE_LIMIT_WINDOW_MS", problems, 1_000, 86_400_000) ?? DEFAULT_LIMITS.rateLimitWindowMs,
      armsBodyLimitBytes:
        int(env, "HTTP_ARMS_BODY_LIMIT_BYTES", problems, 1024, 2 ** 31) ?? DEFAULT_LIMITS.armsBodyLimitBytes,
    },
    http: {
      host: text(env, "HTTP_HOST") ?? "127.0.0.1",
      port: int(env, "HTTP_PORT", problems, 0, 65_535) ?? 8080,
      bodyLimitBytes: int(env, "HTTP_BODY_LIMIT_BYTES", problems, 1024, 2 ** 31) ?? 256 * 1024 * 1024,
      publicBaseUrl: url(env, "PUBLIC_BASE_URL", problems, ["http:", "https:"])?.replace(/\/+$/, "") ?? null,
    },
    worker: {
      concurrency: int(env, "WORKER_CONCURRENCY", problems, 1, 256) ?? 4,
      pushAttempts: int(env, "PUSH_ATTEMPTS", problems, 1, 100) ?? 10,
      sweepIntervalMs: sweepInterval ?? outboxSweepInterval ?? 5_000,
      sweepGraceMs: int(env, "RECOVERY_SWEEP_GRACE_MS", problems, 0, 3_600_000) ?? 30_000,
    },
    environment,
    auth,
    web,
  };
  if (problems.list.length > 0) {
    throw new BridgeError("BRIDGE_E_CONFIG_INVALID", problems.list.join("; "), { problems: problems.list });
  }
  return config;
}

/** The resolved settings the API verifies bearer tokens with. */
export interface ApiAuth {
  issuer: string;
  jwksUrl: string;
  audience: string;
  clockSkewS: number;
  policyPath: string | null;
}

/**
 * What `bridge serve` verifies tokens with, or the one line saying why it cannot start: the API never runs
 * without verifying tokens. Production needs both AUTH_ISSUER and AUTH_JWKS_URL (`loadConfig` refuses
 * otherwise); in development AUTH_JWKS_URL defaults to `${AUTH_ISSUER}/jwks`, where the bundled identity
 * provider (`bridge idp`, oidc-provider's default path) serves its keys.
 */
export function apiAuth(config: Pick<Config, "auth" | "environment">): ApiAuth {
  const { issuer, jwksUrl } = config.auth;
  if (!issuer || (config.environment === "production" && !jwksUrl)) {
    throw new BridgeError(
      "BRIDGE_E_CONFIG_INVALID",
      config.environment === "production"
        ? "AUTH_ISSUER and AUTH_JWKS_URL must be set when BRIDGE_ENV=production"
        : "AUTH_ISSUER is not set, and the API never runs without verifying tokens: run `bridge idp` (or `bridge simulate`) and set AUTH_ISSUER to the issuer it prints",
      { variable: "AUTH_ISSUER" },
    );
  }
  return {
    issuer,
    jwksUrl: jwksUrl ?? `${issuer}/jwks`,
    audience: config.auth.audience,
    clockSkewS: config.auth.clockSkewS,
    policyPath: config.auth.policyPath,
  };
}
