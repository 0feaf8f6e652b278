/**
 * The probation messages as XML in `urn:hmpps:oasys:partner-update:1` (contract §4): the partner risk
 * update (subject ids, the latest ARMS summary, the open conflicts, the decisions taken) and the
 * correction notice (rule PU-3). Elements are camelCase and record ids are attributes, as in the OASys
 * export format. Optional values that are null are omitted. Pure; `partner-update-read.ts` reads them back.
 */
import type { PartnerRiskUpdate } from "../core/reconcile/outbound.ts";
import type { CorrectionNotice } from "./corrections.ts";
import { el, renderXmlDocument, textEl, type XmlElement } from "./xml-writer.ts";

export const PARTNER_UPDATE_NS = "urn:hmpps:oasys:partner-update:1";

function subject(s: {
  crn?: string | null;
  pnc?: string | null;
  oasysAssessmentPk: number | null;
  armsAssessmentId?: string | null;
}): XmlElement {
  return el("subject", {}, [
    textEl("crn", s.crn),
    textEl("pnc", s.pnc),
    textEl("oasysAssessmentPk", s.oasysAssessmentPk),
    textEl("armsAssessmentId", s.armsAssessmentId),
  ]);
}

export function partnerUpdateElement(u: PartnerRiskUpdate): XmlElement {
  const a = u.arms;
  return el("partnerRiskUpdate", { xmlns: PARTNER_UPDATE_NS }, [
    subject(u.subject),
    el("armsSummary", { armsAssessmentId: a.armsAssessmentId, revision: a.revision }, [
      textEl("force", a.force),
      textEl("assessedOn", a.assessedOn),
      textEl("nextReviewDue", a.nextReviewDue),
      textEl("riskLevel", a.riskLevel),
      textEl("managementMode", a.managementMode),
      el(
        "factors",
        {},
        a.factors.map((f) => el("factor", { name: f.factor, kind: f.kind, rating: f.rating })),
      ),
    ]),
    el(
      "openConflicts",
      {},
      u.openConflicts.map((c) =>
        el("conflict", { ruleId: c.ruleId, severity: c.severity, fingerprint: c.fingerprint }, [
          textEl("explanation", c.explanation),
        ]),
      ),
    ),
    el(
      "decisions",
      {},
      u.decisions.map((d) =>
        el(
          "decision",
          { ruleId: d.ruleId, fingerprint: d.fingerprint, outcome: d.outcome, decidedAt: d.decidedAt },
          [
            textEl("taken", d.decision),
            textEl("rationale", d.rationale),
            // Each reviewer, with the role and agency they decided in (attributes left out when unknown).
            ...d.reviewers.map(
              (r): XmlElement => ({
                name: "decidedBy",
                attributes: { role: r.role, agency: r.agency },
                text: r.subject,
              }),
            ),
          ],
        ),
      ),
    ),
  ]);
}

export function correctionNoticeElement(n: CorrectionNotice): XmlElement {
  return el("correctionNotice", { xmlns: PARTNER_UPDATE_NS, corrects: n.corrects }, [
    subject(n.subject),
    el(
      "changes",
      {},
      n.changes.map((c) =>
        el("change", {
          source: c.source,
          record: c.record,
          change: c.change,
          delivered: c.delivered,
          current: c.current,
        }),
      ),
    ),
    n.replacement === null ? null : el("replacement", { idempotencyKey: n.replacement }),
  ]);
}

/** The partner risk update as an XML document (UTF-8). */
export const renderPartnerUpdateXml = (u: PartnerRiskUpdate): string =>
  renderXmlDocument(partnerUpdateElement(u));

/** A correction notice for probation as an XML document (UTF-8). */
export const renderCorrectionNoticeXml = (n: CorrectionNotice): string =>
  renderXmlDocument(correctionNoticeElement(n));
