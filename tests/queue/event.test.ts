/**
 * The event path: an `assessment.summary.produced` event (CRN + pk) becomes an ingest job that pulls the
 * assessment from OASys over ORDS (bearer token from the token endpoint), saves it as an ORDS_PULL version
 * and hands it on to reconciliation. ORDS and the token endpoint are the agency simulators (simulators/),
 * serving the example pair re-keyed; the same event twice adds one job and one effect.
 */
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_CLIENT,
  OrdsStore,
  type RunningSimulators,
  startSimulators,
} from "../../simulators/index.ts";
import type { Config } from "../../src/config.ts";
import type { OasysAssessment } from "../../src/core/oasys/model.ts";
import { readOasysExport } from "../../src/ingest/xml/reader.ts";
import { jobIds, QUEUES } from "../../src/queue/jobs.ts";
import { type BullProducer, createProducer } from "../../src/queue/producer.ts";
import { type RunningWorker, startWorker } from "../../src/queue/worker.ts";
import type { Db } from "../../src/store/index.ts";
import { saveArmsRevision } from "../../src/store/repositories/arms.ts";
import { listDeadLetters } from "../../src/store/repositories/dead-letters.ts";
import { getOasysAssessment } from "../../src/store/repositories/oasys.ts";
import { personFrom } from "./fixtures.ts";
import { dropPrefix, postgresStore, silentLog, testConfig, uniquePrefix, waitFor } from "./support.ts";

const prefix = uniquePrefix();
let db: Db;
let done: () => Promise<void>;
let sims: RunningSimulators;
let config: Config;
let worker: RunningWorker;
let producer: BullProducer;

async function canonical(xml: Uint8Array): Promise<OasysAssessment> {
  for await (const r of readOasysExport(Readable.from([xml]), { today: "2026-11-20" })) {
    if (r.ok) return r.assessment;
  }
  throw new Error("the fixture has no accepted assessment");
}

beforeAll(async () => {
  ({ db, done } = await postgresStore());
  sims = await startSimulators({ ords: new OrdsStore() });
  const credentials = (agency: string) => ({
    [`${agency}_TOKEN_URL`]: `${sims.url}/oauth/token`,
    [`${agency}_CLIENT_ID`]: DEFAULT_CLIENT.clientId,
    [`${agency}_CLIENT_SECRET`]: DEFAULT_CLIENT.clientSecret,
  });
  config = testConfig(prefix, db.schema, {
    ORDS_BASE_URL: sims.url,
    ARMS_BASE_URL: sims.url,
    OASYS_BASE_URL: sims.url,
    ...credentials("ORDS"),
    ...credentials("ARMS"),
    ...credentials("OASYS"),
  });
  worker = await startWorker({
    config,
    db,
    log: silentLog,
    sweeper: false,
    backoff: { baseMs: 20, capMs: 200, maxRetryAfterMs: 2_000 },
  });
  producer = createProducer({ redisUrl: config.redisUrl, prefix, attempts: config.worker.pushAttempts });
});

afterAll(async () => {
  await producer?.close();
  await worker?.close();
  await sims?.close();
  await done?.();
  await dropPrefix(prefix);
});

describe("assessment.summary.produced -> ORDS pull -> reconcile -> push", () => {
  it("pulls, saves as ORDS_PULL and reconciles; the same event twice is one job, one effect", async () => {
    const person = personFrom("matched-consistent");
    sims.ords.addAssessment(await canonical(person.oasysXml()));
    // An ORDS pull carries no date of birth (section1 has none: the canonical model holds null), so the
    // police record here has none either, or the identity rules would hold the pushes back (ID-3).
    const arms = person.arms[0]!;
    await saveArmsRevision(
      db,
      { ...arms, subject: { ...arms.subject, dateOfBirth: null } },
      new Date().toISOString(),
    );

    const event = {
      type: "OASYS_EVENT",
      crn: person.crn,
      assessmentPk: person.assessmentPk,
      eventId: "evt-1",
    } as const;
    await Promise.all([producer.ingest(event), producer.ingest(event)]);
    const reconcileKey = jobIds.reconcile({
      source: "OASYS",
      record: String(person.assessmentPk),
      revision: 1,
    });
    const reconciled = await waitFor("the pulled assessment reconciled", async () => {
      const rows = await db.query<{ outcome: { personId: string | null } }>(
        "SELECT outcome FROM processed_jobs WHERE job_key = $1",
        [reconcileKey],
      );
      return rows[0];
    });
    expect(reconciled.outcome.personId).toEqual(expect.any(String));
    const held = await getOasysAssessment(db, person.assessmentPk);
    expect(held).toMatchObject({ sourceKind: "ORDS_PULL", exportId: null, version: 1 });
    const jobs = await producer.queues[QUEUES.ingest].getJobs();
    expect(jobs.map((j) => j.data)).toEqual([event]);
    const processed = await db.query("SELECT 1 FROM processed_jobs WHERE job_key = $1", [
      jobIds.ingest(event),
    ]);
    expect(processed).toHaveLength(1);
  });

  it("dead-letters an event for an assessment OASys does not have, without retrying", async () => {
    const event = {
      type: "OASYS_EVENT",
      crn: "X999999",
      assessmentPk: 9_999_999,
      eventId: "evt-404",
    } as const;
    await producer.ingest(event);
    const letter = await waitFor("dead letter", async () =>
      (await listDeadLetters(db, { stage: "INGEST" })).items.find(
        (d) => d.subject.jobKey === jobIds.ingest(event),
      ),
    );
    expect(letter).toMatchObject({ errorCode: "BRIDGE_E_ORDS_NOT_FOUND", attempts: 1 });
  });
});
