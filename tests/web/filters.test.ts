/**
 * The pages' shared filters (src/web/filters.ts): GOV.UK dates in Europe/London (across the clock
 * changes, midnight and midday), local dates shown as written, severity tags, role names; and the macro
 * that renders a severity as a GOV.UK tag.
 */
import nunjucks from "nunjucks";
import { describe, expect, it } from "vitest";
import { govukDate, govukDateTime, govukTime, roleName, severityTag } from "../../src/web/filters.ts";
import { configureNunjucks, GOVUK_ROOT, MOJ_ROOT, VIEWS_DIR } from "../../src/web/views.ts";

describe("dates, in Europe/London", () => {
  it("shows an instant as the date and time in London, in winter (GMT) and summer (BST)", () => {
    expect(govukDateTime("2026-12-08T14:05:00.000Z")).toBe("8 December 2026 at 2:05pm");
    expect(govukDateTime("2026-07-08T14:05:00.000Z")).toBe("8 July 2026 at 3:05pm");
    expect(govukDate("2026-07-08T23:30:00.000Z")).toBe("9 July 2026");
    expect(govukTime("2026-07-08T09:07:00+01:00")).toBe("9:07am");
    expect(govukDateTime(new Date("2026-03-29T01:30:00.000Z"))).toBe("29 March 2026 at 2:30am");
  });

  it("says midnight and midday", () => {
    expect(govukDateTime("2026-12-08T00:00:00.000Z")).toBe("8 December 2026 at midnight");
    expect(govukDateTime("2026-12-08T12:00:00.000Z")).toBe("8 December 2026 at midday");
    expect(govukTime("2026-12-08T12:01:00.000Z")).toBe("12:01pm");
    expect(govukTime("2026-12-08T00:59:00.000Z")).toBe("12:59am");
  });

  it("shows a calendar date and a local date-time (OASys writes London time) as written", () => {
    expect(govukDate("2026-12-08")).toBe("8 December 2026");
    expect(govukDateTime("2026-12-08")).toBe("8 December 2026");
    expect(govukTime("2026-12-08")).toBe("");
    expect(govukDateTime("2026-07-08T14:05:00")).toBe("8 July 2026 at 2:05pm");
  });

  it("gives back what is not a date rather than 'Invalid Date'", () => {
    expect(govukDate("not a date")).toBe("not a date");
    expect(govukDate(null)).toBe("");
    expect(govukDateTime(new Date(Number.NaN))).toBe("");
  });
});

describe("tags and names", () => {
  it("colours each severity", () => {
    expect(severityTag("BLOCK")).toEqual({ text: "Blocks push", classes: "govuk-tag--red" });
    expect(severityTag("WARN")).toEqual({ text: "To review", classes: "govuk-tag--orange" });
    expect(severityTag("INFO")).toEqual({ text: "Information", classes: "govuk-tag--grey" });
    expect(severityTag("ODD")).toEqual({ text: "ODD", classes: "govuk-tag--grey" });
    expect(roleName("DATA_TEAM")).toBe("Data team");
  });

  it("renders the severityTag macro as a GOV.UK tag, escaped", () => {
    const env = new nunjucks.Environment(new nunjucks.FileSystemLoader([VIEWS_DIR, GOVUK_ROOT, MOJ_ROOT]), {
      autoescape: true,
    });
    configureNunjucks(env);
    const html = env.renderString(
      '{% from "macros/tags.njk" import severityTag %}{{ severityTag("BLOCK") }}|{{ severityTag("<b>") }}|{{ "2026-12-08" | govukDate }}',
      {},
    );
    expect(html).toMatch(/<strong class="govuk-tag govuk-tag--red">\s*Blocks push\s*<\/strong>/);
    expect(html).toContain("&lt;b&gt;");
    expect(html).toContain("8 December 2026");
  });
});
