import { describe, expect, it } from "vitest";
import {
  addDays,
  addMonths,
  addWeeks,
  ageOn,
  calendarDate,
  daysBetween,
} from "../../src/core/conflicts/dates.ts";

describe("calendar date helpers", () => {
  it("takes the calendar date of an OASys local date-time", () => {
    expect(calendarDate("2026-03-29T01:30:00")).toBe("2026-03-29");
    expect(calendarDate(null)).toBeNull();
  });

  it("adds days and weeks across month, year and BST changes", () => {
    expect(addDays("2026-03-28", 2)).toBe("2026-03-30");
    expect(addWeeks("2025-10-16", 55)).toBe("2026-11-05");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
  });

  it("adds months clamping to the end of a shorter month", () => {
    expect(addMonths("2026-01-31", 1)).toBe("2026-02-28");
    expect(addMonths("2024-01-31", 1)).toBe("2024-02-29");
    expect(addMonths("2026-10-03", -6)).toBe("2026-04-03");
    expect(addMonths("2025-11-20", 12)).toBe("2026-11-20");
  });

  it("counts days between dates, negative backwards", () => {
    expect(daysBetween("2026-04-02", "2026-10-03")).toBe(184);
    expect(daysBetween("2026-10-03", "2026-04-02")).toBe(-184);
  });

  it("computes completed years, a 29 February birthday falling on 1 March", () => {
    expect(ageOn("2008-09-13", "2026-09-12")).toBe(17);
    expect(ageOn("2008-09-13", "2026-09-13")).toBe(18);
    expect(ageOn("2008-02-29", "2026-02-28")).toBe(17);
    expect(ageOn("2008-02-29", "2026-03-01")).toBe(18);
  });

  it("refuses a value that is not a date", () => {
    expect(() => addDays("20/11/2026", 1)).toThrow(RangeError);
  });
});
