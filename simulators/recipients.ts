/**
 * The two simulated push recipients (contract §4): police receive pre-filled ARMS drafts as JSON, probation
 * receive partner risk updates as XML. Each checks the document the way a strict agency would, honours
 * `Idempotency-Key`, answers with a receipt, and records what it accepted so tests and the demo can ask
 * (`GET /__received`).
 *
 * Idempotency (one of the two answers contract §4 allows, chosen per simulator, default `replay`):
 * - first time a key is seen: 201 with a new receipt;
 * - the same key again with the same body: `replay` mode answers 200 with the ORIGINAL receipt and
 *   `Idempotent-Replayed: true`; `conflict` mode answers 409 "already have it", with the original receipt
 *   in the body. Either way nothing new is recorded;
 * - the same key with a different body: 422 (a sender bug: a key must name one record and revision).
 */
import { createHash } from "node:crypto";
import { SaxesParser } from "saxes";
import { validateAgainst } from "../src/core/schemas.ts";

export type Recipient = "ARMS" | "OASYS";
export type IdempotencyMode = "replay" | "conflict";

export const PARTNER_UPDATE_NS = "urn:hmpps:oasys:partner-update:1";
const ARMS_SCHEMA = "arms-interchange/1";

/** Identifiers picked out of a document so a test can tell whom it is about. */
export interface DocumentIds {
  pnc: string | null;
  crn: string | null;
  oasysAssessmentPk: string | null;
  armsAssessmentId: string | null;
}

export interface Received {
  receiptId: string;
  recipient: Recipient;
  idempotencyKey: string;
  correlationId: string | null;
  receivedAt: string;
  /** `arms-interchange/1` draft, or the XML root element's local name (`partnerRiskUpdate`...). */
  documentType: string;
  ids: DocumentIds;
  /** The JSON document (police) or the XML text (probation), as received. */
  body: unknown;
}

export interface Receipt {
  receiptId: string;
  receivedAt: string;
  idempotencyKey: string;
}

export type PushOutcome =
  | { status: 201; receipt: Receipt; replayed: false }
  | { status: 200 | 409; receipt: Receipt; replayed: true }
  | { status: 400 | 415 | 422; code: string; message: string };

/** A push the recipient refused (no body kept). */
export interface Rejection {
  at: string;
  idempotencyKey: string | null;
  status: number;
  code: string;
  message: string;
}

export interface RecipientStats {
  /** Requests that reached the recipient (after faults). */
  requests: number;
  accepted: number;
  replays: number;
  rejected: number;
}

type Checked =
  | { ok: true; documentType: string; ids: DocumentIds; body: unknown }
  | { ok: false; status: 400 | 415; code: string; message: string };

const noIds = (): DocumentIds => ({ pnc: null, crn: null, oasysAssessmentPk: null, armsAssessmentId: null });
const str = (v: unknown): string | null =>
  typeof v === "string" ? v : typeof v === "number" ? String(v) : null;

/** Police: a JSON ARMS draft (valid `arms-interchange/1`, status DRAFT), or a JSON correction notice. */
export function checkArmsDocument(contentType: string, bytes: Buffer): Checked {
  if (!/^application\/(.+\+)?json\b/i.test(contentType)) {
    return { ok: false, status: 415, code: "UNSUPPORTED_MEDIA_TYPE", message: "send application/json" };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString("utf8"));
  } catch {
    return { ok: false, status: 400, code: "BAD_JSON", message: "body is not JSON" };
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    return { ok: false, status: 400, code: "BAD_DOCUMENT", message: "body is not a JSON object" };
  }
  const d = doc as Record<string, unknown>;
  const subject = (typeof d.subject === "object" && d.subject !== null ? d.subject : {}) as Record<
    string,
    unknown
  >;
  const source = (
    typeof d.sourceAssessment === "object" && d.sourceAssessment !== null ? d.sourceAssessment : {}
  ) as Record<string, unknown>;
  const ids: DocumentIds = {
    pnc: str(subject.pnc),
    crn: str(subject.crn),
    oasysAssessmentPk: str(source.assessmentPk) ?? str(subject.oasysAssessmentPk),
    armsAssessmentId: str(d.armsAssessmentId) ?? str(subject.armsAssessmentId),
  };
  if (d.schema === ARMS_SCHEMA) {
    const problem = validateAgainst("arms-interchange.schema.json", doc);
    if (problem) {
      return { ok: false, status: 400, code: "INVALID_DRAFT", message: `${problem.path} ${problem.reason}` };
    }
    if (d.status !== "DRAFT") {
      return { ok: false, status: 400, code: "NOT_A_DRAFT", message: "only DRAFT assessments are accepted" };
    }
    return { ok: true, documentType: ARMS_SCHEMA, ids, body: doc };
  }
  const kind = str(d.kind) ?? str(d.type) ?? str(d.schema);
  if (kind && /correction/i.test(kind)) return { ok: true, documentType: kind, ids, body: doc };
  return {
    ok: false,
    status: 400,
    code: "UNKNOWN_DOCUMENT",
    message: `expected ${ARMS_SCHEMA} or a correction notice`,
  };
}

