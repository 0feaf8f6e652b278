/**
 * The README's path, as a data-team member follows it (issue 12, "Done when"): `npm run demo -- --serve`
 * (here `bridge demo --serve` on free ports: embedded PGlite, the stages in-process, the bundled identity
 * provider and the simulated agencies), then in the browser: sign in as data.team.1, open a BLOCK from the
 * queue, acknowledge and give the first review; sign in as data.team.2 and give the second; the page then
 * shows what the decision released, and the simulated agency receives it. No PostgreSQL or Redis is used:
 * this is the demo's own stack, where the release goes through the in-process producer.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientCredentialsToken, devSecret } from "../../simulators/idp/index.ts";
import { waitFor } from "../e2e/support.ts";
import {
  checkPage,
  decide,
  launchBrowser,
  openFromQueue,
  openPage,
  type Stack,
  signIn,
  startStack,
} from "./browser.ts";

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
  stack = await startStack();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
}, 60_000);

interface ConflictItem {
  id: string;
  personId: string;
  severity: string;
  state: string;
}

/** A BLOCK whose person is matched and held by it alone: deciding it releases a push. Read through the API. */
async function releasableBlock(): Promise<string> {
  const token = await clientCredentialsToken(stack.issuer, {
    clientId: "data-team-system",
    clientSecret: devSecret("data-team-system"),
  });
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };
  const live = (await get<{ items: ConflictItem[] }>("/v1/conflicts?state=OPEN&state=ACKNOWLEDGED&limit=200"))
    .items;
  for (const c of live.filter((x) => x.severity === "BLOCK")) {
    const holding = live.filter((x) => x.personId === c.personId && x.severity !== "INFO");
    if (holding.length !== 1) continue;
    const person = await get<{ match: { status: string } | null }>(`/v1/persons/${c.personId}`);
    if (person.match?.status === "MATCHED") return c.id;
  }
  throw new Error("the demo's examples no longer hold a matched person by one BLOCK alone");
}

describe("the README's review path on npm run demo -- --serve", () => {
  it("two reviewers resolve a BLOCK in the browser, and what it held back reaches the agency", async () => {
    const id = await releasableBlock();
    const before = (await (await fetch(`${stack.agenciesUrl}/__received`)).json()) as {
      received: { idempotencyKey: string }[];
    };

    const first = await openPage(browser);
    await signIn(first, stack, "data.team.1");
    await openFromQueue(first, stack.url, id);
    await decide(first, "Acknowledge", null, "Looking into it");
    await decide(first, "Resolve", "Both judgements stand", "Checked with both agencies");
    await expect(first.locator("main").textContent()).resolves.toContain("You gave the first review");

    const second = await openPage(browser);
    await signIn(second, stack, "data.team.2");
    await openFromQueue(second, stack.url, id);
    await decide(second, "Resolve", "Both judgements stand", "Agreed after checking the records");
    await expect(second.locator(".govuk-notification-banner").textContent()).resolves.toContain("resolved");
    await expect(second.locator("#released").count()).resolves.toBe(1);
    await waitFor("the release to show as delivered", async () => {
      await second.reload();
      const cells = await second.locator("#released ~ table .govuk-tag").allTextContents();
      return cells.length > 0 && cells.every((t) => t.trim() === "DELIVERED");
    });
    await checkPage(second, "demo-conflict-released");
    const after = (await (await fetch(`${stack.agenciesUrl}/__received`)).json()) as {
      received: { idempotencyKey: string }[];
    };
    const seen = new Set(before.received.map((r) => r.idempotencyKey));
    expect(after.received.filter((r) => !seen.has(r.idempotencyKey)).length).toBeGreaterThanOrEqual(1);
    await first.context().close();
    await second.context().close();
  }, 150_000);
});
