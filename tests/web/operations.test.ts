/**
 * The operations pages (src/web/pages/operations.ts) over HTTP as admin.user, on PostgreSQL: dead letters
 * retried and discarded one at a time and selected, through the API's replay and the store's discard
 * (once per letter; the reason kept, shown, audited without it); the mapping in force and its changelog;
 * what the page says of mapping diff reports; and no one but administrators.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadMapping } from "../../src/core/mapping/load.ts";
import { auditTrail } from "../../src/store/repositories/audit.ts";
import {
  type DeadLetter,
  getDeadLetter,
  recordDeadLetter,
} from "../../src/store/repositories/dead-letters.ts";
import { letterRow, operationsModel, outcomeOf, outcomeText } from "../../src/web/pages/operations.ts";
import { hiddenValue, titleOf, WebClient } from "../support/web-client.ts";
import { person, type WebTestApp, webApp } from "./support.ts";

let web: WebTestApp;
let admin: WebClient;
let serial = 0;

const letter = (): Promise<DeadLetter> =>
  recordDeadLetter(web.db, {
    stage: "RECONCILE",
    subject: {
      queue: "reconcile",
      jobKey: `reconcile:ARMS:ARMS-OPS-${++serial}:1`,
      data: { source: "ARMS", record: `ARMS-OPS-${serial}`, revision: 1 },
    },
    errorCode: "BRIDGE_E_INTERNAL",
    reason: "synthetic failure",
    attempts: 3,
    createdAt: `2026-11-19T10:0${serial}:00.000Z`,
  });

beforeAll(async () => {
  web = await webApp();
  admin = new WebClient();
  await admin.signIn(`${web.base}/operations`, person("admin.user"));
}, 60_000);
afterAll(async () => {
  await web?.done();
});

async function act(fields: Record<string, string | string[]>, from = "/operations") {
  const form = await admin.follow(`${web.base}${from}`);
  const body = new URLSearchParams({ _csrf: hiddenValue(form.html, "_csrf") ?? "" });
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) body.append(k, x);
  return admin.follow(`${web.base}/operations/dead-letters`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: body.toString(),
  });
}

describe("dead letters", () => {
  it("retries the selected letters once each, through the API's replay", async () => {
    const [a, b] = [await letter(), await letter()];
    const page = await act({ ids: [a.id, b.id], action: "retry", reason: "" });
    expect(page.url).toBe(`${web.base}/operations?retried=2#dead-letters`);
    expect(page.html).toContain("2 dead letters retried: the work is queued again.");
    expect(web.producer.added.map((j) => j.jobKey)).toEqual(
      expect.arrayContaining([`${a.subject.jobKey}:replay-1`, `${b.subject.jobKey}:replay-1`]),
    );
    const keys = () => new Set(web.producer.added.map((j) => j.jobKey));
    const before = keys();
    const again = await act({ ids: a.id, action: "retry" });
    expect(again.html).toContain("1 dead letter was retried before: nothing new was queued.");
    // A replay still waiting is added again under its own key (which BullMQ ignores): no new work.
    expect(keys()).toEqual(before);
    expect((await getDeadLetter(web.db, a.id))?.replayCount).toBe(1);
  });

  it("discards with a reason, shown with the letter and audited without it; never without one", async () => {
    const l = await letter();
    const refused = await act({ ids: l.id, action: "discard", reason: " " });
    expect(refused.status).toBe(400);
    expect(refused.html).toContain("There is a problem");
    expect(titleOf(refused.html)).toBe("Error: Operations - OASys–ARMS bridge");
    expect((await getDeadLetter(web.db, l.id))?.discardedAt).toBeNull();

    const done = await act({ ids: l.id, action: "discard", reason: "Export re-sent by OASys" });
    expect(done.html).toContain("1 dead letter discarded.");
    const view = await admin.follow(`${web.base}/operations/dead-letters/${l.id}`);
    expect(view.status).toBe(200);
    expect(titleOf(view.html)).toBe("Dead letter - OASys–ARMS bridge");
    expect(view.html).toContain("Export re-sent by OASys");
    expect(view.html).not.toContain('value="retry"');
    const trail = await auditTrail(web.db, { subjectType: "DEAD_LETTER", subjectId: l.id });
    expect(trail).toEqual([
      expect.objectContaining({ action: "DEAD_LETTER_DISCARDED", category: "ALTERATION" }),
    ]);
    const discarded = await admin.follow(`${web.base}/operations?state=DISCARDED`);
    expect(discarded.html).toContain("Export re-sent by OASys");
    const retried = await act({ ids: l.id, action: "retry" });
    expect(retried.html).toContain("left as they were");
  });

  it("works from one letter's page, back to it; nothing selected is an error", async () => {
    const l = await letter();
    const page = await act(
      { ids: l.id, from: "letter", action: "retry" },
      `/operations/dead-letters/${l.id}`,
    );
    expect(page.url).toBe(`${web.base}/operations/dead-letters/${l.id}?retried=1`);
    expect(page.html).toContain("Retried");
    const none = await act({ action: "retry" });
    expect(none.status).toBe(400);
    expect(none.html).toContain("Select at least one dead letter");
  });

  it("shows the mapping in force, its changelog, and that no diff report is kept", async () => {
    const page = await admin.follow(`${web.base}/operations`);
    const mapping = loadMapping();
    expect(page.html).toContain(mapping.spec.version);
    expect(page.html).toContain(mapping.spec.changelog[0]!.summary.slice(0, 40));
    expect(page.html).toContain("The bridge does not keep mapping diff reports");
    expect(page.html).toContain("bridge mapping diff --from");
  });

  it("is for administrators only", async () => {
    const team = new WebClient();
    const page = await team.signIn(`${web.base}/operations`, person("data.team.1"));
    expect(page.status).toBe(404);
  });
});

describe("the model", () => {
  it("says what happened from the counts, and reads only counts from the query", () => {
    expect(outcomeOf({ retried: "2", discarded: "x", missing: "-1", other: "5" })).toEqual({ retried: 2 });
    expect(outcomeText({ discarded: 1, refused: 2 })).toEqual([
      "1 dead letter discarded.",
      "2 dead letters were left as they were: a retried letter is not discarded, a discarded one is not retried.",
    ]);
    const model = operationsModel({
      state: "OPEN",
      letters: [],
      nextCursor: "c",
      cursor: null,
      outcome: {},
      mapping: loadMapping(),
    });
    expect(model.nextHref).toBe("/operations?state=OPEN&cursor=c#dead-letters");
    expect(model.states.find((s) => s.current)?.value).toBe("OPEN");
    expect(
      letterRow({ ...({} as DeadLetter), id: "i", stage: "PUSH", discardedAt: "t", replayedAt: null }).status,
    ).toBe("Discarded");
  });
});
