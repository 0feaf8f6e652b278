/**
 * End to end: the API, a worker and the simulated agencies against this machine's PostgreSQL and Redis.
 * The bundled ARMS assessments and OASys exports are posted to the API, plus one HMPPS event whose
 * assessment the bridge must pull from (simulated) ORDS; when the pipeline is idle, the simulated police
 * and probation must hold exactly the pushes an in-process reconciliation of the same inputs allows: one
 * ARMS draft per person cleared for police, one partner update per person cleared for probation, nothing
 * for people held by an undecided BLOCK or WARN conflict or a weak match, nothing twice (every request is
 * sent twice at once, as a retrying client would). Reviewers' decisions then release two held people (one
 * held by a WARN, one by a BLOCK with two signed-in reviewers): what their holds kept back reaches the agencies once,
 * and the time from the decision to the receipt is printed. Posting everything again later changes nothing; a later ARMS
 * revision brings probation a new update and a correction notice; and a run with faults (5xx, 429 +
 * Retry-After, a reset, a lost answer, a time-out) ends with the same deliveries.
 *
 * ARMS assessments go first and the pipeline is let go idle before the OASys side arrives: with ARMS alone
 * nothing may be sent (no OASys to pre-fill from or to report to), so every person is reconciled with both
 * sides present and the expectation is the final state's, whatever order the queues run in.
 *
 * Callers sign in at the run's bundled identity provider: the ARMS system posts ARMS assessments, the OASys
 * system exports and events, data-team people decide.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Received } from "../../simulators/index.ts";
import { createClientCredentialsTokenProvider } from "../../src/clients/token.ts";
import type { OasysAssessment } from "../../src/core/oasys/model.ts";
import { createOrdsClient } from "../../src/ingest/ords/client.ts";
import { authAs, type Person } from "../support/tokens.ts";
import {
  afterDecisions,
  armsDocuments,
  armsFiles,
  type Expected,
  expectedPushes,
  oasysExportFiles,
} from "./expected.ts";
import { type Stack, type StackOptions, startStack, today, waitFor, waitUntilIdle } from "./support.ts";

/** The person only OASys's REST API knows (tests/e2e/fixtures/ords/served-only-by-ords.xml). */
const PULLED = { crn: "P900001", assessmentPk: 9650001 };
const E2E_TIMEOUT = 180_000;

interface Posted {
  arms: number[];
  /** Export file -> HTTP status. */
  exports: Map<string, number>;
  event: number;
}

interface ReceivedView {
  received: Received[];
  stats: Record<"ARMS" | "OASYS", { requests: number; accepted: number; replays: number; rejected: number }>;
  rejections: unknown[];
  tokensIssued: number;
}

const json = { "content-type": "application/json" };

async function post(url: string, body: string | Buffer, headers: Record<string, string>): Promise<number> {
  const res = await fetch(url, { method: "POST", headers, body });
  await res.arrayBuffer();
  return res.status;
}

/** The HMPPS event for the pulled person; fixed, so posting it again is a re-delivery of the same event. */
const domainEvent = JSON.stringify({
  eventType: "assessment.summary.produced",
  version: 1,
  occurredAt: "2026-11-20T10:00:00Z",
  description: "Assessment summary produced",
  detailUrl: `https://oasys.example/eor/oasys/ass/asssumm/${PULLED.crn}/ALLOW/${PULLED.assessmentPk}/COMPLETE`,
  personReference: { identifiers: [{ type: "CRN", value: PULLED.crn }] },
});

/**
 * ARMS first, then (once idle) every OASys export and the event; waits for idle after each phase. With
 * `copies: 2` every request goes twice at once, as a client retrying over a flaky network would.
 */
