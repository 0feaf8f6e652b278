/**
 * The same assessment, once exported as XML (contract §1) and once pulled over ORDS (contract §2), must
 * give the same canonical model.
 *
 * Everything is compared except `extras`. Extras are each source's raw carry-through of what the model
 * has no field for: their paths name the source (`assessment/superStatus` in XML,
 * `ords:section1.superStatus` in a pull) and each source holds things the other does not (ORDS's
 * weighted sub-scores, an export's unknown elements) and each keeps it in its own raw form (the XML reader
 * keeps an unknown element whole, ORDS the JSON value), so they are equal only by accident. The second
 * test checks instead that a value both sources hold is carried by both.
 */
import { fileURLToPath } from "node:url";
import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { IngestResult, OasysAssessment } from "../../../src/core/oasys/model.ts";
import { createOrdsClient } from "../../../src/ingest/ords/client.ts";
import { readOasysExportFile } from "../../../src/ingest/xml/reader.ts";
import { FIXTURES, MALE, ORDS_BASE, serveScenario } from "./ords-fixtures.ts";

const TODAY = "2026-11-20";

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

async function fromXml(file: string): Promise<OasysAssessment[]> {
  const results: IngestResult[] = [];
  for await (const r of readOasysExportFile(fileURLToPath(new URL(file, FIXTURES)), { today: TODAY })) {
    results.push(r);
  }
  return results.map((r) => {
    if (!r.ok) throw new Error(`XML record rejected: ${JSON.stringify(r.error)}`);
    return r.assessment;
  });
}

async function fromPull(s: { crn: string; pk: number }): Promise<OasysAssessment> {
  const r = await createOrdsClient({ baseUrl: ORDS_BASE, timeoutMs: 2_000 }).pullAssessment(s.crn, s.pk, {
    today: TODAY,
  });
  if (!r.ok) throw new Error(`pull rejected: ${JSON.stringify(r.error)}`);
  return r.assessment;
}

const withoutExtras = ({ extras: _, ...rest }: OasysAssessment) => rest;

describe("XML export and ORDS pull of the same assessment", () => {
  it("give deep-equal canonical models (extras aside)", async () => {
    const [xml, ...others] = await fromXml(`${MALE.name}.xml`);
    expect(others).toEqual([]);
    serveScenario(MALE);
    const pulled = await fromPull(MALE);

    expect(withoutExtras(xml as OasysAssessment)).toEqual(withoutExtras(pulled));
    // Guard against a vacuous pass: the model compared is the full one.
    expect(Object.keys(pulled.answers)).toHaveLength(78);
    expect(pulled.predictors).toHaveLength(10);
    expect(pulled.rosh?.levels).toHaveLength(9);
  });

  it("both carry the value the model has no field for, each under its own source path", async () => {
    const [xml] = await fromXml(`${MALE.name}.xml`);
    serveScenario(MALE);
    const pulled = await fromPull(MALE);
    // The XML reader keeps an unknown leaf element whole; ORDS gives the bare JSON value.
    expect(xml?.extras).toContainEqual({
      path: "assessment/superStatus",
      raw: "<superStatus>COMPLETE</superStatus>",
    });
    expect(pulled.extras).toContainEqual({ path: "ords:section1.superStatus", raw: "COMPLETE" });
  });
});