/** Probation: well-formed XML, no DOCTYPE, root element in the partner-update namespace. */
export function checkPartnerUpdate(contentType: string, bytes: Buffer): Checked {
  if (!/^(application|text)\/(.+\+)?xml\b/i.test(contentType)) {
    return { ok: false, status: 415, code: "UNSUPPORTED_MEDIA_TYPE", message: "send application/xml" };
  }
  const text = bytes.toString("utf8");
  const ids = noIds();
  let root: { local: string; uri: string } | null = null;
  let doctype = false;
  let current: string | null = null;
  let textBuf = "";
  const parser = new SaxesParser({ xmlns: true });
  parser.on("doctype", () => {
    doctype = true;
  });
  parser.on("opentag", (tag) => {
    if (!root) root = { local: tag.local, uri: tag.uri };
    for (const [name, attr] of Object.entries(tag.attributes)) {
      const local = typeof attr === "string" ? name : attr.local;
      const value = typeof attr === "string" ? attr : attr.value;
      if (local in ids && ids[local as keyof DocumentIds] === null) ids[local as keyof DocumentIds] = value;
    }
    current = tag.local;
    textBuf = "";
  });
  parser.on("text", (t) => {
    textBuf += t;
  });
  parser.on("closetag", (tag) => {
    const local = tag.local ?? "";
    if (local === current && local in ids && ids[local as keyof DocumentIds] === null) {
      const v = textBuf.trim();
      if (v !== "") ids[local as keyof DocumentIds] = v;
    }
    current = null;
  });
  try {
    parser.write(text).close();
  } catch (e) {
    return {
      ok: false,
      status: 400,
      code: "BAD_XML",
      message: `not well-formed XML (${(e as Error).message})`,
    };
  }
  if (doctype) return { ok: false, status: 400, code: "DOCTYPE_REFUSED", message: "DOCTYPE is not accepted" };
  const r = root as { local: string; uri: string } | null;
  if (!r || r.uri !== PARTNER_UPDATE_NS) {
    return {
      ok: false,
      status: 400,
      code: "WRONG_NAMESPACE",
      message: `root element must be in ${PARTNER_UPDATE_NS}`,
    };
  }
  return { ok: true, documentType: r.local, ids, body: text };
}

const CHECKS: Record<Recipient, (contentType: string, bytes: Buffer) => Checked> = {
  ARMS: checkArmsDocument,
  OASYS: checkPartnerUpdate,
};

/** One agency's inbox: idempotency by key, receipts, and the record of what it accepted. */
export class RecipientInbox {
  readonly recipient: Recipient;
  mode: IdempotencyMode;
  readonly #byKey = new Map<string, { hash: string; receipt: Receipt }>();
  readonly #received: Received[] = [];
  readonly #rejections: Rejection[] = [];
  #stats: RecipientStats = { requests: 0, accepted: 0, replays: 0, rejected: 0 };
  #sequence = 0;
  readonly #now: () => Date;

  constructor(recipient: Recipient, mode: IdempotencyMode = "replay", now: () => Date = () => new Date()) {
    this.recipient = recipient;
    this.mode = mode;
    this.#now = now;
  }

  /** Handles one authenticated push. */
  accept(input: {
    contentType: string;
    idempotencyKey: string | undefined;
    correlationId: string | undefined;
    body: Buffer;
  }): PushOutcome {
    this.#stats.requests += 1;
    const reject = (status: 400 | 415 | 422, code: string, message: string): PushOutcome => {
      this.#stats.rejected += 1;
      const at = this.#now().toISOString();
      this.#rejections.push({ at, idempotencyKey: input.idempotencyKey ?? null, status, code, message });
      return { status, code, message };
    };
    const key = input.idempotencyKey?.trim();
    if (!key) return reject(400, "IDEMPOTENCY_KEY_REQUIRED", "the Idempotency-Key header is required");
    if (key.length > 255)
      return reject(400, "IDEMPOTENCY_KEY_TOO_LONG", "Idempotency-Key over 255 characters");
    const hash = createHash("sha256").update(input.body).digest("hex");
    const seen = this.#byKey.get(key);
    if (seen) {
      if (seen.hash !== hash) {
        return reject(422, "IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used with a different body");
      }
      this.#stats.replays += 1;
      return { status: this.mode === "replay" ? 200 : 409, receipt: seen.receipt, replayed: true };
    }
    const checked = CHECKS[this.recipient](input.contentType, input.body);
    if (!checked.ok) return reject(checked.status, checked.code, checked.message);
    this.#sequence += 1;
    const receipt: Receipt = {
      receiptId: `${this.recipient}-RCPT-${String(this.#sequence).padStart(6, "0")}`,
      receivedAt: this.#now().toISOString(),
      idempotencyKey: key,
    };
    this.#byKey.set(key, { hash, receipt });
    this.#received.push({
      receiptId: receipt.receiptId,
      recipient: this.recipient,
      idempotencyKey: key,
      correlationId: input.correlationId ?? null,
      receivedAt: receipt.receivedAt,
      documentType: checked.documentType,
      ids: checked.ids,
      body: checked.body,
    });
    this.#stats.accepted += 1;
    return { status: 201, receipt, replayed: false };
  }

  get received(): readonly Received[] {
    return this.#received;
  }

  get rejections(): readonly Rejection[] {
    return this.#rejections;
  }

  get stats(): RecipientStats {
    return { ...this.#stats };
  }

  reset(): void {
    this.#byKey.clear();
    this.#received.length = 0;
    this.#rejections.length = 0;
    this.#stats = { requests: 0, accepted: 0, replays: 0, rejected: 0 };
    this.#sequence = 0;
  }
}