async function postEverything(stack: Stack, copies = 1): Promise<Posted> {
  const twice = async (send: () => Promise<number>): Promise<number> => {
    const statuses = await Promise.all(Array.from({ length: copies }, send));
    // A copy may be told it is a duplicate (200 rather than 202), but copies are taken or refused alike.
    const taken = statuses.map((status) => status >= 200 && status < 300);
    expect(new Set(taken).size, `the copies of a request are answered alike: ${statuses.join(", ")}`).toBe(1);
    return Math.max(...statuses);
  };
  const police = { ...json, ...(await authAs("arms-system")) };
  const probation = await authAs("oasys-system");
  const arms: number[] = [];
  for (const file of armsFiles()) {
    for (const doc of armsDocuments(file)) {
      arms.push(await twice(() => post(`${stack.api}/v1/arms/assessments`, JSON.stringify(doc), police)));
    }
  }
  await waitUntilIdle(stack, "the ARMS assessments");
  const exports = new Map<string, number>();
  for (const file of oasysExportFiles()) {
    const bytes = readFileSync(file);
    exports.set(
      file,
      await twice(() =>
        post(`${stack.api}/v1/oasys/exports`, bytes, { "content-type": "application/xml", ...probation }),
      ),
    );
  }
  const event = await twice(() =>
    post(`${stack.api}/v1/oasys/events`, domainEvent, { ...json, ...probation }),
  );
  await waitUntilIdle(stack, "the OASys exports and the event");
  return { arms, exports, event };
}

async function received(stack: Stack): Promise<ReceivedView> {
  return (await (await fetch(`${stack.sim.url}/__received`)).json()) as ReceivedView;
}

/** The pulled assessment as the service sees it: through the bridge's ORDS client from the simulator. */
async function pullForExpectation(stack: Stack): Promise<OasysAssessment> {
  const tokenProvider = createClientCredentialsTokenProvider({
    tokenUrl: `${stack.sim.url}/oauth/token`,
    clientId: "bridge",
    clientSecret: "bridge-secret",
    timeoutMs: 5_000,
  });
  const ords = createOrdsClient({ baseUrl: stack.sim.url, timeoutMs: 5_000, tokenProvider });
  const pulled = await ords.pullAssessment(PULLED.crn, PULLED.assessmentPk, { today: today() });
  if (!pulled.ok) throw new Error(`the e2e ORDS fixture did not pull: ${pulled.error.reason}`);
  return pulled.assessment;
}

const sorted = (values: string[]) => [...values].sort();

const RESOLVE = {
  action: "RESOLVE",
  decision: "Both judgements stand; noted for the next review",
  rationale: "Reviewed with both agencies",
};

/** A signed-in reviewer's decision through the API; fails the test on anything but 200. */
async function decide(
  stack: Stack,
  conflictId: string,
  reviewer: Person,
  body: Record<string, unknown>,
): Promise<{ release: { released: { idempotencyKey: string }[] } }> {
  const res = await fetch(`${stack.api}/v1/conflicts/${conflictId}/decisions`, {
    method: "POST",
    headers: { ...json, ...(await authAs(reviewer)) },
    body: JSON.stringify(body),
  });
  const answer = (await res.json()) as { release: { released: { idempotencyKey: string }[] } };
  expect(res.status, JSON.stringify(answer)).toBe(200);
  return answer;
}

