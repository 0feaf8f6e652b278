/**
 * Switchable faults for the agency simulators (contract §5): added latency, 5xx, 429 with Retry-After,
 * time-outs (the request is never answered) and connection resets. Set at start-up from a compact spec
 * (`bridge simulate --faults "5xx=0.2,429=0.1,retry-after=1,latency=20~30"`) and changed at run time with
 * `POST /__faults` (JSON, same names). Pure apart from the PRNG state it owns.
 *
 * Determinism: rate decisions come from a seeded PRNG (mulberry32), drawn in the order requests arrive,
 * so a seed replays the same sequence of decisions for the same sequence of requests. One-shot faults
 * (`next`) are taken first-in first-out by the next requests in scope, whatever the rates say, for tests
 * that need exactly one reset or exactly one 429.
 */

/**
 * What a simulator can be asked to do to one request: answer 5xx; answer 429 with `Retry-After`; never
 * answer (`timeout`); reset the connection before doing anything (`reset`); or do the work and record it,
 * then reset the connection instead of answering (`lost`: the answer is lost on the way back).
 */
export type FaultKind = "5xx" | "429" | "timeout" | "reset" | "lost";

/** The agency paths faults can apply to. The control paths (`/__*`) are never faulted. */
export type FaultTarget = "arms" | "oasys" | "ords" | "token";

export const FAULT_KINDS: readonly FaultKind[] = ["5xx", "429", "timeout", "reset", "lost"];
export const FAULT_TARGETS: readonly FaultTarget[] = ["arms", "oasys", "ords", "token"];

export interface FaultSettings {
  /** Added to every answer in scope, in ms. */
  latencyMs: number;
  /** Plus a uniform random 0..jitterMs. */
  jitterMs: number;
  /** Probability (0..1) of each fault per request in scope; checked in the order reset, lost, timeout, 429, 5xx. */
  rates: Record<FaultKind, number>;
  /** Status sent for a 5xx fault. */
  errorStatus: number;
  /** `Retry-After` seconds sent with a 429. */
  retryAfterS: number;
  /** Paths the faults apply to. */
  scope: FaultTarget[];
  /** One-shot faults for the next requests in scope, taken in order. */
  next: FaultKind[];
}

export const NO_FAULTS: FaultSettings = {
  latencyMs: 0,
  jitterMs: 0,
  rates: { "5xx": 0, "429": 0, timeout: 0, reset: 0, lost: 0 },
  errorStatus: 503,
  retryAfterS: 1,
  scope: ["arms", "oasys", "ords"],
  next: [],
};

/** A fault setting that could not be read: names the field and why. */
export class FaultSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FaultSpecError";
  }
}

/** A decision for one request: how long to wait first, then what to do. */
export interface FaultDecision {
  delayMs: number;
  fault: FaultKind | null;
}

/** mulberry32: small, fast, good enough for test traffic; never for anything secret. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEY_TO_KIND: Record<string, FaultKind> = {
  "5xx": "5xx",
  "429": "429",
  timeout: "timeout",
  reset: "reset",
  lost: "lost",
};

function rate(name: string, value: unknown): number {
  const n = typeof value === "string" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new FaultSpecError(`${name} must be a rate from 0 to 1`);
  }
  return n;
}

function whole(name: string, value: unknown, min: number, max: number): number {
  const n = typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
    throw new FaultSpecError(`${name} must be a whole number from ${min} to ${max}`);
  }
  return n;
}

function kinds(name: string, value: unknown): FaultKind[] {
  const list = typeof value === "string" ? value.split("+").filter((s) => s !== "") : value;
  if (!Array.isArray(list)) throw new FaultSpecError(`${name} must be a list of ${FAULT_KINDS.join(", ")}`);
  return list.map((k) => {
    if (typeof k !== "string" || !(k in KEY_TO_KIND)) {
      throw new FaultSpecError(`${name}: '${String(k)}' is not one of ${FAULT_KINDS.join(", ")}`);
    }
    return KEY_TO_KIND[k] as FaultKind;
  });
}

function targets(value: unknown): FaultTarget[] {
  const list = typeof value === "string" ? value.split("+").filter((s) => s !== "") : value;
  if (!Array.isArray(list) || list.length === 0) {
    throw new FaultSpecError(`scope must list some of ${FAULT_TARGETS.join(", ")}`);
  }
  return list.map((t) => {
    if (typeof t !== "string" || !FAULT_TARGETS.includes(t as FaultTarget)) {
      throw new FaultSpecError(`scope: '${String(t)}' is not one of ${FAULT_TARGETS.join(", ")}`);
    }
    return t as FaultTarget;
  });
}

/** `latency=50` or `latency=50~20` (50 ms plus up to 20 ms jitter); JSON may also give `jitter`. */
function latency(value: unknown): { latencyMs: number; jitterMs?: number } {
  if (typeof value === "string" && value.includes("~")) {
    const [fixed, jitter] = value.split("~");
    return { latencyMs: whole("latency", fixed, 0, 600_000), jitterMs: whole("jitter", jitter, 0, 600_000) };
  }
  return { latencyMs: whole("latency", value, 0, 600_000) };
}

