/**
 * The simulated ORDS service, read by the bridge's own ORDS client: every example assessment, rendered
 * from its XML export, pulls back to the same canonical content as far as ORDS carries it; verbatim ORDS
 * folders are served as they are; unknown ids, privileges and missing tokens answer as OASys would.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_DATA_DIR,
  loadOrdsData,
  type RunningSimulators,
  startSimulators,
} from "../../simulators/index.ts";
import { readInputs } from "../../src/cli/inputs.ts";
import { createClientCredentialsTokenProvider } from "../../src/clients/token.ts";
import type { OasysAssessment } from "../../src/core/oasys/model.ts";
import { QUESTION_BY_CODE } from "../../src/core/oasys/questions.ts";
import { createOrdsClient, type OrdsClient } from "../../src/ingest/ords/client.ts";
import { PULLED_SECTIONS } from "../../src/ingest/ords/extract.ts";
import { readOasysExportFile } from "../../src/ingest/xml/reader.ts";

const TODAY = "2026-11-20";
const FIXTURE = "tests/fixtures/ords/male-sexual-offending-9630348";
/** Predictor types the legacy `riskscrass` groups carry. */
const ORDS_PREDICTORS = new Set([
  "OGRS3_1YR",
  "OGRS3_2YR",
  "OGP",
  "OVP",
  "RSR",
  "OSP_C",
  "OSP_I",
  "OSP_DC",
  "OSP_IIC",
]);

let sim: RunningSimulators;
let client: OrdsClient;
let examples: OasysAssessment[];
let skipped: string[];

/**
 * What an ORDS pull can carry of an assessment. Not carried by ORDS (domain brief §2.10): items with no
 * ORDS field, sections the pull does not fetch, RM2000, OSP algorithm versions, a separate OGRS3 1-year band
 * (OASys holds one OGRS3 band, on the 2-year score), MAPPA in the RMP, DOB, CRO, purpose code.
 */
function ordsView(a: OasysAssessment) {
  return {
    pk: a.assessmentPk,
    type: a.type,
    status: a.status,
    version: a.version,
    dates: [a.initiationDate, a.assessorSignedDate, a.dateCompleted],
    later: a.later,
    offender: {
      crn: a.offender.crn,
      pnc: a.offender.pnc,
      nomisId: a.offender.nomisId,
      familyName: a.offender.familyName,
      forename: a.offender.forenames[0] ?? null,
      gender: a.offender.gender,
      lao: a.offender.limitedAccessOffender,
      inCustody: a.offender.inCustody,
    },
    answers: Object.fromEntries(
      Object.entries(a.answers).filter(([code]) => QUESTION_BY_CODE.get(code)?.ords),
    ),
    sections: Object.fromEntries(
      PULLED_SECTIONS.filter((code) => code in a.sections).map((code) => [code, a.sections[code]]),
    ),
    rosh: a.rosh,
    predictors: a.predictors
      .filter((p) => ORDS_PREDICTORS.has(p.type))
      .map((p) => ({
        type: p.type,
        score: p.score,
        band: p.type === "OGRS3_1YR" ? null : p.band,
        staticOrDynamic: p.staticOrDynamic,
        algorithmVersion: p.type.startsWith("OSP") ? null : p.algorithmVersion,
      })),
    rmp: a.rmp ? { ...a.rmp, mappa: null } : null,
  };
}