/** Exactly the expected pushes, each once, and the bridge's own record agrees. */
async function expectExactlyTheExpectedPushes(stack: Stack, expected: Expected): Promise<ReceivedView> {
  const got = await received(stack);
  const police = got.received.filter((r) => r.recipient === "ARMS");
  const probation = got.received.filter((r) => r.recipient === "OASYS");

  expect(police.map((r) => r.documentType)).toEqual(police.map(() => "arms-interchange/1"));
  expect(probation.map((r) => r.documentType)).toEqual(probation.map(() => "partnerRiskUpdate"));
  expect(sorted(police.map((r) => r.ids.oasysAssessmentPk ?? "?"))).toEqual(
    sorted(expected.police.map((p) => p.oasysAssessmentPk)),
  );
  expect(sorted(probation.map((r) => `${r.ids.oasysAssessmentPk}|${r.ids.armsAssessmentId}`))).toEqual(
    sorted(expected.probation.map((p) => `${p.oasysAssessmentPk}|${p.armsAssessmentId}`)),
  );
  // The draft police received is the one the reconciliation proposes, field for field.
  for (const p of expected.police) {
    const push = police.find((r) => r.ids.oasysAssessmentPk === p.oasysAssessmentPk);
    expect(push?.body, `draft for assessment ${p.oasysAssessmentPk}`).toEqual(p.draft);
  }
  // Nothing for anyone held back.
  const sentPks = new Set(got.received.map((r) => r.ids.oasysAssessmentPk));
  for (const r of [...expected.heldByBlock, ...expected.heldByWeakMatch]) {
    expect(sentPks.has(String(r.subject.oasysAssessmentPk)), `${r.personKey} is held back`).toBe(false);
  }
  expect(got.rejections).toEqual([]);

  // The bridge's own record: every outbox row delivered, one per push, no dead letters.
  const rows = await stack.db.query<{ recipient: string; state: string; n: string }>(
    "SELECT recipient, state, count(*) AS n FROM outbox GROUP BY recipient, state ORDER BY recipient, state",
  );
  expect(rows.map((r) => [r.recipient, r.state, Number(r.n)])).toEqual(
    [
      ["ARMS", "DELIVERED", expected.police.length],
      ["OASYS", "DELIVERED", expected.probation.length],
    ].filter(([, , n]) => n !== 0),
  );
  // Dead letters: only the exports with rejected records, one each (a person must look at those).
  const dead = await stack.db.query<{ stage: string; error_code: string }>(
    "SELECT stage, error_code FROM dead_letters ORDER BY error_code",
  );
  expect(dead).toEqual(expected.deadLetters);
  return got;
}

function expectNonTrivial(expected: Expected) {
  // The examples must exercise every branch, or the equalities above prove little.
  expect(expected.police.length).toBeGreaterThanOrEqual(10);
  expect(expected.probation.length).toBeGreaterThanOrEqual(4);
  // Held by an undecided BLOCK, and by an undecided WARN (pushPolicy), each with a confirmed match.
  const held = expected.heldByBlock.filter((r) => r.match.status === "MATCHED");
  expect(held.some((r) => r.push.heldBySeverity.BLOCK)).toBe(true);
  expect(held.some((r) => r.push.heldBySeverity.WARN)).toBe(true);
  expect(expected.heldByWeakMatch.length).toBeGreaterThanOrEqual(1);
  expect(expected.refusedExports.length).toBeGreaterThanOrEqual(1);
  expect(expected.deadLetters.length).toBeGreaterThanOrEqual(1);
  expect(expected.police.some((p) => p.oasysAssessmentPk === String(PULLED.assessmentPk))).toBe(true);
}

/** A later revision of one bundled ARMS assessment: the review date moved, nothing else. */
function laterRevision(): { doc: Record<string, unknown>; file: string } {
  const [first] = armsDocuments("examples/pairs/matched-consistent/arms.json") as Record<string, unknown>[];
  const doc = { ...first, revision: Number(first?.revision) + 1, nextReviewDue: "2027-01-12" };
  const file = join(mkdtempSync(join(tmpdir(), "bridge-e2e-")), "arms-revision.json");
  writeFileSync(file, JSON.stringify(doc));
  return { doc, file };
}

const attribute = (xml: unknown, name: string): string | null =>
  new RegExp(`\\b${name}="([^"]*)"`).exec(String(xml))?.[1] ?? null;

