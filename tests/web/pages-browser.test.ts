/**
 * The person, dashboard, operations and audit pages in a real browser (Debian's Chromium through
 * playwright-core, tests/web/browser.ts: axe-core's WCAG 2.2 AA rules on every page, CSP violations and
 * page errors fail, screenshots to build/screenshots/) against `bridge serve` on this machine's PostgreSQL
 * and Redis (a schema and a queue prefix of the test's own) and the run's bundled identity provider.
 * Persons are seeded through the real pipeline into the served store (tests/http/visibility-seed.ts: an
 * Essex and a Kent person with synthetic values the police may not see), and two dead letters.
 *
 * police.essex finds the Essex person by PNC (the withheld values are not on the page, the PNC is in no
 * URL) and the page prints without navigation or buttons; police.kent gets "Page not found" for that
 * person; the dashboard draws its SVG charts beside their tables; admin.user retries one dead letter and
 * discards another with a reason; auditor.user verifies the chain. With JavaScript off, the search works.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveCommand } from "../../src/cli/serve.ts";
import { dropSchema, openDb } from "../../src/store/db.ts";
import type { Db } from "../../src/store/index.ts";
import {
  type DeadLetter,
  getDeadLetter,
  recordDeadLetter,
} from "../../src/store/repositories/dead-letters.ts";
import { captureIo } from "../cli/capture.ts";
import { type Seeded, seedPerson } from "../http/visibility-seed.ts";
import { dropPrefix, REDIS_URL, uniquePrefix } from "../queue/support.ts";
import { DATABASE_URL, uniqueSchema } from "../store/support.ts";
import { testAuthEnv, testIdp } from "../support/tokens.ts";
import { type CheckedPage, checkPage, launchBrowser, openPage, signIn } from "./browser.ts";

const prefix = uniquePrefix();
const schema = uniqueSchema();
const stop = new AbortController();
let exit: Promise<number>;
let db: Db;
let url: string;
let browser: Browser;
let essex: Seeded;
let kent: Seeded;
let letters: DeadLetter[];
const stack = () => ({ url, password: testIdp().password });

beforeAll(async () => {
  browser = await launchBrowser();
  const { io, stdout } = captureIo();
  let listening: (port: number) => void = () => {};
  const port = new Promise<number>((resolve) => {
    listening = resolve;
  });
  exit = serveCommand([], io, {
    env: {
      DATABASE_URL,
      DB_SCHEMA: schema,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      HTTP_HOST: "127.0.0.1",
      HTTP_PORT: "0",
      LOG_LEVEL: "warn",
      ...testAuthEnv(),
    },
    stop: stop.signal,
    onListening: ({ port }) => listening(port),
  });
  url = `http://127.0.0.1:${await Promise.race([port, exit.then(() => Promise.reject(new Error(stdout.text)))])}`;
  db = await openDb({ databaseUrl: DATABASE_URL, schema });
  essex = await seedPerson(db, { tag: "BRE", force: "ESSEX", lao: false });
  kent = await seedPerson(db, { tag: "BRK", force: "KENT", lao: false });
  // One conflict decided two hours after it opened, for the dashboard's time to decision.
  await db.query(
    `UPDATE conflicts SET state = 'DISMISSED', decision = 'DISMISS', decided_at = opened_at + interval '2 hours'
      WHERE id = (SELECT id FROM conflicts ORDER BY opened_at LIMIT 1)`,
  );
  letters = [];
  for (const n of [1, 2]) {
    letters.push(
      await recordDeadLetter(db, {
        stage: "RECONCILE",
        subject: {
          queue: "reconcile",
          jobKey: `reconcile:ARMS:ARMS-BROWSER-${n}:1`,
          data: { source: "ARMS", record: `ARMS-BROWSER-${n}`, revision: 1 },
        },
        errorCode: "BRIDGE_E_INTERNAL",
        reason: "synthetic failure for the browser test",
        attempts: 3,
        createdAt: new Date(Date.now() - n * 3_600_000).toISOString(),
      }),
    );
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  stop.abort();
  await exit;
  if (db) {
    await dropSchema(db);
    await db.close();
  }
  await dropPrefix(prefix);
}, 60_000);

async function searchByPnc(page: CheckedPage, pnc: string): Promise<void> {
  await page.goto(`${url}/persons`);
  await page.getByLabel("PNC", { exact: true }).check();
  await page.getByLabel("Number", { exact: true }).fill(pnc);
  await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "Search" }).click()]);
}

describe("the person pages in Chromium", () => {
  it("police.essex finds the Essex person by PNC: the draft, no withheld value, no PNC in the URL; it prints without navigation", async () => {
    const page = await openPage(browser);
    await signIn(page, stack(), "police.essex");
    await page.goto(`${url}/persons`);
    await checkPage(page, "person-search");
    await searchByPnc(page, essex.keys.pnc);
    await page.waitForURL(`${url}/persons/${essex.personId}`);
    expect(await page.title()).toBe("Person record - OASys–ARMS bridge");
    const html = await page.content();
    for (const secret of [
      essex.secrets.narrative,
      essex.secrets.safetyPlan,
      essex.secrets.victim,
      essex.secrets.oasysDob,
    ]) {
      expect(html).not.toContain(secret);
    }
    await expect(page.getByText("Not shown to your role").first().isVisible()).resolves.toBe(true);
    await page.getByText("Where this came from").first().click();
    await checkPage(page, "person");
    await page.emulateMedia({ media: "print" });
    await expect(page.locator(".govuk-header").isVisible()).resolves.toBe(false);
    await expect(page.locator(".govuk-service-navigation").isVisible()).resolves.toBe(false);
    await expect(page.getByRole("button").count()).resolves.toBe(0);
    await expect(page.locator(".bridge-print-only").first().isVisible()).resolves.toBe(true);
    await page.screenshot({ path: "build/screenshots/person-print.png", fullPage: true });
    await page.context().close();
  }, 60_000);

  it("police.kent gets 'Page not found' for the Essex person, and no search result", async () => {
    const page = await openPage(browser);
    await signIn(page, stack(), "police.kent");
    const res = await page.goto(`${url}/persons/${essex.personId}`);
    expect(res?.status()).toBe(404);
    expect(await page.title()).toBe("Page not found - OASys–ARMS bridge");
    await checkPage(page, "person-not-found");
    await searchByPnc(page, essex.keys.pnc);
    await expect(page.locator("#no-results").isVisible()).resolves.toBe(true);
    await checkPage(page, "person-search-no-result");
    const own = await page.goto(`${url}/persons/${kent.personId}`);
    expect(own?.status()).toBe(200);
    await page.context().close();
  }, 60_000);

  it("works without JavaScript: the search and the record", async () => {
    const page = await openPage(browser, { javaScriptEnabled: false });
    await signIn(page, stack(), "data.team.1");
    await searchByPnc(page, kent.keys.pnc);
    await page.waitForURL(`${url}/persons/${kent.personId}`);
    await expect(page.locator("#draft-counts").textContent()).resolves.toMatch(/fields pre-filled/);
    await checkPage(page, "person-without-javascript");
    await page.context().close();
  }, 60_000);
});

describe("the dashboard, operations and audit pages in Chromium", () => {
  it("the dashboard draws its charts as SVG images beside their tables", async () => {
    const page = await openPage(browser);
    await signIn(page, stack(), "data.team.1");
    await page.goto(`${url}/dashboard`);
    const charts = page.locator("figure.bridge-chart svg[role=img]");
    await expect(charts.count()).resolves.toBe(5);
    await expect(
      page.getByRole("img", { name: /Open conflicts at the end of each day/ }).isVisible(),
    ).resolves.toBe(true);
    await expect(page.locator("table.govuk-table").count()).resolves.toBeGreaterThanOrEqual(5);
    await checkPage(page, "dashboard");
    await page.context().close();
  }, 60_000);

  it("admin.user retries one dead letter and discards another with a reason", async () => {
    const [retry, discard] = letters as [DeadLetter, DeadLetter];
    const page = await openPage(browser);
    await signIn(page, stack(), "admin.user");
    await page.goto(`${url}/operations`);
    await checkPage(page, "operations");
    await page.locator(`input[name=ids][value="${retry.id}"]`).check();
    await Promise.all([
      page.waitForURL(/retried=1/),
      page.getByRole("button", { name: "Retry selected" }).click(),
    ]);
    await expect(page.getByText("1 dead letter retried").isVisible()).resolves.toBe(true);
    expect((await getDeadLetter(db, retry.id))?.replayCount).toBe(1);

    await page.goto(`${url}/operations/dead-letters/${discard.id}`);
    await checkPage(page, "dead-letter");
    await page.getByRole("button", { name: "Discard" }).click();
    await expect(page.locator(".govuk-error-summary").isVisible()).resolves.toBe(true);
    await checkPage(page, "dead-letter-error");
    await page.getByLabel("Why are you discarding it?").fill("Sent again by ARMS; this copy is not needed");
    await Promise.all([
      page.waitForURL(/discarded=1/),
      page.getByRole("button", { name: "Discard" }).click(),
    ]);
    await expect(page.getByText("Sent again by ARMS; this copy is not needed").isVisible()).resolves.toBe(
      true,
    );
    expect((await getDeadLetter(db, discard.id))?.discardReason).toBe(
      "Sent again by ARMS; this copy is not needed",
    );
    await page.goto(`${url}/operations?state=ALL`);
    await checkPage(page, "operations-all");
    await page.context().close();
  }, 60_000);

  it("auditor.user verifies the chain and searches a person's entries", async () => {
    const page = await openPage(browser);
    await signIn(page, stack(), "auditor.user");
    await page.goto(`${url}/audit`);
    await checkPage(page, "audit");
    await page.getByRole("button", { name: "Verify the chain" }).click();
    await expect(page.getByText("The audit chain is whole").isVisible()).resolves.toBe(true);
    await checkPage(page, "audit-verified");
    await page.getByLabel("Person id, CRN or PNC").fill(essex.keys.crn);
    const today = new Date();
    for (const [name, date] of [
      ["from", new Date(today.getTime() - 86_400_000 * 400)],
      ["to", today],
    ] as const) {
      await page.locator(`#${name}-day`).fill(String(date.getUTCDate()));
      await page.locator(`#${name}-month`).fill(String(date.getUTCMonth() + 1));
      await page.locator(`#${name}-year`).fill(String(date.getUTCFullYear()));
    }
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page.getByText("PERSON_RECONCILED").first().isVisible()).resolves.toBe(true);
    expect(page.url()).toBe(`${url}/audit/search`);
    await checkPage(page, "audit-search");
    await page.context().close();
  }, 60_000);
});
