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
  /** PGlite data directory; absent = in-memory (nothing kept after the process ends). */
  dataDir: string | null;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  mappingPath: string | null;
  thresholdsPath: string | null;
  xml: {
    maxBytes: number | null;
    maxDepth: number | null;
    maxAttributes: number | null;
    maxTextLength: number | null;
  };
  ords: {
    baseUrl: string | null;
    timeoutMs: number;
    tokenUrl: string | null;
    clientId: string | null;
    clientSecret: string | null;
  };
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

  const ords = {
    baseUrl: url(env, "ORDS_BASE_URL", problems, ["http:", "https:"]),
    timeoutMs: int(env, "ORDS_TIMEOUT_MS", problems, 100, 120_000) ?? 10_000,
    tokenUrl: url(env, "ORDS_TOKEN_URL", problems, ["http:", "https:"]),
    clientId: text(env, "ORDS_CLIENT_ID"),
    clientSecret: text(env, "ORDS_CLIENT_SECRET"),
  };
  if (ords.tokenUrl && (!ords.clientId || !ords.clientSecret)) {
    problems.add("ORDS_CLIENT_ID/ORDS_CLIENT_SECRET", "are required when ORDS_TOKEN_URL is set");
  }

  const config: Config = {
    databaseUrl: url(env, "DATABASE_URL", problems, ["postgres:", "postgresql:"]),
    databaseSchema: schema,
    dataDir: text(env, "BRIDGE_DATA_DIR"),
    logLevel,
    mappingPath: text(env, "MAPPING_PATH"),
    thresholdsPath: text(env, "THRESHOLDS_PATH"),
    xml: {
      maxBytes: int(env, "XML_MAX_BYTES", problems, 1024, Number.MAX_SAFE_INTEGER),
      maxDepth: int(env, "XML_MAX_DEPTH", problems, 4, 1000),
      maxAttributes: int(env, "XML_MAX_ATTRIBUTES", problems, 1, 10_000),
      maxTextLength: int(env, "XML_MAX_TEXT_LENGTH", problems, 64, 1 << 30),
    },
    ords,
  };
  if (problems.list.length > 0) {
    throw new BridgeError("BRIDGE_E_CONFIG_INVALID", problems.list.join("; "), { problems: problems.list });
  }
  return config;
}