function run(
  title: string,
  options: StackOptions,
  extra: (stack: Stack, got: ReceivedView) => Promise<void>,
) {
  describe(title, () => {
    let stack: Stack;
    let expected: Expected;

    beforeAll(async () => {
      stack = await startStack(options);
      expected = await expectedPushes([await pullForExpectation(stack)], today());
      expectNonTrivial(expected);
    }, E2E_TIMEOUT);
    afterAll(async () => stack?.stop(), E2E_TIMEOUT);

    it(
      "delivers exactly the pushes the reconciliation allows, once each, with every request sent twice at once",
      async () => {
        const posted = await postEverything(stack, 2);
        expect(posted.arms.every((s) => s === 202)).toBe(true);
        // Whole-file faults are refused at the door (4xx, nothing stored); every other export is taken.
        const refused = [...posted.exports].filter(([, status]) => status >= 300);
        expect(refused.map(([file]) => file).sort()).toEqual(expected.refusedExports);
        for (const [file, status] of refused) expect(status, file).toBeGreaterThanOrEqual(400);
        for (const [file, status] of refused) expect(status, file).toBeLessThan(500);
        expect(posted.event).toBe(202);
        const got = await expectExactlyTheExpectedPushes(stack, expected);
        await extra(stack, got);
      },
      E2E_TIMEOUT,
    );

    it(
      "a reviewer's decision releases what its conflict held back: to the agencies once, promptly",
      async () => {
        // Matched people held by undecided conflicts: one held by a WARN alone, one by a BLOCK alone.
        const heldMatched = expected.heldByBlock.filter((r) => r.match.status === "MATCHED");
        const byWarn = heldMatched.find((r) => Object.keys(r.push.heldBySeverity).join() === "WARN");
        const byBlock = heldMatched.find((r) => Object.keys(r.push.heldBySeverity).join() === "BLOCK");
        if (!byWarn || !byBlock)
          throw new Error("the examples no longer hold a matched person by WARN and by BLOCK");
        const before = await received(stack);
        for (const person of [byWarn, byBlock]) {
          const conflicts = await stack.db.query<{ id: string; severity: string }>(
            `SELECT c.id, c.severity FROM conflicts c JOIN persons p ON p.id = c.person_id
              WHERE (p.pnc = $1 OR p.crn = $2) AND c.state IN ('OPEN', 'ACKNOWLEDGED')`,
            [person.subject.pnc, person.subject.crn],
          );
          expect(conflicts.map((c) => c.severity).sort()).toEqual(
            Object.entries(person.push.heldBySeverity).flatMap(([severity, n]) => Array(n).fill(severity)),
          );
          let last: { release: { released: { idempotencyKey: string }[] } } | null = null;
          for (const c of conflicts) {
            await decide(stack, c.id, "data.team.1", { action: "ACKNOWLEDGE" });
            last = await decide(stack, c.id, "data.team.1", RESOLVE);
            if (c.severity === "BLOCK") {
              // Four-eyes: nothing is released on the first reviewer's word.
              expect(last.release.released).toEqual([]);
              last = await decide(stack, c.id, "data.team.2", RESOLVE);
            }
          }
          const decidedAt = performance.now();
          const keys = last?.release.released.map((r) => r.idempotencyKey) ?? [];
          expect(keys.length, `${person.personKey}: pushes released`).toBeGreaterThanOrEqual(1);
          await waitFor(`the release of ${person.personKey} to reach the agencies`, async () => {
            const now = await received(stack);
            return keys.every((k) => now.received.some((r) => r.idempotencyKey === k));
          });
          // Measured, not asserted (timings belong in benchmarks): decision to the agencies' receipt.
          console.info(
            `decision -> receipt for a ${Object.keys(person.push.heldBySeverity).join()} hold: ${Math.round(performance.now() - decidedAt)} ms`,
          );
        }
        expected = afterDecisions(expected, new Set([byWarn.personKey, byBlock.personKey]));
        await waitUntilIdle(stack, "the decisions");
        const after = await expectExactlyTheExpectedPushes(stack, expected);
        // Received is listed per agency, so what is new is told by key, not by position.
        const seen = new Set(before.received.map((r) => r.receiptId));
        const fresh = after.received.filter((r) => !seen.has(r.receiptId));
        // Each released record once: as many distinct Idempotency-Keys as records received.
        expect(new Set(fresh.map((r) => r.idempotencyKey)).size).toBe(fresh.length);
        expect(sorted(fresh.map((r) => r.ids.oasysAssessmentPk ?? "?"))).toEqual(
          sorted(
            [...expected.police, ...expected.probation]
              .filter((p) => p.personKey === byWarn.personKey || p.personKey === byBlock.personKey)
              .map((p) => p.oasysAssessmentPk),
          ),
        );
      },
      E2E_TIMEOUT,
    );

    it(
      "posting everything again delivers nothing new",
      async () => {
        const before = await received(stack);
        await postEverything(stack);
        const after = await expectExactlyTheExpectedPushes(stack, expected);
        expect(after.received.map((r) => r.receiptId)).toEqual(before.received.map((r) => r.receiptId));
        expect(after.stats.ARMS.accepted).toBe(before.stats.ARMS.accepted);
        expect(after.stats.OASYS.accepted).toBe(before.stats.OASYS.accepted);
      },
      E2E_TIMEOUT,
    );

    it(
      "a new ARMS revision after delivery: probation gets the new update and a correction notice for the old one, on a refreshed token",
      async () => {
        const before = await received(stack);
        const { doc, file } = laterRevision();
        const armsId = String(doc.armsAssessmentId);
        const later = await expectedPushes([await pullForExpectation(stack)], today(), [file]);
        const update = later.probation.find((p) => p.armsAssessmentId === armsId);
        if (!update) throw new Error(`the reconciliation no longer sends probation an update for ${armsId}`);
        const delivered = before.received.filter(
          (r) => r.documentType === "partnerRiskUpdate" && r.ids.armsAssessmentId === armsId,
        );
        expect(delivered).toHaveLength(1);

        // Every token the bridge holds is now dead: its next push gets 401 and must fetch a new one.
        await post(`${stack.sim.url}/__tokens/expire`, "", {});
        const police = { ...json, ...(await authAs("arms-system")) };
        expect(await post(`${stack.api}/v1/arms/assessments`, JSON.stringify(doc), police)).toBe(202);
        await waitUntilIdle(stack, "the new ARMS revision");

        const after = await received(stack);
        const fresh = after.received.slice(before.received.length);
        expect(fresh.every((r) => r.recipient === "OASYS")).toBe(true);
        expect(sorted(fresh.map((r) => r.documentType))).toEqual(["correctionNotice", "partnerRiskUpdate"]);
        const notice = fresh.find((r) => r.documentType === "correctionNotice");
        const newUpdate = fresh.find((r) => r.documentType === "partnerRiskUpdate");
        expect(attribute(notice?.body, "corrects")).toBe(delivered[0]?.idempotencyKey);
        expect(newUpdate?.ids).toMatchObject({
          oasysAssessmentPk: update.oasysAssessmentPk,
          armsAssessmentId: armsId,
        });
        expect(attribute(newUpdate?.body, "revision")).toBe(String(doc.revision));
        expect(after.tokensIssued).toBeGreaterThan(before.tokensIssued);
        expect(after.rejections).toEqual([]);
        const states = await stack.db.query<{ state: string }>("SELECT DISTINCT state FROM outbox");
        expect(states.map((s) => s.state)).toEqual(["DELIVERED"]);
      },
      E2E_TIMEOUT,
    );
  });
}

