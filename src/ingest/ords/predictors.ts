/**
 * Risk scores from the ORDS `riskscrass` payload (domain brief §2.8) as raw predictors. Extraction only:
 * values stay the strings OASys sent; bands are OASys's own, never derived from a score.
 *
 * Two generations share the payload. Legacy groups: `OGRS` (OGRS3 1 and 2 year), `OGP`, `OVP`, `RSR`,
 * `OSP` (contact / image, or the newer direct-contact / indirect-image-children). OGRS4 generation:
 * `newActuarialPredictors`, from which the all-, violent- and serious-violent-reoffending predictors
 * (ARP, VRP, SVRP) are taken the way HMPPS does (ARNS `AllPredictorDto`): the dynamic score when its
 * `*Calculated` flag is `Y`, else the static score when its flag is `Y`, else no predictor. The other
 * new predictors are the OSP/DC, OSP/IIC and RSR already read from `OSP` and `RSR`.
 */
import { emptyRawPredictor, type RawPredictor } from "../../core/oasys/build.ts";
import type { Extra } from "../../core/oasys/model.ts";
import { carryExtra, isRecord, type OrdsRecord, rawScalar } from "./payload.ts";

interface PredictorField {
  type: string;
  score: string;
  /** Band field names, first present wins (`scoreLevel`, alias `rsrScoreLevel`). */
  band: string[];
  staticOrDynamic?: string;
  algorithmVersion?: string;
}

/**
 * Legacy groups. OASys holds ONE OGRS3 band (`OGRS3_RISK_RECON_ELM`), banded on the two-year score: it is
 * attached to OGRS3_2YR only. OGP and OVP are carried as their two-year score and band; their one-year
 * scores and weighted sub-scores go to extras.
 */
const GROUPS: Record<string, PredictorField[]> = {
  OGRS: [
    { type: "OGRS3_1YR", score: "ogrs31Year", band: [] },
    { type: "OGRS3_2YR", score: "ogrs32Year", band: ["ogrs3RiskRecon"] },
  ],
  OGP: [{ type: "OGP", score: "ogp2Year", band: ["ogpRisk"] }],
  OVP: [{ type: "OVP", score: "ovp2Year", band: ["ovpRisk"] }],
  RSR: [
    {
      type: "RSR",
      score: "rsrPercentageScore",
      band: ["scoreLevel", "rsrScoreLevel"],
      staticOrDynamic: "rsrStaticOrDynamic",
      algorithmVersion: "rsrAlgorithmVersion",
    },
  ],
  OSP: [
    { type: "OSP_C", score: "ospContactPercentageScore", band: ["ospContactScoreLevel"] },
    { type: "OSP_I", score: "ospImagePercentageScore", band: ["ospImageScoreLevel"] },
    { type: "OSP_DC", score: "ospDirectContactPercentageScore", band: ["ospDirectContactScoreLevel"] },
    {
      type: "OSP_IIC",
      score: "ospIndirectImagesChildrenPercentageScore",
      band: ["ospIndirectImagesChildrenScoreLevel"],
    },
  ],
};

interface Variant {
  calculated: string;
  score: string;
  band: string;
}

const NEW_PREDICTORS: { type: string; dynamic: Variant; static: Variant }[] = [
  {
    type: "ARP",
    dynamic: { calculated: "ogp2Calculated", score: "ogp2Yr2", band: "ogp2Band" },
    static: { calculated: "ogrs4gCalculated", score: "ogrs4gYr2", band: "ogrs4gBand" },
  },
  {
    type: "VRP",
    dynamic: { calculated: "ovp2Calculated", score: "ovp2Yr2", band: "ovp2Band" },
    static: { calculated: "ogrs4vCalculated", score: "ogrs4vYr2", band: "ogrs4vBand" },
  },
  {
    type: "SVRP",
    dynamic: { calculated: "snsvDynamicCalculated", score: "snsvDynamicYr2", band: "snsvDynamicYr2Band" },
    static: { calculated: "snsvStaticCalculated", score: "snsvStaticYr2", band: "snsvStaticYr2Band" },
  },
];

export const NEW_PREDICTORS_GROUP = "newActuarialPredictors";

const scalar = (group: OrdsRecord, field: string): string | null => rawScalar(group[field]) ?? null;

const predictor = (type: string, path: string, values: Partial<RawPredictor>): RawPredictor => ({
  ...emptyRawPredictor(path),
  type,
  ...values,
});

function legacyGroup(name: string, group: OrdsRecord, base: string, out: RawPredictor[], extras: Extra[]) {
  const fields = GROUPS[name] ?? [];
  const used = new Set<string>();
  for (const f of fields) {
    const bandField = f.band.find((b) => group[b] !== undefined && group[b] !== null);
    const values = {
      score: scalar(group, f.score),
      band: bandField === undefined ? null : scalar(group, bandField),
      staticOrDynamic: f.staticOrDynamic ? scalar(group, f.staticOrDynamic) : null,
      algorithmVersion: f.algorithmVersion ? scalar(group, f.algorithmVersion) : null,
    };
    for (const k of [f.score, ...f.band, f.staticOrDynamic, f.algorithmVersion]) if (k) used.add(k);
    // A predictor OASys did not produce for this assessment has neither score nor band.
    if (values.score === null && values.band === null) continue;
    out.push(predictor(f.type, `${base}.${name}`, values));
  }
  for (const [k, v] of Object.entries(group)) if (!used.has(k)) carryExtra(extras, `${base}.${name}.${k}`, v);
}

const isCalculated = (group: OrdsRecord, flag: string) => scalar(group, flag)?.trim().toUpperCase() === "Y";

function newGroup(group: OrdsRecord, base: string, out: RawPredictor[], extras: Extra[]) {
  const path = `${base}.${NEW_PREDICTORS_GROUP}`;
  const used = new Set<string>();
  for (const p of NEW_PREDICTORS) {
    const chosen = isCalculated(group, p.dynamic.calculated)
      ? { variant: p.dynamic, staticOrDynamic: "DYNAMIC" }
      : isCalculated(group, p.static.calculated)
        ? { variant: p.static, staticOrDynamic: "STATIC" }
        : null;
    if (!chosen) continue;
    used
      .add(p.dynamic.calculated)
      .add(p.static.calculated)
      .add(chosen.variant.score)
      .add(chosen.variant.band);
    out.push(
      predictor(p.type, path, {
        score: scalar(group, chosen.variant.score),
        band: scalar(group, chosen.variant.band),
        staticOrDynamic: chosen.staticOrDynamic,
      }),
    );
  }
  for (const [k, v] of Object.entries(group)) if (!used.has(k)) carryExtra(extras, `${path}.${k}`, v);
}

/**
 * Raw predictors from the `riskscrass` entry for one assessment. Fields outside the known groups are
 * returned for the caller to route (assessment metadata it already has, or extras).
 */
export function extractPredictors(
  entry: OrdsRecord,
  base = "ords:riskscrass",
): { predictors: RawPredictor[]; extras: Extra[]; otherFields: string[] } {
  const predictors: RawPredictor[] = [];
  const extras: Extra[] = [];
  const otherFields: string[] = [];
  for (const [name, value] of Object.entries(entry)) {
    if (name in GROUPS && isRecord(value)) legacyGroup(name, value, base, predictors, extras);
    else if (name === NEW_PREDICTORS_GROUP && isRecord(value)) newGroup(value, base, predictors, extras);
    else otherFields.push(name);
  }
  return { predictors, extras, otherFields };
}
