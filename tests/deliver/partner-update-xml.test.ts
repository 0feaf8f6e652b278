import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PartnerRiskUpdate } from "../../src/core/reconcile/outbound.ts";
import type { CorrectionNotice } from "../../src/deliver/corrections.ts";
import {
  PARTNER_UPDATE_NS,
  renderCorrectionNoticeXml,
  renderPartnerUpdateXml,
} from "../../src/deliver/partner-update-xml.ts";
import { el, escapeAttribute, escapeText, renderXmlDocument, xmlSafe } from "../../src/deliver/xml-writer.ts";
import { child, children, leaf, type Node, readXml } from "./xml-tree.ts";

const HOSTILE = `O'Brien & "Sons" <script>]]></script>`;

function update(text = "explanation"): PartnerRiskUpdate {
  return {
    schema: "urn:hmpps:oasys:partner-update:1",
    subject: { crn: "X123456", pnc: "2008/0056560Z", oasysAssessmentPk: 9630348 },
    arms: {
      armsAssessmentId: "ARMS-ESX-000123",
      revision: 3,
      force: "ESSEX",
      assessedOn: "2026-09-12",
      nextReviewDue: null,
      riskLevel: "HIGH",
      managementMode: null,
      factors: [
        { factor: "SEXUAL_PREOCCUPATION", kind: "RISK", rating: "PRESENT" },
        { factor: "INTIMATE_RELATIONSHIP", kind: "PROTECTIVE", rating: null },
      ],
    },
    openConflicts: [
      { ruleId: "LV-1", severity: "WARN", fingerprint: `LV-1:${HOSTILE}`, explanation: text },
      { ruleId: "FC-1", severity: "BLOCK", fingerprint: "FC-1:SEXUAL_PREOCCUPATION", explanation: "b" },
    ],
    decisions: [
      {
        ruleId: "LV-2",
        fingerprint: "LV-2:level",
        outcome: "RESOLVED",
        decision: `keep HIGH & review <2027>`,
        rationale: HOSTILE,
        decidedBy: ["reviewer.a@example.test", "reviewer.b@example.test"],
        // The first decided before roles were recorded; the second as the data team of the bridge.
        reviewers: [
          { subject: "reviewer.a@example.test", role: null, agency: null },
          { subject: "reviewer.b@example.test", role: "DATA_TEAM", agency: "BRIDGE" },
        ],
        decidedAt: "2026-11-20T10:00:00.000Z",
      },
    ],
  };
}

/** Reads a rendered partner update back into the content type (the round trip). */
function readUpdate(root: Node): PartnerRiskUpdate {
  const s = child(root, "subject")!;
  const a = child(root, "armsSummary")!;
  return {
    schema: root.ns as PartnerRiskUpdate["schema"],
    subject: {
      crn: leaf(s, "crn"),
      pnc: leaf(s, "pnc"),
      oasysAssessmentPk: Number(leaf(s, "oasysAssessmentPk")),
    },
    arms: {
      armsAssessmentId: a.attributes.armsAssessmentId!,
      revision: Number(a.attributes.revision),
      force: leaf(a, "force"),
      assessedOn: leaf(a, "assessedOn"),
      nextReviewDue: leaf(a, "nextReviewDue"),
      riskLevel: leaf(a, "riskLevel") as PartnerRiskUpdate["arms"]["riskLevel"],
      managementMode: leaf(a, "managementMode"),
      factors: children(child(a, "factors")!, "factor").map((f) => ({
        factor: f.attributes.name!,
        kind: f.attributes.kind as "RISK" | "PROTECTIVE",
        rating: (f.attributes.rating ?? null) as PartnerRiskUpdate["arms"]["factors"][number]["rating"],
      })),
    },
    openConflicts: children(child(root, "openConflicts")!, "conflict").map((c) => ({
      ruleId: c.attributes.ruleId!,
      severity: c.attributes.severity as "WARN",
      fingerprint: c.attributes.fingerprint!,
      explanation: leaf(c, "explanation")!,
    })),
    decisions: children(child(root, "decisions")!, "decision").map((d) => ({
      ruleId: d.attributes.ruleId!,
      fingerprint: d.attributes.fingerprint!,
      outcome: d.attributes.outcome as "RESOLVED",
      decision: leaf(d, "taken"),
      rationale: leaf(d, "rationale")!,
      decidedBy: children(d, "decidedBy").map((b) => b.text),
      reviewers: children(d, "decidedBy").map((b) => ({
        subject: b.text,
        role: b.attributes.role ?? null,
        agency: b.attributes.agency ?? null,
      })),
      decidedAt: d.attributes.decidedAt!,
    })),
  };
}

