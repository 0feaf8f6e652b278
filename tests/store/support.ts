/**
 * Shared set-up for the store suite: every test file runs once per driver (real PostgreSQL on this machine,
 * and PGlite in memory), each in a schema of its own that is dropped afterwards. Plus small factories for
 * synthetic records (no real people).
 */
import { randomBytes } from "node:crypto";
import type { ArmsAssessment } from "../../src/core/arms/model.ts";
import type { Conflict, Evidence, Severity } from "../../src/core/conflicts/types.ts";
import { checkLetter } from "../../src/core/identity/identifiers.ts";
import type { AssessmentStatus, OasysAssessment } from "../../src/core/oasys/model.ts";
import { type Db, type DbConfig, dropSchema, openDb } from "../../src/store/db.ts";
import { migrate } from "../../src/store/migrate.ts";

export const DATABASE_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

export const uniqueSchema = (): string => `bridge_t_${process.pid}_${randomBytes(4).toString("hex")}`;

export interface DriverCase {
  driver: "postgres" | "pglite";
  config: (schema: string) => DbConfig;
}

export const DRIVERS: DriverCase[] = [
  { driver: "postgres", config: (schema) => ({ databaseUrl: DATABASE_URL, schema }) },
  { driver: "pglite", config: (schema) => ({ schema }) },
];

/** Opens a fresh, migrated schema on the driver; `done()` drops it and closes. */
export async function freshStore(driver: DriverCase): Promise<{ db: Db; done: () => Promise<void> }> {
  const db = await openDb(driver.config(uniqueSchema()));
  await migrate(db);
  return {
    db,
    done: async () => {
      await dropSchema(db);
      await db.close();
    },
  };
}

let serial = 100;
/** A check-valid canonical PNC and a CRN, distinct on every call. */
export function newKeys(): { pnc: string; crn: string } {
  serial += 1;
  const seven = String(serial).padStart(7, "0");
  return { pnc: `2008/${seven}${checkLetter(`08${seven}`)}`, crn: `X${String(serial).padStart(6, "0")}` };
}

let pkSerial = 9_630_000;
export const newPk = (): number => ++pkSerial;
let armsSerial = 0;
export const newArmsId = (): string =>
  `ARMS-ESX-${String(++armsSerial).padStart(6, "0")}-${randomBytes(2).toString("hex")}`;

const id = (canonical: string | null) => (canonical ? { raw: canonical, canonical, valid: true } : null);

export function oasysAssessment(options: {
  pk: number;
  keys: { pnc?: string | null; crn?: string | null };
  status?: AssessmentStatus;
  dateCompleted?: string | null;
  laterCompleteAssessmentExists?: boolean | null;
  answers?: OasysAssessment["answers"];
}): OasysAssessment {
  return {
    schema: "oasys-canonical/1",
    assessmentPk: options.pk,
    type: "LAYER3",
    version: "1",
    status: options.status ?? "COMPLETE",
    partcompStatus: null,
    purposeCode: 270,
    purposeDescription: null,
    initiationDate: "2026-10-01T09:00:00",
    assessorSignedDate: null,
    dateCompleted: options.dateCompleted === undefined ? "2026-10-03T14:05:00" : options.dateCompleted,
    later: {
      laterWIPAssessmentExists: null,
      latestWIPDate: null,
      laterSignLockAssessmentExists: null,
      latestSignLockDate: null,
      laterPartCompUnsignedAssessmentExists: null,
      latestPartCompUnsignedDate: null,
      laterPartCompSignedAssessmentExists: null,
      latestPartCompSignedDate: null,
      laterCompleteAssessmentExists: options.laterCompleteAssessmentExists ?? false,
      latestCompleteDate: null,
    },
    offender: {
      oasysOffenderPk: 445566,
      crn: id(options.keys.crn ?? null),
      pnc: id(options.keys.pnc ?? null),
      cro: null,
      nomisId: null,
      familyName: "TESTCASE",
      forenames: ["SYNTHETIC"],
      dateOfBirth: "1980-02-01",
      gender: "MALE",
      limitedAccessOffender: false,
      inCustody: false,
      mergedPnc: null,
      mergedOffenderPk: null,
    },
    answers: options.answers ?? { "11.11": { raw: "2", value: { kind: "score", score: 2 } } },
    sections: {},
    rosh: null,
    predictors: [],
    rmp: null,
    extras: [],
    warnings: [],
  };
}

export function armsAssessment(options: {
  id: string;
  revision: number;
  keys: { pnc?: string | null; crn?: string | null };
  riskLevel?: ArmsAssessment["riskLevel"];
  force?: string;
}): ArmsAssessment {
  return {
    schema: "arms-interchange/1",
    armsAssessmentId: options.id,
    revision: options.revision,
    force: options.force ?? "ESSEX",
    status: "COMPLETE",
    subject: { pnc: options.keys.pnc ?? null, crn: options.keys.crn ?? null, familyName: "TESTCASE" },
    assessedOn: "2026-09-12",
    riskFactors: { SEXUAL_PREOCCUPATION: { rating: "NOT_PRESENT" } },
    protectiveFactors: {},
    riskLevel: options.riskLevel ?? "HIGH",
  };
}

export function conflict(
  ruleId: string,
  about: string,
  options: { severity?: Severity; oasysValue?: Evidence["value"]; armsValue?: Evidence["value"] } = {},
): Conflict {
  return {
    ruleId,
    severity: options.severity ?? "WARN",
    explanation: `${ruleId} fired on ${about}`,
    fingerprint: `${ruleId}:${about}`,
    evidence: [
      {
        side: "OASYS",
        field: "11.11",
        value: options.oasysValue ?? 2,
        record: "9630348",
        date: "2026-10-03",
      },
      {
        side: "ARMS",
        field: about,
        value: options.armsValue ?? "NOT_PRESENT",
        record: "ARMS-1@3",
        date: "2026-09-12",
      },
    ],
  };
}

/** The BridgeError code a promise rejects with (undefined if it resolves). */
export async function rejectionCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}
