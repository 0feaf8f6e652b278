/**
 * The conflict pages (src/web/pages/conflict-*.ts) over HTTP, signed in through the run's identity
 * provider, on PostgreSQL, with persons and their conflicts seeded through the real pipeline
 * (tests/http/visibility-seed.ts: an ID-3 BLOCK on dates of birth): the queue and its filters and counts
 * as each role may see them, the detail page (police: their force only, without the withheld values; a
 * conflict they may not see is "Page not found"), and a BLOCK worked to resolution by two reviewers with
 * CSRF-checked forms, post/redirect/get, GOV.UK error summaries for what the lifecycle refuses (no
 * rationale, the same reviewer twice) and the release shown afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getConflict } from "../../src/store/repositories/conflicts.ts";
import { type Seeded, seedPerson } from "../http/visibility-seed.ts";
import { hiddenValue, titleOf, WebClient } from "../support/web-client.ts";
import { person, type WebTestApp, webApp } from "./support.ts";

let web: WebTestApp;
let essex: Seeded;
let kent: Seeded;
let block: string;

beforeAll(async () => {
  web = await webApp();
  essex = await seedPerson(web.db, { tag: "CQE", force: "ESSEX", lao: false });
  kent = await seedPerson(web.db, { tag: "CQK", force: "KENT", lao: false });
  const rows = await web.db.query<{ id: string }>(
    `SELECT id FROM conflicts WHERE person_id = $1::uuid AND rule_id = 'ID-3'`,
    [essex.personId],
  );
  block = rows[0]?.id ?? "";
  expect(block).not.toBe("");
}, 60_000);
afterAll(async () => {
  await web?.done();
});

async function signedIn(username: string, url = "/conflicts"): Promise<WebClient> {
  const browser = new WebClient();
  await browser.signIn(`${web.base}${url}`, person(username));
  return browser;
}

/** Opens the conflict page and posts its decision form with these fields. */
async function decide(browser: WebClient, id: string, fields: Record<string, string>) {
  const page = await browser.follow(`${web.base}/conflicts/${id}`);
  const csrf = hiddenValue(page.html, "_csrf") ?? "";
  return browser.post(`${web.base}/conflicts/${id}/decisions`, { _csrf: csrf, ...fields });
}

const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

