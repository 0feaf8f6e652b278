import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { matchPerson } from "../../src/core/identity/match.ts";
import { createLogger } from "../../src/log.ts";
import { armsPerson, oasysPerson } from "./people.ts";

describe("a MatchResult in a log line", () => {
  it("keeps status and explanation but never the disagreeing values", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger({ level: "info" }, sink);
    const result = matchPerson(
      oasysPerson(),
      armsPerson({ dateOfBirth: "1981-02-03", familyName: "Pemberton" }),
    );
    expect(result.status).toBe("MISMATCH");
    log.info({ armsAssessmentId: "ARMS-TST-000001", match: result }, "identity checked");
    log.info(result, "identity checked");
    const text = lines.join("");
    expect(text).toContain("MISMATCH");
    expect(text).toContain("disagree on date of birth and family name");
    for (const value of ["1981-02-03", "1979-06-14", "Pemberton", "ASHWORTH"])
      expect(text).not.toContain(value);
  });
});
