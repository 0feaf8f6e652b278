/**
 * Every file in examples/oasys/ parses to the outcome examples/README.md documents, so the examples
 * cannot rot. A new example needs a row here.
 */
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { IngestResult, OasysAssessment, RecordError } from "../../src/core/oasys/model.ts";
import { isBridgeError } from "../../src/errors.ts";
import { readOasysExportFile } from "../../src/ingest/xml/reader.ts";

const DIR = "examples/oasys";
const TODAY = "2026-11-20";

interface Outcome {
  accepted: number;
  rejected: number;
  /** Warning codes across the accepted records, sorted (empty: none). */
  warnings?: string[];
  check?: (accepted: OasysAssessment[], rejected: RecordError[]) => void;
}

const answer = (a: OasysAssessment, code: string) => a.answers[code]?.value;
const predictor = (a: OasysAssessment, type: string) => a.predictors.find((p) => p.type === type);

const EXPECTED: Record<string, Outcome | { refused: string }> = {
  "complete-layer3-sexual-items.xml": {
    accepted: 1,
    rejected: 0,
    warnings: [],
    check: ([a]) => {
      const x = a as OasysAssessment;
      expect(x.status).toBe("COMPLETE");
      expect(answer(x, "6.11")).toEqual({ kind: "yesno", value: "YES" });
      expect(answer(x, "6.12")).toEqual({ kind: "score", score: 2 });
      expect(answer(x, "11.11")).toEqual({ kind: "score", score: 2 });
      expect(answer(x, "11.12")).toEqual({ kind: "score", score: 1 });
      expect(answer(x, "12.9")).toEqual({ kind: "score", score: 0 });
      expect(x.rosh?.levels).toHaveLength(9);
      expect(x.rosh?.whoIsAtRisk).toMatch(/^Boys aged 10 to 14/);
      expect(x.predictors.map((p) => p.type).sort()).toEqual([
        "OGRS3_2YR",
        "OSP_DC",
        "OSP_IIC",
        "RM2000_S",
        "RSR",
      ]);
      expect(predictor(x, "RM2000_S")).toMatchObject({ points: 4, band: "HIGH" });
      expect(x.rmp?.mappa).toEqual({ category: 1, level: 2 });
      expect(answer(x, "RM8")).toEqual({ kind: "yesno", value: "YES" });
      expect(answer(x, "RM9")).toEqual({ kind: "yesno", value: "YES" });
      expect(x.offender.pnc).toEqual({ raw: "2008/0056560Z", canonical: "2008/0056560Z", valid: true });
      expect(x.offender.cro?.valid).toBe(true);
    },
  },
  "rsr-only-purpose-620.xml": {
    accepted: 1,
    rejected: 0,
    warnings: [],
    check: ([a]) => {
      const x = a as OasysAssessment;
      expect(x.purposeCode).toBe(620);
      expect(x.answers).toEqual({});
      expect(x.rosh).toBeNull();
      expect(predictor(x, "RSR")).toMatchObject({ score: 1.69, band: "LOW", staticOrDynamic: "STATIC" });
    },
  },
  "female-offender.xml": {
    accepted: 1,
    rejected: 0,
    warnings: [],
    check: ([a]) => {
      const x = a as OasysAssessment;
      expect(x.offender.gender).toBe("FEMALE");
      expect(predictor(x, "OSP_C")).toMatchObject({ score: null, band: "NOT_APPLICABLE" });
      expect(predictor(x, "OSP_I")).toMatchObject({ score: null, band: "NOT_APPLICABLE" });
    },
  },
  "lao.xml": {
    accepted: 1,
    rejected: 0,
    warnings: [],
    check: ([a]) => expect(a?.offender.limitedAccessOffender).toBe(true),
  },
  "locked-incomplete.xml": {
    accepted: 1,
    rejected: 0,
    warnings: [],
    check: ([a]) => {
      const x = a as OasysAssessment;
      expect(x.status).toBe("LOCKED_INCOMPLETE");
      expect(answer(x, "3.4")).toEqual({ kind: "missing" });
      expect(answer(x, "3.5")).toEqual({ kind: "missing" });
      expect(answer(x, "6.12")).toEqual({ kind: "missing" });
      expect(x.answers["11.11"]).toBeUndefined();
    },
  },
  "open-assessment.xml": {
    accepted: 1,
    rejected: 0,
    warnings: [],
    check: ([a]) => {
      expect(a?.status).toBe("OPEN");
      expect(a?.dateCompleted).toBeNull();
    },
  },
  "later-complete-exists.xml": {
    accepted: 2,
    rejected: 0,
    warnings: [],
    check: ([older, newer]) => {
      expect(older?.later).toMatchObject({
        laterCompleteAssessmentExists: true,
        latestCompleteDate: "2026-05-12T11:20:00",
      });
      expect(newer?.later.laterCompleteAssessmentExists).toBe(false);
      expect(newer?.dateCompleted).toBe("2026-05-12T11:20:00");
    },
  },
  "invalid-pnc.xml": {
    accepted: 1,
    rejected: 0,
    warnings: ["IDENTIFIER_INVALID"],
    check: ([a]) => {
      expect(a?.offender.pnc).toMatchObject({ raw: "2017/0876543A", valid: false });
      expect(a?.warnings[0]).toMatchObject({ code: "IDENTIFIER_INVALID", path: "offender/pnc" });
    },
  },
  "malformed-one-of-three.xml": {
    accepted: 2,
    rejected: 1,
    warnings: [],
    check: (accepted, [error]) => {
      expect(accepted.map((a) => a.assessmentPk)).toEqual([9631401, 9631603]);
      expect(error).toMatchObject({
        code: "BRIDGE_E_RECORD_BAD_VALUE",
        exportId: "EXP-20261120-0009",
        assessmentPk: "9631502",
        index: 2,
      });
      expect(error?.path).toMatch(/^roshSummary\/riskLevel/);
    },
  },
  "display-strings-and-variants.xml": {
    accepted: 2,
    rejected: 0,
    warnings: [],
    check: ([a, b]) => {
      const x = a as OasysAssessment;
      const y = b as OasysAssessment;
      expect([x.type, x.status, x.offender.gender]).toEqual(["LAYER3", "COMPLETE", "FEMALE"]);
      expect(y.offender.gender).toBe("MALE");
      expect(answer(x, "6.11")).toEqual({ kind: "yesno", value: "YES" });
      expect(answer(x, "6.12")).toEqual({ kind: "score", score: 2 });
      expect(answer(x, "11.11")).toEqual({ kind: "missing" });
      expect(answer(x, "11.12")).toEqual({ kind: "score", score: 0 });
      expect(answer(y, "6.11")).toEqual({ kind: "yesno", value: "NO" });
      expect(x.rosh?.levels.map((l) => `${l.group}:${l.level}`)).toEqual([
        "CHILDREN:VERY_HIGH",
        "PUBLIC:MEDIUM",
        "KNOWN_ADULT:HIGH",
        "STAFF:LOW",
      ]);
      expect(y.rosh?.levels[0]?.level).toBe("VERY_HIGH");
      expect(predictor(x, "OSP_C")?.band).toBe("NOT_APPLICABLE");
      expect(predictor(x, "RSR")?.band).toBe("VERY_HIGH");
      expect(predictor(y, "OSP_DC")?.band).toBe("VERY_HIGH");
    },
  },
  "unknown-elements-kept.xml": {
    accepted: 1,
    rejected: 0,
    warnings: [],
    check: ([a]) => {
      const x = a as OasysAssessment;
      expect(predictor(x, "OGRS4_G")).toMatchObject({ score: 27.4, band: "MEDIUM", algorithmVersion: "4.0" });
      const extras = x.extras.map((e) => e.path).join("\n");
      for (const name of ["countersignerSignedDate", "ethnicity", "reviewerNote", "sentencePlanSummary"]) {
        expect(extras).toContain(name);
      }
      expect(extras).toContain("deliveryUnit");
      expect(extras).toContain("preferredLanguage");
      expect(answer(x, "11.13")).toEqual({ kind: "score", score: 2 });
    },
  },
  "under-18.xml": {
    accepted: 1,
    rejected: 0,
    warnings: [],
    check: ([a]) => {
      expect(a?.offender.dateOfBirth).toBe("2009-03-01");
      expect(a?.purposeCode).toBe(500);
    },
  },
  "custody.xml": {
    accepted: 1,
    rejected: 0,
    warnings: [],
    check: ([a]) => {
      const x = a as OasysAssessment;
      expect(x.offender.inCustody).toBe(true);
      expect(x.offender.nomisId).toMatchObject({ canonical: "G4567HJ", valid: true });
      expect(x.rosh?.levels).toContainEqual({ group: "PRISONERS", setting: "CUSTODY", level: "MEDIUM" });
    },
  },
  "hostile-doctype.xml": { refused: "BRIDGE_E_XML_DOCTYPE_REFUSED" },
};

