/**
 * The person pages (src/web/pages/persons.ts) over HTTP, signed in through the run's identity provider,
 * on PostgreSQL, with persons seeded through the real pipeline (tests/http/visibility-seed.ts): the search
 * posts the identifier and redirects to /persons/<uuid> (nothing personal in a URL or a title); police see
 * their force's person without the withheld fields, another force's person is "Page not found"; and the
 * view model (personPageModel) straight from the view each caller is shown.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAccessPolicy } from "../../src/auth/policy.ts";
import type { Principal } from "../../src/auth/principal.ts";
import { viewerFor } from "../../src/auth/visibility.ts";
import { loadMapping } from "../../src/core/mapping/load.ts";
import { readPerson } from "../../src/http/person-lookup.ts";
import { personPageModel } from "../../src/web/pages/person-model.ts";
import { type Seeded, seedPerson } from "../http/visibility-seed.ts";
import { hiddenValue, titleOf, WebClient } from "../support/web-client.ts";
import { person, type WebTestApp, webApp } from "./support.ts";

let web: WebTestApp;
let essex: Seeded;
let kent: Seeded;

beforeAll(async () => {
  web = await webApp();
  essex = await seedPerson(web.db, { tag: "PGE", force: "ESSEX", lao: false });
  kent = await seedPerson(web.db, { tag: "PGK", force: "KENT", lao: false });
}, 60_000);
afterAll(async () => {
  await web?.done();
});

async function signedIn(username: string): Promise<WebClient> {
  const browser = new WebClient();
  await browser.signIn(`${web.base}/persons`, person(username));
  return browser;
}

async function search(browser: WebClient, field: string, identifier: string) {
  const form = await browser.follow(`${web.base}/persons`);
  return browser.post(`${web.base}/persons`, {
    _csrf: hiddenValue(form.html, "_csrf") ?? "",
    field,
    identifier,
  });
}

const noSecretsOf = (html: string, s: Seeded) => {
  for (const secret of [s.secrets.victim, s.secrets.narrative, s.secrets.safetyPlan, s.secrets.receipt]) {
    expect(html).not.toContain(secret);
  }
  expect(html).not.toContain(s.secrets.oasysDob);
};

describe("person search and person page", () => {
  it("police.essex finds an Essex person by PNC: redirected to /persons/<uuid>, the draft without the withheld fields", async () => {
    const browser = await signedIn("police.essex");
    const page = await search(browser, "pnc", essex.keys.pnc);
    expect(page.status).toBe(200);
    expect(page.url).toBe(`${web.base}/persons/${essex.personId}`);
    expect(page.url).not.toContain(essex.keys.pnc.replace("/", ""));
    expect(titleOf(page.html)).toBe("Person record - OASys–ARMS bridge");
    expect(page.html).toContain("Pre-filled ARMS draft");
    expect(page.html).toContain("Sexual preoccupation");
    expect(page.html).toContain("Where this came from");
    expect(page.html).toContain("Not shown to your role");
    noSecretsOf(page.html, essex);
  });

  it("the data team sees every field, with provenance", async () => {
    const browser = await signedIn("data.team.1");
    const page = await search(browser, "crn", essex.keys.crn.toLowerCase());
    expect(page.url).toBe(`${web.base}/persons/${essex.personId}`);
    expect(page.html).toContain(essex.secrets.narrative);
    expect(page.html).toContain(essex.secrets.oasysDob);
    expect(page.html).not.toContain("Not shown to your role");
  });

  it("police.kent: the Essex person is not found by search, and their page is 'Page not found'", async () => {
    const browser = await signedIn("police.kent");
    const results = await search(browser, "pnc", essex.keys.pnc);
    expect(results.url).toBe(`${web.base}/persons`);
    expect(results.html).toContain("No record found");
    const page = await browser.follow(`${web.base}/persons/${essex.personId}`);
    expect(page.status).toBe(404);
    expect(titleOf(page.html)).toBe("Page not found - OASys–ARMS bridge");
    noSecretsOf(page.html, essex);
    const own = await browser.follow(`${web.base}/persons/${kent.personId}`);
    expect(own.status).toBe(200);
  });

  it("an identifier that does not read, or none, is the form again with its error; the value never in the title", async () => {
    const browser = await signedIn("probation.officer");
    const bad = await search(browser, "pnc", "2011/0000001Z");
    expect(bad.status).toBe(400);
    expect(bad.html).toContain("There is a problem");
    expect(bad.html).toContain("Enter a PNC in the correct format");
    expect(titleOf(bad.html)).toBe("Error: Find a person - OASys–ARMS bridge");
    const empty = await search(browser, "", "");
    expect(empty.status).toBe(400);
    expect(empty.html).toContain("Select what kind of number");
    expect(empty.html).toContain("Enter a PNC, CRN or NOMIS number");
  });

  it("a search without its CSRF token is refused; a role without the page gets 'Page not found'", async () => {
    const browser = await signedIn("probation.officer");
    const refused = await browser.post(`${web.base}/persons`, { field: "pnc", identifier: essex.keys.pnc });
    expect(refused.status).toBe(403);
    const auditor = new WebClient();
    await auditor.signIn(`${web.base}/`, person("auditor.user"));
    expect((await auditor.follow(`${web.base}/persons`)).status).toBe(404);
    expect((await auditor.follow(`${web.base}/persons/${essex.personId}`)).status).toBe(404);
  });

  it("a malformed id is 'Page not found'", async () => {
    const browser = await signedIn("data.team.1");
    expect((await browser.follow(`${web.base}/persons/not-a-uuid`)).status).toBe(404);
  });
});

describe("personPageModel", () => {
  const mapping = loadMapping();
  const visibility = loadAccessPolicy().visibility;
  const read = (principal: Principal) =>
    readPerson(web.db, viewerFor(visibility, principal), essex.personId, {
      actor: { actor: principal.subject, role: principal.roles.join(","), agency: principal.agency },
      at: new Date().toISOString(),
      correlationId: null,
      justification: "personPageModel test",
    });
  const essexOfficer: Principal = {
    kind: "user",
    subject: "police.essex",
    clientId: "bridge-web",
    roles: ["POLICE"],
    agency: "POLICE",
    force: "ESSEX",
    laoAccess: false,
  };

  it("marks withheld fields WITHHELD with no value or provenance, and fills the rest with provenance", async () => {
    const police = await read(essexOfficer);
    const model = personPageModel(police!, mapping);
    const rows = model.draft!.groups.flatMap((g) => g.rows);
    const formulation = rows.find((r) => r.field === "/caseFormulation")!;
    expect(formulation).toMatchObject({ state: "WITHHELD", value: null, provenance: null });
    expect(rows.find((r) => r.field === "/subject/dateOfBirth")!.state).toBe("WITHHELD");
    const rated = rows.find((r) => r.field === "/riskFactors/SEXUAL_PREOCCUPATION")!;
    expect(rated.state).toBe("FILLED");
    expect(rated.provenance).toMatchObject({ question: "11.11", basis: expect.any(String) });
    expect(model.draft!.counts.withheld).toBeGreaterThan(0);
    expect(model.draft!.counts.formFields).toBe(rows.length);
    expect(JSON.stringify(model)).not.toContain(essex.secrets.narrative);
    expect(model.deliveries[0]!.rows[0]!.history[0]).toMatchObject({ receipt: null, receiptWithheld: true });
  });
});