describe("partner risk update XML", () => {
  it("is well-formed, in the partner-update namespace, with no DOCTYPE, and reads back to the same update", () => {
    const xml = renderPartnerUpdateXml(update());
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<partnerRiskUpdate')).toBe(true);
    expect(xml).not.toMatch(/<!DOCTYPE|<!ENTITY|CDATA/);
    const { root, sawDoctype } = readXml(xml);
    expect(sawDoctype).toBe(false);
    expect(root.name).toBe("partnerRiskUpdate");
    expect(root.ns).toBe(PARTNER_UPDATE_NS);
    expect(readUpdate(root)).toEqual(update());
  });

  it("escapes & < > \" ' in text and attributes (no raw markup gets through)", () => {
    const xml = renderPartnerUpdateXml(update(HOSTILE));
    expect(xml).not.toContain("<script>");
    expect(xml).toContain("O&apos;Brien &amp; &quot;Sons&quot; &lt;script&gt;]]&gt;&lt;/script&gt;");
    expect(xml).toContain('O\'Brien &amp; "Sons" &lt;script&gt;]]&gt;&lt;/script&gt;');
    expect(readUpdate(readXml(xml).root).openConflicts[0]?.explanation).toBe(HOSTILE);
  });

  it("omits optional elements that are null, and keeps empty collections as empty elements", () => {
    const u = { ...update(), openConflicts: [], decisions: [] };
    const xml = renderPartnerUpdateXml(u);
    expect(xml).not.toContain("nextReviewDue");
    expect(xml).toContain("<openConflicts/>");
    expect(readUpdate(readXml(xml).root)).toEqual(u);
  });

  it("keeps any text well-formed: characters XML cannot carry become U+FFFD, the rest round-trips", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (text, attr) => {
        const xml = renderXmlDocument(el("r", { a: attr }, [{ name: "t", text }]));
        const { root } = readXml(xml);
        expect(root.attributes.a).toBe(xmlSafe(attr));
        expect(leaf(root, "t")).toBe(xmlSafe(text));
      }),
      { numRuns: 300 },
    );
  });

  it("escapes the documented characters", () => {
    expect(escapeText("a&b<c>d\re")).toBe("a&amp;b&lt;c&gt;d&#13;e");
    expect(escapeAttribute(`"'\t\n`)).toBe("&quot;&apos;&#9;&#10;");
    expect(xmlSafe("a\u0000b\uD800c\uFFFE")).toBe("a\uFFFDb\uFFFDc\uFFFD");
    expect(xmlSafe("emoji \u{1F600} stays")).toBe("emoji \u{1F600} stays");
    expect(() => renderXmlDocument(el("bad name"))).toThrow(/not an XML name/);
  });
});

describe("correction notice XML", () => {
  it("names the corrected delivery, each change and the replacement", () => {
    const notice: CorrectionNotice = {
      schema: "bridge-correction-notice/1",
      recipient: "OASYS",
      corrects: "partner-update:ARMS-ESX-000123:r3:9630348:0123456789abcdef",
      subject: { oasysAssessmentPk: 9630348, armsAssessmentId: "ARMS-ESX-000123" },
      changes: [{ source: "ARMS", record: "ARMS-ESX-000123", change: "REVISED", delivered: 3, current: 4 }],
      replacement: "partner-update:ARMS-ESX-000123:r4:9630348:fedcba9876543210",
    };
    const { root, sawDoctype } = readXml(renderCorrectionNoticeXml(notice));
    expect(sawDoctype).toBe(false);
    expect(root.name).toBe("correctionNotice");
    expect(root.ns).toBe(PARTNER_UPDATE_NS);
    expect(root.attributes.corrects).toBe(notice.corrects);
    expect(children(child(root, "changes")!, "change").map((c) => c.attributes)).toEqual([
      { source: "ARMS", record: "ARMS-ESX-000123", change: "REVISED", delivered: "3", current: "4" },
    ]);
    expect(child(root, "replacement")?.attributes.idempotencyKey).toBe(notice.replacement);
    expect(leaf(child(root, "subject")!, "armsAssessmentId")).toBe("ARMS-ESX-000123");
  });
});