async function readAll(file: string): Promise<IngestResult[]> {
  const results: IngestResult[] = [];
  for await (const r of readOasysExportFile(`${DIR}/${file}`, { today: TODAY })) results.push(r);
  return results;
}

describe("examples/oasys", () => {
  it("has an expected outcome for every example file, and a file for every expected outcome", () => {
    const files = readdirSync(DIR)
      .filter((f) => f.endsWith(".xml"))
      .sort();
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [file, outcome] of Object.entries(EXPECTED)) {
    if ("refused" in outcome) {
      it(`${file} is refused whole (${outcome.refused})`, async () => {
        const error = await readAll(file).then(
          () => null,
          (e: unknown) => e,
        );
        expect(isBridgeError(error) && error.code).toBe(outcome.refused);
      });
      continue;
    }
    it(`${file}: ${outcome.accepted} accepted, ${outcome.rejected} rejected`, async () => {
      const results = await readAll(file);
      const accepted = results.flatMap((r) => (r.ok ? [r.assessment] : []));
      const rejected = results.flatMap((r) => (r.ok ? [] : [r.error]));
      expect(accepted).toHaveLength(outcome.accepted);
      expect(rejected).toHaveLength(outcome.rejected);
      if (outcome.warnings) {
        expect(accepted.flatMap((a) => a.warnings.map((w) => w.code)).sort()).toEqual(outcome.warnings);
      }
      outcome.check?.(accepted, rejected);
    });
  }
});
