/**
 * Synthetic ARMS assessments for the benches: a completed ARMS assessment of the same person as a
 * generated OASys assessment (same PNC, CRN, name and date of birth), with judgements drawn from a seeded
 * PRNG, so matches, drafts and conflicts all occur. Synthetic data only: no real people.
 */
import type { Rng } from "../../scripts/lib/prng.ts";
import {
  type ArmsAssessment,
  type FactorRating,
  PROTECTIVE_FACTORS,
  RISK_FACTORS,
} from "../../src/core/arms/model.ts";
import type { OasysAssessment, RiskLevel } from "../../src/core/oasys/model.ts";

const LEVELS: RiskLevel[] = ["LOW", "MEDIUM", "HIGH", "VERY_HIGH"];
const RATINGS: FactorRating[] = ["PRESENT", "SOME_EVIDENCE", "NOT_PRESENT", "INSUFFICIENT_INFORMATION"];

/** A completed ARMS assessment of the same person, with seeded judgements (`ARMS-BENCH-<n>`). */
export function armsFor(a: OasysAssessment, n: number, rng: Rng): ArmsAssessment {
  const o = a.offender;
  const rate = (factors: readonly string[]) =>
    Object.fromEntries(
      factors.map((f) => [f, { rating: rng.pick(RATINGS), evidence: "synthetic evidence" }]),
    );
  const month = String(rng.int(1, 10)).padStart(2, "0");
  return {
    schema: "arms-interchange/1",
    armsAssessmentId: `ARMS-BENCH-${String(n).padStart(6, "0")}`,
    revision: 1,
    force: "BENCH",
    status: "COMPLETE",
    subject: {
      pnc: o.pnc?.canonical ?? null,
      crn: o.crn?.canonical ?? null,
      familyName: o.familyName,
      givenName: o.forenames[0] ?? null,
      dateOfBirth: o.dateOfBirth,
      gender: "MALE",
    },
    assessedOn: `2026-${month}-15`,
    nextReviewDue: `2027-${month}-15`,
    riskFactors: rate(RISK_FACTORS),
    protectiveFactors: rate(PROTECTIVE_FACTORS),
    riskLevel: rng.pick(LEVELS),
    managementMode: "ACTIVE",
    mappa: { category: 1, level: rng.int(1, 3) },
  };
}
