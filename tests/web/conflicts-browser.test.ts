/**
 * The conflict pages in a real browser (Debian's Chromium through playwright-core, tests/web/browser.ts's
 * launchBrowser, openPage, signIn and checkPage: axe-core's WCAG 2.2 AA rules on every page, CSP
 * violations and page errors fail, screenshots to build/screenshots/conflict-*.png) against `bridge serve
 * --with-worker` on this machine's PostgreSQL and Redis (a schema and a queue prefix of the test's own),
 * the run's bundled identity provider and the simulated agencies. The bundled examples are posted through
 * the API by the agencies' systems, as in the end-to-end test; a person held back by one BLOCK alone is
 * then worked from the queue to resolution by data.team.1 and data.team.2, data.team.1 is refused a second
 * review from a page left open, the release reaches the simulated agencies and the page shows DELIVERED
 * after a reload (polled, no timed assertion); the queue's filters; and the decision path again with
 * JavaScript off, on another BLOCK.
 */
import { readFileSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulators, startSimulators } from "../../simulators/index.ts";
import { serveCommand } from "../../src/cli/serve.ts";
import { dropSchema, openDb } from "../../src/store/db.ts";
import type { Db } from "../../src/store/index.ts";
import { captureIo } from "../cli/capture.ts";
import { armsDocuments, armsFiles, oasysExportFiles } from "../e2e/expected.ts";
import { waitFor } from "../e2e/support.ts";
import { dropPrefix, REDIS_URL, uniquePrefix } from "../queue/support.ts";
import { DATABASE_URL, uniqueSchema } from "../store/support.ts";
import { authAs, testAuthEnv, testIdp } from "../support/tokens.ts";
import {
  type CheckedPage,
  checkPage,
  decide,
  launchBrowser,
  openFromQueue,
  openPage,
  signIn,
} from "./browser.ts";

const prefix = uniquePrefix();
const schema = uniqueSchema();
const stop = new AbortController();
let exit: Promise<number>;
let sim: RunningSimulators;
let db: Db;
let url: string;
let browser: Browser;
const stack = () => ({ url, password: testIdp().password });

/** Waits until every outbox row is settled and no person is being reconciled. */
async function settled(what: string): Promise<void> {
  await waitFor(what, async () => {
    const [row] = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM outbox WHERE state IN ('PENDING', 'IN_FLIGHT')",
    );
    return row?.n === 0;
  });
}

beforeAll(async () => {
  browser = await launchBrowser();
  sim = await startSimulators({ seed: 1, tokenTtlS: 300 });
  const agency = (name: string) => ({
    [`${name}_BASE_URL`]: sim.url,
    [`${name}_TOKEN_URL`]: `${sim.url}/oauth/token`,
    [`${name}_CLIENT_ID`]: "bridge",
    [`${name}_CLIENT_SECRET`]: "bridge-secret",
  });
  const { io, stdout } = captureIo();
  let listening: (port: number) => void = () => {};
  const port = new Promise<number>((resolve) => {
    listening = resolve;
  });
  exit = serveCommand(["--with-worker"], io, {
    env: {
      DATABASE_URL,
      DB_SCHEMA: schema,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      HTTP_HOST: "127.0.0.1",
      HTTP_PORT: "0",
      LOG_LEVEL: "warn",
      OUTBOX_SWEEP_INTERVAL_MS: "500",
      ...agency("ORDS"),
      ...agency("ARMS"),
      ...agency("OASYS"),
      ...testAuthEnv(),
    },
    stop: stop.signal,
    onListening: ({ port }) => listening(port),
  });
  url = `http://127.0.0.1:${await Promise.race([port, exit.then(() => Promise.reject(new Error(stdout.text)))])}`;
  db = await openDb({ databaseUrl: DATABASE_URL, schema });
  // The agencies' systems post the bundled examples through the API: ARMS first, then OASys.
  const police = { "content-type": "application/json", ...(await authAs("arms-system")) };
  for (const file of armsFiles()) {
    for (const doc of armsDocuments(file)) {
      const res = await fetch(`${url}/v1/arms/assessments`, {
        method: "POST",
        headers: police,
        body: JSON.stringify(doc),
      });
      await res.arrayBuffer();
    }
  }
  const probation = { "content-type": "application/xml", ...(await authAs("oasys-system")) };
  for (const file of oasysExportFiles()) {
    const res = await fetch(`${url}/v1/oasys/exports`, {
      method: "POST",
      headers: probation,
      body: readFileSync(file),
    });
    await res.arrayBuffer();
  }
  await waitFor("a person held by one BLOCK alone", async () => (await heldByOneBlock()).length >= 1);
  await settled("the first pushes");
}, 180_000);

afterAll(async () => {
  await browser?.close();
  stop.abort();
  await exit;
  await sim?.close();
  if (db) {
    await dropSchema(db);
    await db.close();
  }
  await dropPrefix(prefix);
}, 60_000);

/** Open BLOCK conflicts whose person, matched, has no other live conflict: deciding them releases pushes. */
async function heldByOneBlock(): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `SELECT c.id FROM conflicts c
      WHERE c.severity = 'BLOCK' AND c.state = 'OPEN'
        AND NOT EXISTS (SELECT 1 FROM conflicts o WHERE o.person_id = c.person_id AND o.id <> c.id
                          AND o.state IN ('OPEN', 'ACKNOWLEDGED') AND o.severity <> 'INFO')
        AND (SELECT m.status FROM person_matches m WHERE m.person_id = c.person_id
              ORDER BY m.evaluated_at DESC, m.id DESC LIMIT 1) = 'MATCHED'
      ORDER BY c.opened_at, c.id`,
  );
  return rows.map((r) => r.id);
}

