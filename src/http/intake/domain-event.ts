/**
 * The HMPPS domain event `assessment.summary.produced` (pure). OASys publishes it when an assessment
 * summary is produced; the real messages carry the CRN in `personReference.identifiers` and name the
 * assessment only in `detailUrl` (`{ords}/asssumm[san]/{crn}/{lao}/{pk}/{status}`), with no
 * `additionalInformation`. Some relays add `additionalInformation.assessmentPk`; when both are given they
 * must agree. The event carries no id of its own, so its id is derived from what identifies the event
 * (type, time, CRN, pk): re-delivery of the same event gives the same id and so the same job id.
 */
import { createHash } from "node:crypto";
import { parseCrn } from "../../core/identity/identifiers.ts";
import { BridgeError } from "../../errors.ts";

export interface DomainEvent {
  eventType: string;
  version: number;
  occurredAt: string;
  detailUrl?: string;
  description?: string;
  additionalInformation?: Record<string, unknown> | null;
  personReference: { identifiers: { type: string; value: string }[] };
}

export interface PullRequest {
  eventId: string;
  crn: string;
  assessmentPk: number;
}

const DETAIL_PATH = /\/asssumm(?:san)?\/([^/]+)\/[^/]+\/(\d{1,15})(?:\/[^/]*)?\/?$/i;

const invalid = (detail: string) => new BridgeError("BRIDGE_E_EVENT_INVALID", detail);

function pkFrom(value: unknown): number | null {
  if (typeof value === "number" && Number.isSafeInteger(value) && value > 0) return value;
  if (typeof value === "string" && /^\d{1,15}$/.test(value) && Number(value) > 0) return Number(value);
  return null;
}

/** The CRN and assessment pk an event names, or BRIDGE_E_EVENT_INVALID saying what is missing. */
export function pullRequestFrom(event: DomainEvent): PullRequest {
  const crns = event.personReference.identifiers.filter((i) => i.type.toUpperCase() === "CRN");
  if (crns.length !== 1) throw invalid("the event must name exactly one CRN");
  const crn = parseCrn((crns[0] as { value: string }).value);
  if (!crn.valid || !crn.canonical) throw invalid("the event's CRN is not a valid CRN");

  let fromUrl: { crn: string | null; pk: number | null } = { crn: null, pk: null };
  if (event.detailUrl) {
    let path = "";
    try {
      path = new URL(event.detailUrl).pathname;
    } catch {
      throw invalid("the event's detailUrl is not a URL");
    }
    const m = DETAIL_PATH.exec(path);
    if (m) fromUrl = { crn: parseCrn(decodeURIComponent(m[1] as string)).canonical, pk: pkFrom(m[2]) };
  }
  if (fromUrl.crn && fromUrl.crn !== crn.canonical) {
    throw invalid("the detailUrl names a different CRN than personReference");
  }
  const given = event.additionalInformation?.assessmentPk;
  const fromInfo = given === undefined ? null : pkFrom(given);
  if (given !== undefined && fromInfo === null)
    throw invalid("additionalInformation.assessmentPk is not an id");
  if (fromInfo !== null && fromUrl.pk !== null && fromInfo !== fromUrl.pk) {
    throw invalid("additionalInformation.assessmentPk and the detailUrl name different assessments");
  }
  const assessmentPk = fromInfo ?? fromUrl.pk;
  if (assessmentPk === null) {
    throw invalid(
      "the event names no assessment (no asssumm detailUrl, no additionalInformation.assessmentPk)",
    );
  }
  const eventId = createHash("sha256")
    .update(JSON.stringify([event.eventType, event.occurredAt, crn.canonical, assessmentPk]))
    .digest("hex")
    .slice(0, 32);
  return { eventId, crn: crn.canonical, assessmentPk };
}