describe("the conflict queue", () => {
  it("lists every visible conflict for the data team, with the MoJ filter and counts per value", async () => {
    const browser = await signedIn("data.team.1");
    const page = await browser.follow(`${web.base}/conflicts`);
    expect(page.status).toBe(200);
    expect(titleOf(page.html)).toBe("Conflicts - OASys–ARMS bridge");
    expect(page.html).toContain('class="moj-filter"');
    expect(page.html).toContain(`href="/conflicts/${block}"`);
    for (const id of kent.conflictIds) expect(page.html).toContain(`href="/conflicts/${id}"`);
    expect(text(page.html)).toMatch(/ESSEX \(\d+\)/);
    expect(text(page.html)).toMatch(/KENT \(\d+\)/);
    expect(text(page.html)).toMatch(/ID-3 \(\d+\)/);
    // No personal data in the page: identifiers are on the detail page only.
    expect(page.html).not.toContain(essex.keys.pnc);
  });

  it("filters by force and rule: the address holds filter values only", async () => {
    const browser = await signedIn("data.team.1");
    const page = await browser.follow(`${web.base}/conflicts?filtered=1&force=KENT&rule=ID-3`);
    expect(page.status).toBe(200);
    expect(page.html).not.toContain(`href="/conflicts/${block}"`);
    expect(text(page.html)).toContain("Selected filters");
    expect(text(page.html)).toMatch(/\d+ conflicts? match these filters/);
  });

  it("shows police only their force's conflicts, and counts only those", async () => {
    const browser = await signedIn("police.kent");
    const page = await browser.follow(`${web.base}/conflicts?filtered=1&force=ESSEX`);
    expect(page.status).toBe(200);
    expect(page.html).not.toContain(`href="/conflicts/${block}"`);
    expect(text(page.html)).not.toMatch(/ESSEX \([1-9]/);
    const all = await browser.follow(`${web.base}/conflicts`);
    expect(all.html).not.toContain(`href="/conflicts/${block}"`);
    for (const id of kent.conflictIds) expect(all.html).toContain(`href="/conflicts/${id}"`);
  });
});

describe("the conflict page", () => {
  it("police: their force's conflict without withheld values and without a decision form; another force's is 'Page not found'", async () => {
    const browser = await signedIn("police.essex");
    const page = await browser.follow(`${web.base}/conflicts/${block}`);
    expect(page.status).toBe(200);
    expect(titleOf(page.html)).toBe("Conflict - OASys–ARMS bridge");
    expect(page.html).toContain("Not shown to your role");
    expect(page.html).not.toContain(essex.secrets.oasysDob);
    expect(page.html).not.toContain(essex.secrets.armsDob);
    expect(page.html).not.toContain("/decisions");
    const other = await browser.follow(`${web.base}/conflicts/${kent.conflictIds[0]}`);
    expect(other.status).toBe(404);
    expect(titleOf(other.html)).toBe("Page not found - OASys–ARMS bridge");
    // A decision from a role that may not decide: not there.
    const posted = await browser.post(`${web.base}/conflicts/${block}/decisions`, {
      _csrf: hiddenValue(page.html, "_csrf") ?? "",
      action: "ACKNOWLEDGE",
    });
    expect(posted.status).toBe(404);
  });

  it("the data team: identifiers, the match, both values with provenance, the rule and the history", async () => {
    const browser = await signedIn("data.team.1");
    const page = await browser.follow(`${web.base}/conflicts/${block}`);
    expect(page.status).toBe(200);
    const body = text(page.html);
    expect(body).toContain(essex.keys.pnc);
    expect(body).toContain("Identity match");
    expect(body).toContain(essex.secrets.oasysDob);
    expect(body).toContain(essex.secrets.armsDob);
    expect(body).toContain("Recorded fact, owned by Probation (OASys)");
    expect(body).toContain("owned by Police (ARMS)");
    expect(body).toContain("Raised");
    // Only what the state allows: OPEN -> acknowledge.
    expect(page.html).toContain('value="ACKNOWLEDGE"');
    expect(page.html).not.toContain('value="RESOLVE"');
    expect(titleOf(page.html)).not.toContain(essex.keys.pnc);
  });

  it("refuses a form without its CSRF token", async () => {
    const browser = await signedIn("data.team.1");
    const res = await browser.post(`${web.base}/conflicts/${block}/decisions`, { action: "ACKNOWLEDGE" });
    expect(res.status).toBe(403);
    expect((await getConflict(web.db, block))?.conflict.state).toBe("OPEN");
  });
});

describe("a BLOCK worked to resolution by two reviewers", () => {
  it("acknowledge, first review, the same reviewer refused, the second review, and what was released", async () => {
    const first = await signedIn("data.team.1");
    const acknowledged = await decide(first, block, { action: "ACKNOWLEDGE" });
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.url).toBe(`${web.base}/conflicts/${block}?done=acknowledged`);
    expect(text(acknowledged.html)).toContain("You acknowledged this conflict.");
    expect(acknowledged.html).toContain('value="RESOLVE"');
    expect(acknowledged.html).toContain('value="DISMISS"');
    expect(acknowledged.html).toContain('name="decision"');

    // No rationale: the lifecycle's refusal, as an error summary on the form, the values kept.
    const incomplete = await decide(first, block, { action: "RESOLVE", decision: "ARMS date stands" });
    expect(incomplete.status).toBe(400);
    expect(incomplete.html).toContain("govuk-error-summary");
    expect(incomplete.html).toContain('href="#rationale"');
    expect(incomplete.html).toContain("ARMS date stands");

    const stale = await first.follow(`${web.base}/conflicts/${block}`);
    const approved = await decide(first, block, {
      action: "RESOLVE",
      decision: "ARMS date stands",
      rationale: "Checked with the PNC record",
    });
    expect(approved.url).toBe(`${web.base}/conflicts/${block}?done=approved`);
    expect(text(approved.html)).toContain("You gave the first review");
    expect(approved.html).not.toContain('name="action"');

    // The same reviewer again, from the page they had open: refused with an error summary.
    const again = await first.post(`${web.base}/conflicts/${block}/decisions`, {
      _csrf: hiddenValue(stale.html, "_csrf") ?? "",
      action: "RESOLVE",
      decision: "ARMS date stands",
      rationale: "Again",
    });
    expect(again.status).toBe(409);
    expect(again.html).toContain("govuk-error-summary");
    expect(text(again.html)).toContain("A different member of the data team must give the second");
    expect(again.html).not.toMatch(/at .*\.ts:\d+/);

    const second = await signedIn("data.team.2", `/conflicts/${block}`);
    const pending = await second.follow(`${web.base}/conflicts/${block}`);
    expect(text(pending.html)).toMatch(/First review by \S+ on .*needs a second reviewer/);
    const resolved = await decide(second, block, {
      action: "RESOLVE",
      decision: "ARMS date stands",
      rationale: "Agreed: PNC record checked",
    });
    expect(resolved.url).toBe(`${web.base}/conflicts/${block}?done=resolved`);
    const body = text(resolved.html);
    expect(body).toContain("The conflict is resolved.");
    expect(body).toContain("What the decision released");
    expect(body).toContain("Resolved");
    expect((await getConflict(web.db, block))?.conflict.state).toBe("RESOLVED");
    expect(resolved.html).not.toContain('name="action"');
  });
});