describe("the conflict pages in Chromium", () => {
  it("a BLOCK from the queue to resolution by two reviewers, the same reviewer refused, the release delivered", async () => {
    const [id] = await heldByOneBlock();
    const first = await openPage(browser);
    await signIn(first, stack(), "data.team.1");
    await first.goto(`${url}/conflicts`);
    expect(await first.title()).toBe("Conflicts - OASys–ARMS bridge");
    await checkPage(first, "conflict-queue");
    await openFromQueue(first, url, id!);
    expect(await first.title()).toBe("Conflict - OASys–ARMS bridge");
    await checkPage(first, "conflict-detail-open");

    await decide(first, "Acknowledge", null, "Looking into it");
    await expect(first.locator(".govuk-notification-banner").textContent()).resolves.toContain(
      "acknowledged",
    );
    // A second tab left open on the page, to post from after the first review.
    const stale: CheckedPage = Object.assign(await first.context().newPage(), {
      problems: [] as string[],
      javaScriptEnabled: true,
    });
    stale.on("pageerror", (error) => stale.problems.push(`page error: ${error.message}`));
    await stale.goto(`${url}/conflicts/${id}`);
    await decide(first, "Resolve", "ARMS judgement stands", "Checked with both agencies");
    await expect(first.locator("main").textContent()).resolves.toContain("You gave the first review");
    await checkPage(first, "conflict-detail-first-review");

    await stale.locator("label", { hasText: /^\s*Resolve\s*$/ }).click();
    await stale.getByLabel("Decision", { exact: true }).fill("ARMS judgement stands");
    await stale.getByLabel("Rationale", { exact: true }).fill("Again");
    await stale.getByRole("button", { name: "Record decision" }).click();
    await stale.waitForLoadState();
    await expect(stale.locator(".govuk-error-summary").textContent()).resolves.toContain(
      "A different member of the data team must give the second",
    );
    await checkPage(stale, "conflict-detail-four-eyes-refused");

    const second = await openPage(browser);
    await signIn(second, stack(), "data.team.2");
    await openFromQueue(second, url, id!);
    await expect(second.locator("#four-eyes").textContent()).resolves.toMatch(
      /First review by .* needs a second reviewer/,
    );
    await decide(second, "Resolve", "ARMS judgement stands", "Agreed after checking the PNC record");
    await expect(second.locator(".govuk-notification-banner").textContent()).resolves.toContain("resolved");
    await expect(second.locator("#released").count()).resolves.toBe(1);
    // The worker delivers to the simulated agencies; the page says so after a reload.
    await waitFor("the release to show as delivered", async () => {
      await second.reload();
      const cells = await second.locator("#released ~ table .govuk-tag").allTextContents();
      return cells.length > 0 && cells.every((t) => t.trim() === "DELIVERED");
    });
    await checkPage(second, "conflict-detail-released");
    await first.context().close();
    await second.context().close();
  }, 120_000);

  it("filters the queue: the counts and the selected filters", async () => {
    const page = await openPage(browser);
    await signIn(page, stack(), "data.team.1");
    await page.goto(`${url}/conflicts`);
    // GOV.UK's radios and checkboxes are chosen by their labels, as a person clicks them.
    await page.locator("label", { hasText: /^\s*BLOCK \(/ }).click();
    await page.locator("label", { hasText: /^\s*Resolved \(/ }).click();
    await Promise.all([
      page.waitForURL(/severity=BLOCK/),
      page.getByRole("button", { name: "Apply filters" }).click(),
    ]);
    await expect(page.locator(".moj-filter__selected").textContent()).resolves.toContain("BLOCK");
    await expect(page.locator("#result-count").textContent()).resolves.toMatch(/\d+ conflicts? match/);
    await checkPage(page, "conflict-queue-filtered");
    await page.getByRole("link", { name: "Clear filters" }).click();
    await expect(page.locator(".moj-filter__selected").count()).resolves.toBe(0);
    await page.context().close();
  }, 60_000);

  it("works without JavaScript: acknowledge and a first review, posted as plain forms", async () => {
    // Another BLOCK, still open (the first test resolved its own).
    const [row] = await db.query<{ id: string }>(
      "SELECT id FROM conflicts WHERE severity = 'BLOCK' AND state = 'OPEN' ORDER BY opened_at DESC, id LIMIT 1",
    );
    const id = row?.id;
    const page = await openPage(browser, { javaScriptEnabled: false });
    await signIn(page, stack(), "data.team.2");
    await openFromQueue(page, url, id!);
    await decide(page, "Acknowledge", null, "Seen");
    await decide(page, "Dismiss", null, "Not a real difference: the same assessment");
    await expect(page.locator(".govuk-notification-banner").textContent()).resolves.toContain(
      "second member",
    );
    await expect(page.locator("body").getAttribute("class")).resolves.not.toContain("js-enabled");
    await checkPage(page, "conflict-detail-without-javascript");
    await page.context().close();
  }, 60_000);
});
