/**
 * No personal data in the logs, end to end (issue 11, item 3): the whole stack (API, worker, simulated
 * agencies) with every log line captured at debug level while the bundled examples go through it (every
 * ARMS assessment, every OASys export, one event pulled from ORDS, until idle). Every synthetic name, date
 * of birth, PNC (as written and canonical), CRO and CRN the inputs hold is read from the example files and
 * looked for in the log text: none may appear. Push outcomes and dead letters are logged, by id, at the
 * default level.
 */
import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePnc, pncPivotYear } from "../../src/core/identity/identifiers.ts";
import { createLogger } from "../../src/log.ts";
import { authAs, tokenFor } from "../support/tokens.ts";
import { armsDocuments, armsFiles, oasysExportFiles } from "./expected.ts";
import { ORDS_DATA_DIR, type Stack, startStack, waitUntilIdle } from "./support.ts";

const E2E_TIMEOUT = 180_000;
const ORDS_EXPORT = `${ORDS_DATA_DIR}/served-only-by-ords.xml`;
const PULLED = { crn: "P900001", assessmentPk: 9650001 };

/** The personal values an OASys export holds, read from its offender elements. */
function personalValuesInXml(file: string): string[] {
  const xml = readFileSync(file, "utf8");
  const values: string[] = [];
  for (const m of xml.matchAll(/<(familyName|forename\d+|dateOfBirth|pnc|cro|crn|nomisId)>([^<]+)</g)) {
    const value = (m[2] as string).trim();
    values.push(value);
    if (m[1] === "pnc") {
      const canonical = parsePnc(value, pncPivotYear("2026-11-20")).canonical;
      if (canonical) values.push(canonical);
    }
  }
  return values;
}

/** The personal values an ARMS document's subject holds. */
function personalValuesInArms(doc: unknown): string[] {
  const subject = (doc as { subject?: Record<string, unknown> }).subject ?? {};
  const values = ["familyName", "givenName", "dateOfBirth", "pnc", "cro", "crn", "nomisId"]
    .map((k) => subject[k])
    .filter((v): v is string => typeof v === "string" && v.trim() !== "");
  const pnc = subject.pnc;
  if (typeof pnc === "string") {
    const canonical = parsePnc(pnc, pncPivotYear("2026-11-20")).canonical;
    if (canonical) values.push(canonical);
  }
  return values;
}

/** Placeholders (`UNKNOWN PNC`, `N/A`) are nobody's details, and words this short would match anything. */
const worthLookingFor = (v: string) => v.length >= 4 && !/^(UNKNOWN|N\/A|NONE|NOT KNOWN)/i.test(v);

interface Line {
  level: number;
  msg: string;
  [key: string]: unknown;
}

let stack: Stack;
const text: string[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      text.push(String(chunk));
      callback();
    },
  });
  stack = await startStack({ logger: createLogger({ level: "debug" }, sink) });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

/** ARMS assessments come from the ARMS system, the rest from the OASys system (signed in for real). */
const post = async (path: string, body: string | Buffer, contentType: string) => {
  const caller = path.startsWith("/v1/arms/") ? "arms-system" : "oasys-system";
  const res = await fetch(`${stack.api}${path}`, {
    method: "POST",
    headers: { "content-type": contentType, ...(await authAs(caller)) },
    body,
  });
  await res.arrayBuffer();
  return res.status;
};

describe("logs of a full run", () => {
  it(
    "hold no name, date of birth, PNC, CRO or CRN of any input, and log pushes and dead letters by id",
    async () => {
      const personal = new Set<string>();
      for (const file of armsFiles()) {
        for (const doc of armsDocuments(file)) {
          for (const v of personalValuesInArms(doc)) personal.add(v);
          expect(await post("/v1/arms/assessments", JSON.stringify(doc), "application/json")).toBe(202);
        }
      }
      await waitUntilIdle(stack, "the ARMS assessments");
      for (const file of oasysExportFiles()) {
        for (const v of personalValuesInXml(file)) personal.add(v);
        expect(await post("/v1/oasys/exports", readFileSync(file), "application/xml")).toBeLessThan(500);
      }
      for (const v of personalValuesInXml(ORDS_EXPORT)) personal.add(v);
      const event = JSON.stringify({
        eventType: "assessment.summary.produced",
        version: 1,
        occurredAt: "2026-11-20T10:00:00Z",
        detailUrl: `https://oasys.example/eor/oasys/ass/asssumm/${PULLED.crn}/ALLOW/${PULLED.assessmentPk}/COMPLETE`,
        personReference: { identifiers: [{ type: "CRN", value: PULLED.crn }] },
      });
      expect(await post("/v1/oasys/events", event, "application/json")).toBe(202);
      await waitUntilIdle(stack, "the OASys exports and the event");

      const log = text.join("");
      const looked = [...personal].filter(worthLookingFor);
      // The run used the examples' people, and the logs are not empty.
      expect(looked.length).toBeGreaterThan(60);
      expect(log.length).toBeGreaterThan(10_000);
      expect(log).toContain('"level":20'); // debug lines were written too
      expect(looked.filter((v) => log.includes(v))).toEqual([]);
      // Nor the bearer tokens the callers sent.
      for (const token of [await tokenFor("arms-system"), await tokenFor("oasys-system")]) {
        expect(log).not.toContain(token.split(".")[2]);
      }

      const lines = log
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Line);
      // Each delivered outbox row: a "push done" line at info naming its id.
      const delivered = await stack.db.query<{ id: string }>(
        "SELECT id FROM outbox WHERE state = 'DELIVERED'",
      );
      expect(delivered.length).toBeGreaterThan(10);
      const pushLines = lines.filter((l) => l.msg === "push done" && l.level === 30);
      const loggedDelivered = new Set(
        pushLines.filter((l) => l.delivery === "DELIVERED").map((l) => l.outboxId),
      );
      expect(delivered.filter((r) => !loggedDelivered.has(r.id))).toEqual([]);
      // Each dead letter: a line at warn or above naming its id.
      const letters = await stack.db.query<{ id: string }>("SELECT id FROM dead_letters");
      expect(letters.length).toBeGreaterThan(0);
      const lettered = new Set(lines.filter((l) => l.level >= 40).map((l) => l.deadLetterId));
      expect(letters.filter((l) => !lettered.has(l.id))).toEqual([]);
    },
    E2E_TIMEOUT,
  );
});
