/**
 * Fills the simulated ORDS service from a directory, walked recursively in name order:
 * - every `*.xml` file is read as an OASys export (contract §1) with the project's streaming reader, and
 *   each accepted assessment is rendered to ORDS bodies; rejected records and refused files are reported,
 *   never fatal;
 * - every folder holding a `section1.json` is one assessment served verbatim: `<endpoint>.json` files
 *   (`section6.json`, `sectionroshsumm.json`, `riskscrass.json`, `rmp.json`) are the bodies, as in
 *   `tests/fixtures/ords/<scenario>/`.
 * A later file with the same assessment pk replaces an earlier one.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { isBridgeError } from "../../src/errors.ts";
import { readOasysExportFile } from "../../src/ingest/xml/reader.ts";
import { OrdsStore } from "./store.ts";

/** The project's bundled examples: the default data when `--data` is not given. */
export const DEFAULT_DATA_DIR = fileURLToPath(new URL("../../examples/", import.meta.url));

export interface OrdsLoadReport {
  assessments: number;
  files: number;
  /** `file: reason` for refused files and rejected records (ids only, never personal data). */
  skipped: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function walk(dir: string): { xml: string[]; ordsDirs: string[] } {
  const xml: string[] = [];
  const ordsDirs: string[] = [];
  const visit = (d: string) => {
    const names = readdirSync(d).sort();
    if (names.includes("section1.json")) ordsDirs.push(d);
    for (const name of names) {
      const path = join(d, name);
      const st = statSync(path);
      if (st.isDirectory()) visit(path);
      else if (name.endsWith(".xml")) xml.push(path);
    }
  };
  visit(dir);
  return { xml, ordsDirs };
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8"));
}

function addVerbatimFolder(store: OrdsStore, dir: string): void {
  const bodies: Record<string, unknown> = {};
  let rmp: unknown | null = null;
  for (const name of readdirSync(dir).sort()) {
    const m = /^(section\d+|sectionroshsumm|riskscrass|rmp)\.json$/.exec(name);
    if (!m) continue;
    if (m[1] === "rmp") rmp = readJson(join(dir, name));
    else bodies[m[1] as string] = readJson(join(dir, name));
  }
  const section1 = bodies.section1;
  const entry = isObject(section1) && Array.isArray(section1.assessments) ? section1.assessments[0] : null;
  if (!isObject(section1) || !isObject(entry)) throw new Error("section1.json has no assessments entry");
  const inputs = isObject(section1.inputs) ? section1.inputs : {};
  const pk = Number(inputs.assessmentPk ?? entry.assessmentPk);
  if (!Number.isSafeInteger(pk) || pk < 1) throw new Error("section1.json names no assessment pk");
  const crn = String(section1.probNumber ?? "");
  if (crn === "") throw new Error("section1.json has no probNumber (CRN)");
  store.addVerbatim({
    assessmentPk: pk,
    crn,
    limitedAccessOffender: section1.limitedAccessOffender === true,
    bodies,
    rmp,
    timelineEntry: {
      assessmentPk: pk,
      assessmentType: entry.assessmentType ?? null,
      initiationDate: entry.initiationDate ?? null,
      status: entry.assessmentStatus ?? null,
      completedDate: entry.dateCompleted ?? null,
    },
  });
}

/** Loads `dir` into `store` (a new one when not given). `today` is the reader's PNC year pivot. */
export async function loadOrdsData(
  dir: string,
  options: { today: string; store?: OrdsStore },
): Promise<{ store: OrdsStore; report: OrdsLoadReport }> {
  const store = options.store ?? new OrdsStore();
  const report: OrdsLoadReport = { assessments: 0, files: 0, skipped: [] };
  const { xml, ordsDirs } = walk(dir);
  const name = (p: string) => relative(dir, p) || ".";
  for (const file of xml) {
    report.files += 1;
    try {
      for await (const r of readOasysExportFile(file, { today: options.today })) {
        if (r.ok) {
          store.addAssessment(r.assessment);
          report.assessments += 1;
        } else {
          report.skipped.push(`${name(file)}: record ${r.error.index ?? "?"} rejected (${r.error.code})`);
        }
      }
    } catch (e) {
      if (!isBridgeError(e)) throw e;
      report.skipped.push(`${name(file)}: file refused (${e.code})`);
    }
  }
  for (const d of ordsDirs) {
    report.files += 1;
    try {
      addVerbatimFolder(store, d);
      report.assessments += 1;
    } catch (e) {
      report.skipped.push(`${name(d)}: ${(e as Error).message}`);
    }
  }
  return { store, report };
}
