/**
 * Ingest by REST pull: an `assessment.summary.produced` event names a CRN and an assessment pk; the
 * assessment is pulled from OASys over ORDS (src/ingest/ords/client.ts) and saved as an `ORDS_PULL`
 * version, its `sourceAsOf` being the time of the pull (so a later pull of changed content replaces it,
 * and an older back-fill file replayed afterwards does not roll it back).
 *
 * The pull (network) and the save (database) are separate calls, so a caller can pull outside its
 * transaction and save inside it.
 */
import { tokenProviderFor } from "../clients/token.ts";
import type { AgencyEndpoint } from "../config.ts";
import type { OasysAssessment, RecordError } from "../core/oasys/model.ts";
import { BridgeError } from "../errors.ts";
import { createOrdsClient, type OrdsClient } from "../ingest/ords/client.ts";
import type { Db } from "../store/index.ts";
import { type SavedOasys, saveOasysAssessment } from "../store/repositories/oasys.ts";

export interface AssessmentEvent {
  crn: string;
  assessmentPk: number;
  eventId: string;
}

export type PullOutcome = { ok: true; assessment: OasysAssessment } | { ok: false; error: RecordError };

/** The ORDS client for the configured endpoint (bearer tokens when a token URL is configured). */
export function ordsClientFrom(endpoint: AgencyEndpoint): OrdsClient {
  if (!endpoint.baseUrl) {
    throw new BridgeError("BRIDGE_E_CONFIG_INVALID", "ORDS_BASE_URL is needed to pull assessments");
  }
  const tokenProvider = tokenProviderFor(endpoint);
  return createOrdsClient({
    baseUrl: endpoint.baseUrl,
    timeoutMs: endpoint.timeoutMs,
    ...(tokenProvider ? { tokenProvider } : {}),
  });
}

/**
 * Pulls the event's assessment. A record-level rejection (invalid record, payloads about another
 * assessment) comes back as `{ok: false}`; transport faults throw BridgeErrors (ORDS_UNAVAILABLE and the
 * HTTP time-out/unreachable codes are transient, the rest permanent).
 */
export async function pullEventAssessment(
  ords: OrdsClient,
  event: AssessmentEvent,
  options: { today: string; correlationId?: string },
): Promise<PullOutcome> {
  const result = await ords.pullAssessment(event.crn, event.assessmentPk, {
    today: options.today,
    ...(options.correlationId ? { correlationId: options.correlationId } : {}),
  });
  return result.ok ? { ok: true, assessment: result.assessment } : { ok: false, error: result.error };
}

/** Saves a pulled assessment (re-ingest rule of src/store/repositories/oasys.ts); `now` is the pull time. */
export function savePulledAssessment(db: Db, assessment: OasysAssessment, now: string): Promise<SavedOasys> {
  return saveOasysAssessment(db, {
    assessment,
    sourceKind: "ORDS_PULL",
    exportId: null,
    sourceAsOf: now,
    ingestedAt: now,
  });
}
