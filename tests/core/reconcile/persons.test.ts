import { describe, expect, it } from "vitest";
import type { ArmsAssessment } from "../../../src/core/arms/model.ts";
import { checkLetter } from "../../../src/core/identity/identifiers.ts";
import { buildAssessment, emptyRawAssessment } from "../../../src/core/oasys/build.ts";
import type { OasysAssessment } from "../../../src/core/oasys/model.ts";
import { groupPersons, latestOasys } from "../../../src/core/reconcile/persons.ts";

const TODAY = "2026-11-27";
const pnc = (year: string, serial: string) => `${year}/${serial}${checkLetter(`${year.slice(2)}${serial}`)}`;

function oasys(
  pk: number,
  ids: { pnc?: string; crn?: string },
  status = "COMPLETE",
  completed = "2026-10-01T10:00:00",
) {
  const raw = emptyRawAssessment();
  raw.assessmentPk = String(pk);
  raw.type = "LAYER3";
  raw.status = status;
  raw.dateCompleted = status === "COMPLETE" ? completed : null;
  raw.initiationDate = completed;
  raw.offender.pnc = ids.pnc ?? null;
  raw.offender.crn = ids.crn ?? null;
  const r = buildAssessment(raw, { today: TODAY });
  if (!r.ok) throw new Error(r.rejection.reason);
  return r.assessment;
}

function arms(id: string, subject: { pnc?: string; crn?: string }): ArmsAssessment {
  return {
    schema: "arms-interchange/1",
    armsAssessmentId: id,
    revision: 1,
    force: "ESSEX",
    status: "COMPLETE",
    subject,
    assessedOn: "2026-09-01",
    riskFactors: {},
    protectiveFactors: {},
    riskLevel: "LOW",
  };
}

describe("groupPersons", () => {
  const p1 = pnc("2008", "0056560");
  const p2 = pnc("2011", "0000123");

  it("joins OASys and ARMS records that share a canonical PNC, whatever its spelling", () => {
    const shortForm = p1.replace("2008/", "08");
    const groups = groupPersons([oasys(1, { pnc: shortForm })], [arms("A-1", { pnc: p1 })], TODAY);
    expect(groups).toHaveLength(1);
    expect(groups[0]?.key).toBe(`pnc:${p1}`);
    expect(groups[0]?.oasys).toHaveLength(1);
    expect(groups[0]?.arms).toHaveLength(1);
  });

  it("joins transitively through a CRN, so the matcher can see a PNC disagreement", () => {
    const groups = groupPersons(
      [oasys(1, { pnc: p1, crn: "X123456" })],
      [arms("A-1", { pnc: p2, crn: "X123456" })],
      TODAY,
    );
    expect(groups).toHaveLength(1);
    expect(groups[0]?.keys).toEqual([`pnc:${p1}`, `pnc:${p2}`, "crn:X123456"]);
  });

  it("never links on a PNC that fails its check letter", () => {
    const groups = groupPersons(
      [oasys(1, { pnc: "2001/0123456A" })],
      [arms("A-1", { pnc: "2001/0123456A" })],
      TODAY,
    );
    expect(groups).toHaveLength(2);
    expect(groups.map((g) => g.key).sort()).toEqual(["arms:A-1", "oasys:1"]);
  });

  it("never groups on a placeholder or an ambiguous PNC, and groups a PNC whatever its padding (issue 10, defect 1)", () => {
    // 00/0Z and 0000/0000000Z pass their check letter: read as PNCs they would join strangers.
    const zeros = groupPersons(
      [oasys(1, { pnc: "00/0Z", crn: "X100001" }), oasys(2, { pnc: "0000/0000000Z", crn: "X100002" })],
      [arms("A-1", { pnc: "00/0Z", crn: "X100003" }), arms("A-2", { pnc: "UNKNOWN PNC", crn: "X100004" })],
      TODAY,
    );
    expect(zeros).toHaveLength(4);
    const ambiguous = groupPersons(
      [oasys(1, { pnc: "197173319Z" })],
      [arms("A-1", { pnc: "2019/7173319Z" })],
      TODAY,
    );
    expect(ambiguous).toHaveLength(2);
    const unpadded = groupPersons(
      [oasys(1, { pnc: "1971/73319Z" })],
      [arms("A-1", { pnc: "1971/0073319Z" })],
      TODAY,
    );
    expect(unpadded.map((g) => g.key)).toEqual(["pnc:1971/0073319Z"]);
  });

  it("keeps unrelated people apart", () => {
    const groups = groupPersons([oasys(1, { pnc: p1 }), oasys(2, { pnc: p2 })], [], TODAY);
    expect(groups.map((g) => g.oasys.map((a) => a.assessmentPk))).toEqual([[1], [2]]);
  });
});

describe("latestOasys", () => {
  it("prefers the latest COMPLETE assessment", () => {
    const all: OasysAssessment[] = [
      oasys(1, {}, "COMPLETE", "2025-01-01T10:00:00"),
      oasys(2, {}, "COMPLETE", "2026-01-01T10:00:00"),
      oasys(3, {}, "OPEN", "2026-06-01T10:00:00"),
    ];
    expect(latestOasys(all)?.assessmentPk).toBe(2);
  });

  it("falls back to the latest of any status so currency rules can explain it", () => {
    expect(latestOasys([oasys(3, {}, "OPEN", "2026-06-01T10:00:00")])?.assessmentPk).toBe(3);
    expect(latestOasys([])).toBeNull();
  });
});
