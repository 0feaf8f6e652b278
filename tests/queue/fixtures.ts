/**
 * Example pairs (examples/pairs/, synthetic people) re-keyed for each test: a fresh check-valid PNC, CRN,
 * assessment pk and ARMS id replace the pair's own in the text, so tests in one schema never share a person.
 */
import { readFileSync } from "node:fs";
import type { ArmsAssessment } from "../../src/core/arms/model.ts";
import { newArmsId, newKeys, newPk } from "../store/support.ts";

const PAIRS = new URL("../../examples/pairs/", import.meta.url);

export interface Person {
  pnc: string;
  crn: string;
  assessmentPk: number;
  armsAssessmentId: string;
  /** The pair's OASys export, re-keyed. */
  oasysXml: (edit?: (xml: string) => string) => Uint8Array;
  /** The pair's ARMS documents in arrival order, re-keyed. */
  arms: ArmsAssessment[];
}

export function personFrom(pair: string): Person {
  const xml = readFileSync(new URL(`${pair}/oasys.xml`, PAIRS), "utf8");
  const json = readFileSync(new URL(`${pair}/arms.json`, PAIRS), "utf8");
  const pnc = /<pnc>([^<]+)<\/pnc>/.exec(xml)?.[1] as string;
  const crn = /<crn>([^<]+)<\/crn>/.exec(xml)?.[1] as string;
  const pk = /assessmentPk="(\d+)"/.exec(xml)?.[1] as string;
  const armsId = /"armsAssessmentId":\s*"([^"]+)"/.exec(json)?.[1] as string;
  const keys = newKeys();
  const fresh = { assessmentPk: newPk(), armsAssessmentId: newArmsId() };
  const rekey = (text: string) =>
    text
      .replaceAll(pnc, keys.pnc)
      .replaceAll(crn, keys.crn)
      .replaceAll(pk, String(fresh.assessmentPk))
      .replaceAll(armsId, fresh.armsAssessmentId);
  const docs = JSON.parse(rekey(json)) as ArmsAssessment | ArmsAssessment[];
  return {
    ...keys,
    ...fresh,
    oasysXml: (edit = (x) => x) => new TextEncoder().encode(edit(rekey(xml))),
    arms: Array.isArray(docs) ? docs : [docs],
  };
}
