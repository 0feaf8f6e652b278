/**
 * Synthetic people for identity tests: an OASys assessment built through the real canonical builder and
 * an ARMS interchange document, both describing "Daniel Ashworth-Kerr" unless a test says otherwise.
 */
import type { ArmsAssessment, ArmsSubject } from "../../src/core/arms/model.ts";
import { buildAssessment, emptyRawAssessment, type RawAssessment } from "../../src/core/oasys/build.ts";
import type { OasysAssessment } from "../../src/core/oasys/model.ts";

export const TODAY = "2026-11-20";
/** Check-valid synthetic identifiers (check letters from `checkLetter`). */
export const PNC = "1999/0123456X";
export const OTHER_PNC = "2004/0345678X";
export const CRN = "D482913";
export const CRO = "123456/99L";

export function oasysPerson(offender: Partial<RawAssessment["offender"]> = {}): OasysAssessment {
  const raw = emptyRawAssessment();
  raw.assessmentPk = "7000101";
  raw.type = "LAYER3";
  raw.status = "COMPLETE";
  raw.dateCompleted = "2026-10-03T14:05:00";
  raw.offender = {
    ...raw.offender,
    oasysOffenderPk: "880101",
    crn: CRN,
    pnc: PNC,
    cro: CRO,
    familyName: "ASHWORTH-KERR",
    forenames: ["DANIEL"],
    dateOfBirth: "1979-06-14",
    gender: "1",
    ...offender,
  };
  const built = buildAssessment(raw, { today: TODAY });
  if (!built.ok) throw new Error(`test person did not build: ${built.rejection.reason}`);
  return built.assessment;
}

export function armsPerson(
  subject: Partial<ArmsSubject> = {},
  doc: Partial<Omit<ArmsAssessment, "subject">> = {},
): ArmsAssessment {
  return {
    schema: "arms-interchange/1",
    armsAssessmentId: "ARMS-TST-000001",
    revision: 1,
    force: "ESSEX",
    status: "COMPLETE",
    subject: {
      pnc: PNC,
      crn: CRN,
      cro: CRO,
      familyName: "Ashworth-Kerr",
      givenName: "Daniel",
      dateOfBirth: "1979-06-14",
      gender: "MALE",
      ...subject,
    },
    assessedOn: "2026-09-12",
    nextReviewDue: "2027-03-12",
    riskFactors: {},
    protectiveFactors: {},
    riskLevel: "MEDIUM",
    ...doc,
  };
}