/**
 * Applies changes to fault settings. Keys (spec and JSON alike): `latency`, `jitter`, `5xx`, `429`,
 * `timeout`, `reset`, `lost` (rates 0..1), `status` (the 5xx status), `retry-after` (seconds), `scope`
 * (`arms+oasys` or a JSON array), `next` (`reset+429` or a JSON array), and `clear` (true: back to no
 * faults before the other keys apply). Unknown keys are refused, so a typo never silently does nothing.
 */
export function applyFaultChanges(current: FaultSettings, changes: Record<string, unknown>): FaultSettings {
  let next: FaultSettings =
    changes.clear === true || changes.clear === "true"
      ? structuredClone(NO_FAULTS)
      : structuredClone(current);
  for (const [key, value] of Object.entries(changes)) {
    switch (key) {
      case "clear":
        break;
      case "latency":
        next = { ...next, ...latency(value) };
        break;
      case "jitter":
        next.jitterMs = whole("jitter", value, 0, 600_000);
        break;
      case "5xx":
      case "429":
      case "timeout":
      case "reset":
      case "lost":
        next.rates[KEY_TO_KIND[key] as FaultKind] = rate(key, value);
        break;
      case "status":
        next.errorStatus = whole("status", value, 500, 599);
        break;
      case "retry-after":
        next.retryAfterS = whole("retry-after", value, 0, 86_400);
        break;
      case "scope":
        next.scope = targets(value);
        break;
      case "next":
        next.next = [...next.next, ...kinds("next", value)];
        break;
      default:
        throw new FaultSpecError(`unknown fault setting '${key}'`);
    }
  }
  return next;
}

/** Parses the CLI spec `key=value,key=value` into the changes `applyFaultChanges` takes. */
export function parseFaultSpec(spec: string): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const part of spec.split(",").map((p) => p.trim())) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    if (eq < 1) throw new FaultSpecError(`'${part}' is not key=value`);
    changes[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return changes;
}

/** The fault switchboard one simulator process shares between its agencies. */
export class FaultInjector {
  #settings: FaultSettings;
  #random: () => number;
  readonly seed: number;
  /** Faults served so far, by kind (`GET /__faults` shows them). */
  readonly injected: Record<FaultKind, number> = { "5xx": 0, "429": 0, timeout: 0, reset: 0, lost: 0 };

  constructor(settings: FaultSettings = NO_FAULTS, seed = 1) {
    this.#settings = structuredClone(settings);
    this.seed = seed;
    this.#random = seededRandom(seed);
  }

  get settings(): FaultSettings {
    return structuredClone(this.#settings);
  }

  /** Apply changes (see `applyFaultChanges`); `reseed` restarts the PRNG so a run can be replayed. */
  update(changes: Record<string, unknown>, reseed?: number): FaultSettings {
    this.#settings = applyFaultChanges(this.#settings, changes);
    if (reseed !== undefined) this.#random = seededRandom(reseed);
    return this.settings;
  }

  /** Decide what happens to one request to `target`. Draws from the PRNG only for targets in scope. */
  decide(target: FaultTarget): FaultDecision {
    const s = this.#settings;
    if (!s.scope.includes(target)) return { delayMs: 0, fault: null };
    const delayMs = s.latencyMs + (s.jitterMs > 0 ? Math.floor(this.#random() * (s.jitterMs + 1)) : 0);
    const forced = s.next.shift();
    const fault =
      forced ??
      (["reset", "lost", "timeout", "429", "5xx"] as const).find(
        (kind) => s.rates[kind] > 0 && this.#random() < s.rates[kind],
      ) ??
      null;
    if (fault) this.injected[fault] += 1;
    return { delayMs, fault };
  }
}
