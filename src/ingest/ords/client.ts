/**
 * OASys pull over ORDS REST (contract §2): given a CRN and an assessment pk (as delivered by the HMPPS
 * event `assessment.summary.produced`), fetch the assessment's payloads in parallel and assemble the same
 * canonical model an XML export of it gives. Thin: IO here, extraction in `extract.ts`, building and
 * normalising in `core/oasys/build.ts`.
 *
 * Outcomes:
 * - `{ok: true}` with the canonical assessment (plus warnings for payloads OASys did not have);
 * - `{ok: false}` (a record-level rejection) when a payload is about another assessment than the one asked
 *   for, or the assembled record is invalid;
 * - a thrown `BridgeError` for transport faults: `ORDS_NOT_FOUND` (no such assessment or person),
 *   `ORDS_AUTH`, `ORDS_UNAVAILABLE` (transient: the queue retries), `ORDS_BAD_RESPONSE`.
 */
import { randomUUID } from "node:crypto";
import type { TokenProvider } from "../../clients/token.ts";
import { buildAssessment } from "../../core/oasys/build.ts";
import type { AssessmentSource, IngestResult, RecordError } from "../../core/oasys/model.ts";
import { BridgeError } from "../../errors.ts";
import { type OrdsPayloads, PULLED_SECTIONS, pullWarnings, rawAssessmentFromOrds } from "./extract.ts";
import {
  assessmentEntry,
  BadOrdsBody,
  findAssessmentEntry,
  OrdsPkMismatch,
  type OrdsRecord,
} from "./payload.ts";
import { type AssessmentTimeline, readTimeline } from "./timeline.ts";
import { createOrdsTransport, type OrdsGet, type RetryPolicy } from "./transport.ts";

export type LaoPrivilege = "ALLOW" | "LIMIT";

export interface OrdsClientConfig {
  /** ORDS base URL; paths `/eor/oasys/ass/...` are appended. */
  baseUrl: string;
  /** Per request (each endpoint), including reading the body. */
  timeoutMs: number;
  /** The limited-access-offender privilege path segment. Default `ALLOW`. */
  laoPrivilege?: LaoPrivilege;
  /** Bearer tokens for ORDS; none = unauthenticated (local simulators). */
  tokenProvider?: TokenProvider;
  /** Small in-client retry for transient faults. Default 3 attempts, 200 ms base, 2 s cap. */
  retry?: Partial<RetryPolicy>;
}

export interface PullOptions {
  /** Today `YYYY-MM-DD` (PNC two-digit year pivot); passed in, never read from a clock here. */
  today: string;
  /** Sent on every request of the pull; a fresh UUID when not given. */
  correlationId?: string;
}

export interface OrdsClient {
  listAssessments(crn: string, options?: { correlationId?: string }): Promise<AssessmentTimeline>;
  pullAssessment(crn: string, assessmentPk: number, options: PullOptions): Promise<IngestResult>;
}

export type { AssessmentTimeline } from "./timeline.ts";

const ASS = "/eor/oasys/ass";
const SOURCE: AssessmentSource = { kind: "ORDS_PULL", exportId: null, generatedAt: null, index: null };

const badResponse = (e: BadOrdsBody, pk: number | null) =>
  new BridgeError("BRIDGE_E_ORDS_BAD_RESPONSE", e.message, { endpoint: e.endpoint, assessmentPk: pk });

const rejection = (
  pk: number,
  error: Omit<RecordError, "exportId" | "assessmentPk" | "index">,
): IngestResult => ({
  ok: false,
  error: { exportId: null, assessmentPk: String(pk), index: null, ...error },
});

export function createOrdsClient(config: OrdsClientConfig): OrdsClient {
  const get: OrdsGet = createOrdsTransport(config);
  const lao = config.laoPrivilege ?? "ALLOW";
  const person = (crn: string) => encodeURIComponent(crn);

  return {
    async listAssessments(crn, options = {}) {
      const correlationId = options.correlationId ?? randomUUID();
      const endpoint = "allasslist";
      const res = await get({
        path: `${ASS}/allasslist/prob/${person(crn)}/${lao}`,
        endpoint,
        correlationId,
      });
      if (!res.found)
        throw new BridgeError("BRIDGE_E_ORDS_NOT_FOUND", `${endpoint}: no such person`, { endpoint });
      try {
        return readTimeline(res.body, endpoint);
      } catch (e) {
        if (e instanceof BadOrdsBody) throw badResponse(e, null);
        throw e;
      }
    },

    async pullAssessment(crn, assessmentPk, options) {
      if (!Number.isSafeInteger(assessmentPk) || assessmentPk < 1) {
        throw new BridgeError("BRIDGE_E_USAGE", "assessment pk must be a positive whole number");
      }
      const correlationId = options.correlationId ?? randomUUID();
      const pk = assessmentPk;
      // Every payload is independent: ask for them all at once. The first failure fails the pull and
      // cancels the requests still in flight (or waiting to retry).
      const cancel = new AbortController();
      const fetchOne = (endpoint: string, path: string) =>
        get({ path, endpoint, correlationId, assessmentPk: pk, signal: cancel.signal }).then(
          (r) => ({ endpoint, ...r }),
          (e: unknown) => {
            cancel.abort();
            throw e;
          },
        );
      const [section1, roshSummary, riskScores, rmp, ...sections] = await Promise.all([
        fetchOne("section1", `${ASS}/section1/${lao}/${pk}`),
        fetchOne("sectionroshsumm", `${ASS}/sectionroshsumm/${lao}/${pk}`),
        fetchOne("riskscrass", `${ASS}/riskscrass/${lao}/${pk}`),
        fetchOne("rmp", `${ASS}/rmp/${person(crn)}/${lao}`),
        ...PULLED_SECTIONS.map((code) => fetchOne(`section${code}`, `${ASS}/section${code}/${lao}/${pk}`)),
      ]);

      if (!section1.found) {
        throw new BridgeError("BRIDGE_E_ORDS_NOT_FOUND", "section1: no such assessment", {
          endpoint: "section1",
          assessmentPk: pk,
        });
      }

      let payloads: OrdsPayloads;
      try {
        const entry = (r: { endpoint: string; found: boolean; body?: unknown }): OrdsRecord | null =>
          r.found ? assessmentEntry(r.body, r.endpoint, pk) : null;
        payloads = {
          section1: { envelope: section1.body as OrdsRecord, entry: entry(section1) as OrdsRecord },
          sections: Object.fromEntries(PULLED_SECTIONS.map((code, i) => [code, entry(sections[i]!)])),
          roshSummary: entry(roshSummary),
          riskScores: entry(riskScores),
          rmp: rmp.found ? findAssessmentEntry(rmp.body, "rmp", pk) : null,
        };
      } catch (e) {
        if (e instanceof OrdsPkMismatch) {
          return rejection(pk, {
            code: "BRIDGE_E_ORDS_PK_MISMATCH",
            path: `ords:${e.endpoint}`,
            reason: e.message,
          });
        }
        if (e instanceof BadOrdsBody) throw badResponse(e, pk);
        throw e;
      }

      const built = buildAssessment(rawAssessmentFromOrds(payloads), { today: options.today });
      if (!built.ok) return rejection(pk, built.rejection);
      const assessment = built.assessment;
      assessment.warnings.push(...pullWarnings(payloads));
      return { ok: true, assessment, source: SOURCE };
    },
  };
}
