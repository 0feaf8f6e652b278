/**
 * The audit pages (src/web/pages/audit.ts) over HTTP as auditor.user, on PostgreSQL with a person seeded
 * through the real pipeline (which writes the audit entries): verifying the chain, searching one person's
 * entries in a period (posted: nothing in a URL), downloading them as JSON lines, the form's errors, and
 * no one but auditors. The model and the date fields straight.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyChain } from "../../src/store/repositories/audit-chain.ts";
import { auditModel, isoDate, readSearch } from "../../src/web/pages/audit.ts";
import { type Seeded, seedPerson } from "../http/visibility-seed.ts";
import { hiddenValue, titleOf, WebClient } from "../support/web-client.ts";
import { person, type WebTestApp, webApp } from "./support.ts";

let web: WebTestApp;
let auditor: WebClient;
let seeded: Seeded;

beforeAll(async () => {
  web = await webApp();
  seeded = await seedPerson(web.db, { tag: "AUD", force: "ESSEX", lao: false });
  auditor = new WebClient();
  await auditor.signIn(`${web.base}/audit`, person("auditor.user"));
}, 60_000);
afterAll(async () => {
  await web?.done();
});

async function post(url: string, fields: Record<string, string>) {
  const form = await auditor.follow(`${web.base}/audit`);
  return auditor.post(`${web.base}${url}`, { _csrf: hiddenValue(form.html, "_csrf") ?? "", ...fields });
}

const PERIOD = {
  "from-day": "1",
  "from-month": "11",
  "from-year": "2026",
  "to-day": "30",
  "to-month": "11",
  "to-year": "2026",
};

describe("the audit pages", () => {
  it("verify the chain as bridge audit verify does", async () => {
    const page = await post("/audit/verify", {});
    expect(page.status).toBe(200);
    expect(titleOf(page.html)).toBe("Audit trail - OASys–ARMS bridge");
    const report = await verifyChain(web.db);
    expect(page.html).toContain("The audit chain is whole");
    expect(page.html).toContain(`${report.checked} entries verified`);
  });

  it("find a person's entries in a period by CRN, posted, and download them all as JSON lines", async () => {
    const page = await post("/audit/search", { subject: seeded.keys.crn, ...PERIOD });
    expect(page.status).toBe(200);
    expect(page.url).toBe(`${web.base}/audit/search`);
    expect(page.html).toContain("OASYS_ASSESSMENT_STORED");
    expect(page.html).toContain("PERSON_RECONCILED");
    const total = Number(/(\d+) entries from/.exec(page.html)?.[1]);
    expect(total).toBeGreaterThan(2);

    const res = await auditor.request(`${web.base}/audit/export`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        _csrf: hiddenValue(page.html, "_csrf") ?? "",
        subject: seeded.keys.crn,
        ...PERIOD,
      }).toString(),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="audit-export.jsonl"');
    expect(res.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
    const lines = (await res.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(total);
    expect(lines[0]).toMatchObject({
      seq: expect.any(Number),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });

    const outside = await post("/audit/search", {
      ...PERIOD,
      subject: seeded.keys.crn,
      "from-year": "2025",
      "to-year": "2025",
    });
    expect(outside.html).toContain("0 entries from");
  });

  it("say what is wrong with the form, field by field", async () => {
    const page = await post("/audit/search", {
      subject: "not an id",
      "from-day": "31",
      "from-month": "2",
      "from-year": "2026",
    });
    expect(page.status).toBe(400);
    expect(titleOf(page.html)).toBe("Error: Audit trail - OASys–ARMS bridge");
    expect(page.html).toContain("Enter a person id, a CRN or a PNC in the correct format");
    expect(page.html).toContain("Enter the first day of the period as a real date");
    expect(page.html).toContain("Enter the last day of the period as a real date");
    expect(page.html).toContain('href="#from-day"');
  });

  it("are for auditors only", async () => {
    const admin = new WebClient();
    expect((await admin.signIn(`${web.base}/audit`, person("admin.user"))).status).toBe(404);
  });
});

describe("the model", () => {
  it("reads the dates and the subject as the CLI does", () => {
    expect(isoDate({ day: "7", month: "3", year: "2026" })).toBe("2026-03-07");
    expect(isoDate({ day: "29", month: "2", year: "2025" })).toBeNull();
    const read = readSearch({ subject: "x123456", ...PERIOD }, "2026-11-20");
    expect(read).toMatchObject({
      ok: true,
      ids: { crn: "X123456" },
      from: "2026-11-01T00:00:00.000Z",
      to: "2026-12-01T00:00:00.000Z",
    });
    const backwards = readSearch({ subject: "x123456", ...PERIOD, "to-month": "10" }, "2026-11-20");
    expect(backwards).toMatchObject({
      ok: false,
      fieldErrors: { to: "The last day must be the same as or after the first day" },
    });
  });

  it("reports a broken chain with its seq and reason", () => {
    const model = auditModel({
      verify: {
        length: 9,
        report: {
          ok: false,
          checked: 2,
          fromSeq: 1,
          headSeq: 9,
          checkpoint: null,
          broken: { seq: 3, reason: "ALTERED_CONTENT", detail: "the entry hashes to a, not to b" },
        },
      },
    });
    expect(model.verify).toMatchObject({ ok: false, broken: { seq: 3, reason: "ALTERED_CONTENT" } });
  });
});
