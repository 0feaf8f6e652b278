/**
 * The dashboard (src/web/pages/dashboard.ts): the store's counts on PostgreSQL (conflicts opened and
 * decided, deliveries, dead letters seeded through the repositories), the pure view model, the charts
 * drawn on the server as SVG with their accessible name and description and no inline style, and the page
 * as the data team and an administrator see it (police: "Page not found").
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadMapping } from "../../src/core/mapping/load.ts";
import { countLiveConflicts } from "../../src/store/repositories/conflicts.ts";
import {
  attemptsByDay,
  deadLetterCounts,
  deadLettersByDay,
  decisionTimes,
  latestDrafts,
  liveConflictsByDay,
  outboxCounts,
} from "../../src/store/repositories/dashboard.ts";
import { recordDeadLetter } from "../../src/store/repositories/dead-letters.ts";
import { renderChart } from "../../src/web/charts.ts";
import { type DashboardData, dashboardModel } from "../../src/web/pages/dashboard.ts";
import { FIXED_NOW } from "../http/support.ts";
import { seedPerson } from "../http/visibility-seed.ts";
import { titleOf, WebClient } from "../support/web-client.ts";
import { person, type WebTestApp, webApp } from "./support.ts";

let web: WebTestApp;
const NOW = FIXED_NOW.toISOString();

beforeAll(async () => {
  web = await webApp();
  await seedPerson(web.db, { tag: "DSA", force: "ESSEX", lao: false });
  await seedPerson(web.db, { tag: "DSB", force: "KENT", lao: false });
  // One conflict decided two hours after it opened.
  await web.db.query(
    `UPDATE conflicts SET state = 'DISMISSED', decision = 'DISMISS', decided_at = opened_at + interval '2 hours'
      WHERE id = (SELECT id FROM conflicts ORDER BY opened_at LIMIT 1)`,
  );
  await recordDeadLetter(web.db, {
    stage: "PUSH",
    subject: { queue: "push-arms", jobKey: "push:dashboard-test", data: { outboxId: "x" } },
    errorCode: "BRIDGE_E_HTTP_PERMANENT",
    reason: "synthetic",
    attempts: 5,
    createdAt: "2026-11-19T10:00:00.000Z",
  });
}, 60_000);
afterAll(async () => {
  await web?.done();
});

async function data(): Promise<DashboardData> {
  const db = web.db;
  return {
    now: NOW,
    liveByDay: await liveConflictsByDay(db, NOW, 28),
    liveByRule: await countLiveConflicts(db),
    decisions: await decisionTimes(db, "2026-08-01T00:00:00Z"),
    drafts: (await latestDrafts(db, 1000)).map((d) => d.content) as DashboardData["drafts"],
    outbox: await outboxCounts(db),
    attempts: await attemptsByDay(db, NOW, 28),
    deadLetters: await deadLetterCounts(db),
    deadLettersByDay: await deadLettersByDay(db, NOW, 28),
  };
}

describe("the dashboard's counts", () => {
  it("counts live conflicts per London day, decisions per week, drafts, pushes and dead letters", async () => {
    const d = await data();
    const days = [...new Set(d.liveByDay.map((r) => r.day))];
    expect(days).toHaveLength(28);
    expect(days.at(-1)).toBe("2026-11-20");
    const live = (await countLiveConflicts(web.db)).reduce((a, r) => a + r.count, 0);
    expect(d.liveByDay.filter((r) => r.day === "2026-11-20").reduce((a, r) => a + r.count, 0)).toBe(live);
    expect(d.liveByDay.filter((r) => r.day === "2026-11-01").every((r) => r.count === 0)).toBe(true);
    expect(d.decisions).toEqual([{ week: "2026-11-16", decisions: 1, medianHours: 2, p90Hours: 2 }]);
    expect(d.drafts).toHaveLength(2);
    expect(d.outbox).toEqual([{ recipient: "ARMS", state: "PENDING", count: 2 }]);
    expect(d.attempts).toEqual([{ day: "2026-11-20", key: "RETRY", count: 2 }]);
    expect(d.deadLetters).toEqual([
      { stage: "PUSH", errorCode: "BRIDGE_E_HTTP_PERMANENT", open: 1, total: 1 },
    ]);
    expect(d.deadLettersByDay).toEqual([{ day: "2026-11-19", key: "PUSH", count: 1 }]);
  });

  it("makes the model's tables from the same numbers as its charts", async () => {
    const model = dashboardModel(await data(), loadMapping());
    expect(model.title).toBe("Dashboard");
    const [conflicts, decisions, prefill, push, letters] = model.sections;
    expect(conflicts!.tables[1]!.rows).toHaveLength(28);
    expect(conflicts!.chart!.spec).toMatchObject({ data: { values: expect.any(Array) } });
    expect(decisions!.tables[0]!.rows).toEqual([["2026-11-16", 1, 2, 2]]);
    expect(prefill!.summary[0]).toMatch(/^The latest draft of each of the 2 most recently reconciled people/);
    expect(push!.tables[0]!.rows[0]).toEqual(["ARMS (police)", 2, 0, 0, 0, 0]);
    expect(letters!.tables[0]!.rows).toEqual([["Push", "BRIDGE_E_HTTP_PERMANENT", 1, 1]]);
  });
});

describe("charts", () => {
  it("are SVG images with a title and a description, and no inline style", async () => {
    const svg = await renderChart({
      id: "c1",
      title: "Things <per> day",
      description: "A bar per day & its count.",
      spec: {
        data: {
          values: [
            { day: "2026-11-19", n: 2 },
            { day: "2026-11-20", n: 3 },
          ],
        },
        mark: "bar",
        encoding: { x: { field: "day", type: "ordinal" }, y: { field: "n", type: "quantitative" } },
      },
    });
    expect(svg).toMatch(/^<svg [^>]*role="img"[^>]*aria-labelledby="c1-title" aria-describedby="c1-desc">/);
    expect(svg).toContain('<title id="c1-title">Things &lt;per&gt; day</title>');
    expect(svg).toContain('<desc id="c1-desc">A bar per day &amp; its count.</desc>');
    expect(svg).not.toMatch(/\sstyle="|<style|<script|\son[a-z]+="/);
    expect(svg.match(/\srole="/g)).toHaveLength(1);
    expect(svg).toContain("<path");
  });
});

describe("the page", () => {
  it("shows the data team and administrators the charts and tables; police get 'Page not found'", async () => {
    for (const username of ["data.team.1", "admin.user"]) {
      const browser = new WebClient();
      const page = await browser.signIn(`${web.base}/dashboard`, person(username));
      expect(page.status).toBe(200);
      expect(titleOf(page.html)).toBe("Dashboard - OASys–ARMS bridge");
      expect(page.html.match(/<svg [^>]*role="img"/g)).toHaveLength(5);
      expect(page.html).toContain("Open conflicts by rule and severity now");
      expect(page.html).toContain('class="govuk-table"');
      expect(page.html).not.toMatch(/\sstyle="/);
    }
    const police = new WebClient();
    const page = await police.signIn(`${web.base}/dashboard`, person("police.essex"));
    expect(page.status).toBe(404);
  });
});
