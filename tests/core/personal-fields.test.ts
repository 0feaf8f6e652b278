/**
 * The personal-field catalogue and what is derived from it: the logger censors every catalogued field at
 * any depth, in log objects and in child loggers' bindings; error messages quote an input value only when
 * it is short, not from a personal field and not shaped like a date or an identifier.
 */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  isPersonalField,
  MAX_QUOTED,
  PERSONAL_FIELD_NAMES,
  quoteInput,
} from "../../src/core/personal-fields.ts";
import { createLogger } from "../../src/log.ts";

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  return { log: createLogger({ level: "debug" }, sink), text: () => lines.join("") };
}

const nest = (depth: number, leaf: Record<string, unknown>): Record<string, unknown> =>
  depth === 0 ? leaf : { level: nest(depth - 1, leaf) };

describe("the personal-field catalogue", () => {
  it("names people's names, dates of birth, identifiers, addresses and narratives", () => {
    for (const name of ["familyName", "dateOfBirth", "pnc", "cro", "crn", "nomisId", "address"]) {
      expect(PERSONAL_FIELD_NAMES).toContain(name);
    }
    for (const name of ["whoIsAtRisk", "issuesDetails", "evidence", "sourceValue", "subject", "answers"]) {
      expect(PERSONAL_FIELD_NAMES).toContain(name);
    }
    expect(new Set(PERSONAL_FIELD_NAMES).size).toBe(PERSONAL_FIELD_NAMES.length);
  });

  it("recognises a personal field by any segment of its path, numbered forenames included", () => {
    expect(isPersonalField("/subject/gender")).toBe(true);
    expect(isPersonalField("offender/forename2")).toBe(true);
    expect(isPersonalField("rosh.whoIsAtRisk")).toBe(true);
    expect(isPersonalField("@status")).toBe(false);
    expect(isPersonalField("/status")).toBe(false);
    expect(isPersonalField("predictors[type=OSP]/@band")).toBe(false);
  });
});

describe("the logger", () => {
  it("censors every catalogued field at every depth, in objects and arrays", () => {
    const { log, text } = capture();
    for (const [i, field] of PERSONAL_FIELD_NAMES.entries()) {
      const secret = `SECRET-${i}-VALUE`;
      for (let depth = 0; depth <= 5; depth++) {
        log.info(nest(depth, { [field]: secret, keep: `kept-${i}` }), "nested");
        log.info({ list: [nest(depth, { [field]: secret })] }, "in an array");
      }
    }
    const out = text();
    expect(out).not.toMatch(/SECRET-\d+-VALUE/);
    expect(out).toContain("kept-0");
    expect(out).toContain('"[REDACTED]"');
  });

  it("censors child loggers' bindings, and numbered forenames", () => {
    const { log, text } = capture();
    log
      .child({ crn: "X123456", queue: "ingest" })
      .child({ offender: { familyName: "EXAMPLEMAN" }, names: { forename2: "SAMPLE" } })
      .info({ detail: { forename1: "TESTY" } }, "child");
    const out = text();
    for (const value of ["X123456", "EXAMPLEMAN", "SAMPLE", "TESTY"]) expect(out).not.toContain(value);
    expect(out).toContain('"queue":"ingest"');
  });

  it("keeps errors as pino serialises them and leaves the request log's fields alone", () => {
    const { log, text } = capture();
    log.error({ err: new Error("boom"), route: "/v1/x", status: 503 }, "failed");
    expect(text()).toContain('"message":"boom"');
    expect(text()).toContain('"status":503');
  });
});

describe("quoteInput", () => {
  it("quotes a short value of a field that is not personal", () => {
    expect(quoteInput("@status", "FINISHED")).toBe('"FINISHED"');
    expect(quoteInput("@type", "x".repeat(MAX_QUOTED))).toBe(`"${"x".repeat(MAX_QUOTED)}"`);
    // Codes with digits are still codes.
    expect(quoteInput("@type", "RM2000_S")).toBe('"RM2000_S"');
    expect(quoteInput("@q", "R1.2.3")).toBe('"R1.2.3"');
  });

  it("never quotes a personal field, a long value, or one shaped like a date or an identifier", () => {
    expect(quoteInput("/subject/familyName", "Holloway")).toBe("(a value of a personal field, not quoted)");
    expect(quoteInput("@status", "x".repeat(1060))).toBe("(a 1,060-character value, not quoted)");
    expect(quoteInput("@status", "1980-02-01")).toBe("(a 10-character value, not quoted)");
    expect(quoteInput("@status", "2008/0056560Z")).toBe("(a 13-character value, not quoted)");
    expect(quoteInput("@status", "08/56560Z")).toBe("(a 9-character value, not quoted)");
    expect(quoteInput("@status", "01/02/1980")).toBe("(a 10-character value, not quoted)");
    expect(quoteInput("@status", "X123456")).toBe("(a 7-character value, not quoted)");
    expect(quoteInput("@status", "A\u0000B")).toBe("(a 3-character value, not quoted)");
  });
});