beforeAll(async () => {
  const loaded = await loadOrdsData(DEFAULT_DATA_DIR, { today: TODAY });
  skipped = loaded.report.skipped;
  sim = await startSimulators({ ords: loaded.store });
  const tokenProvider = createClientCredentialsTokenProvider({
    tokenUrl: `${sim.url}/oauth/token`,
    clientId: "bridge",
    clientSecret: "bridge-secret",
    timeoutMs: 2_000,
  });
  client = createOrdsClient({ baseUrl: sim.url, timeoutMs: 2_000, tokenProvider, retry: { maxAttempts: 1 } });
  const files = [
    ...readdirSync("examples/oasys").map((f) => join("examples/oasys", f)),
    ...readdirSync("examples/pairs", { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => join("examples/pairs", d.name, "oasys.xml")),
  ];
  examples = (await readInputs(files, [], TODAY)).oasys;
});
afterAll(async () => sim.close());

describe("ORDS rendered from OASys exports", () => {
  it("loads every accepted example assessment and reports what it skipped", () => {
    expect(examples.length).toBeGreaterThan(25);
    expect(skipped).toEqual([
      "oasys/hostile-doctype.xml: file refused (BRIDGE_E_XML_DOCTYPE_REFUSED)",
      "oasys/malformed-one-of-three.xml: record 2 rejected (BRIDGE_E_RECORD_BAD_VALUE)",
    ]);
  });

  it("a pull of each example gives back what its XML export says, as far as ORDS carries it", async () => {
    // A pk that appears in two example files is served as the later one; compare against that one.
    const latest = new Map(examples.map((a) => [a.assessmentPk, a]));
    for (const a of latest.values()) {
      const pulled = await client.pullAssessment(a.offender.crn?.canonical ?? "", a.assessmentPk, {
        today: TODAY,
      });
      if (!pulled.ok) throw new Error(`pk ${a.assessmentPk}: ${pulled.error.code} ${pulled.error.reason}`);
      expect(ordsView(pulled.assessment), `pk ${a.assessmentPk}`).toEqual(ordsView(a));
    }
  });

  it("lists a person's assessments (allasslist) for the timeline", async () => {
    const twoOfOne = (await readInputs(["examples/oasys/later-complete-exists.xml"], [], TODAY)).oasys;
    const crn = twoOfOne[0]?.offender.crn?.canonical ?? "";
    const timeline = await client.listAssessments(crn);
    expect(timeline.assessments.map((e) => e.assessmentPk).sort()).toEqual(
      twoOfOne.map((a) => a.assessmentPk).sort(),
    );
    expect(timeline.assessments.every((e) => e.type !== null && e.status !== null)).toBe(true);
  });
});

describe("ORDS served verbatim from a folder of real bodies", () => {
  it("pulls the fixture's assessment as the client reads the same bodies", async () => {
    const { store, report } = await loadOrdsData(FIXTURE, { today: TODAY });
    expect(report).toEqual({ assessments: 1, files: 1, skipped: [] });
    const verbatim = await startSimulators({ ords: store, ordsAuth: false });
    const open = createOrdsClient({ baseUrl: verbatim.url, timeoutMs: 2_000, retry: { maxAttempts: 1 } });
    const pulled = await open
      .pullAssessment("X123456", 9630348, { today: TODAY })
      .finally(() => verbatim.close());
    if (!pulled.ok) throw new Error(pulled.error.reason);
    expect(pulled.assessment.answers["11.11"]?.raw).toBe("1-Some problems");
    expect(pulled.assessment.rosh?.levels).toContainEqual({
      group: "STAFF",
      setting: "CUSTODY",
      level: "VERY_HIGH",
    });
    // The same XML the ORDS fixtures describe (tests/fixtures/ords/SOURCE.md) agrees on the sexual items.
    for await (const r of readOasysExportFile(`${FIXTURE}.xml`, { today: TODAY })) {
      if (!r.ok) throw new Error("fixture XML did not parse");
      for (const code of ["6.12", "11.11", "11.12", "12.9"]) {
        expect(pulled.assessment.answers[code]?.value, code).toEqual(r.assessment.answers[code]?.value);
      }
    }
  });
});

describe("ORDS answers as OASys would", () => {
  const get = (path: string, auth?: string) =>
    fetch(`${sim.url}/eor/oasys/ass/${path}`, auth ? { headers: { authorization: auth } } : {});
  const bearer = async () => {
    const res = await fetch(`${sim.url}/oauth/token`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: "bridge",
        client_secret: "bridge-secret",
      }),
    });
    return `Bearer ${((await res.json()) as { access_token: string }).access_token}`;
  };

  it("401 without a token", async () => {
    expect((await get("section1/ALLOW/9640101")).status).toBe(401);
  });

  it("404 for an unknown assessment, person, section or path", async () => {
    const auth = await bearer();
    expect((await get("section1/ALLOW/1", auth)).status).toBe(404);
    expect((await get("allasslist/prob/Z999999/ALLOW", auth)).status).toBe(404);
    expect((await get("section9/ALLOW/9630502", auth)).status).toBe(404);
    expect((await get("sectionfoo/ALLOW/9640101", auth)).status).toBe(404);
  });

  it("serves a limited-access offender under ALLOW only (403 under LIMIT)", async () => {
    const auth = await bearer();
    const lao = examples.find((a) => a.offender.limitedAccessOffender);
    if (!lao) throw new Error("the examples have a limited-access offender");
    expect((await get(`section1/ALLOW/${lao.assessmentPk}`, auth)).status).toBe(200);
    expect((await get(`section1/LIMIT/${lao.assessmentPk}`, auth)).status).toBe(403);
    const other = (await get("section1/LIMIT/9640101", auth)) as Response;
    expect(other.status).toBe(200);
    expect(((await other.json()) as { inputs: { laoPrivilege: string } }).inputs.laoPrivilege).toBe("LIMIT");
  });
});