run("end to end, agencies healthy", { tokenTtlS: 2 }, async (_stack, got) => {
  // Nothing was refused and nothing had to be replayed.
  expect(got.stats.ARMS.replays + got.stats.OASYS.replays).toBe(0);
});

run(
  "end to end, agencies faulty (5xx, 429 with Retry-After, a reset, a lost answer, a time-out)",
  {
    tokenTtlS: 2,
    seed: 7,
    faults: {
      "5xx": 0.2,
      "429": 0.1,
      "retry-after": 1,
      scope: ["arms", "oasys"],
      // Exactly one of each on the first pushes, whatever the rates draw.
      next: ["reset", "429", "5xx", "lost", "timeout"],
    },
  },
  async (stack) => {
    const faults = (await (await fetch(`${stack.sim.url}/__faults`)).json()) as {
      injected: Record<string, number>;
    };
    expect(faults.injected.reset).toBeGreaterThanOrEqual(1);
    expect(faults.injected.lost).toBeGreaterThanOrEqual(1);
    expect(faults.injected.timeout).toBeGreaterThanOrEqual(1);
    expect(faults.injected["429"]).toBeGreaterThanOrEqual(1);
    expect(faults.injected["5xx"]).toBeGreaterThanOrEqual(1);
    // The lost answer came back as a retry with the same Idempotency-Key: a replay, not a second record.
    const got = await received(stack);
    expect(got.stats.ARMS.replays + got.stats.OASYS.replays).toBeGreaterThanOrEqual(1);
  },
);
