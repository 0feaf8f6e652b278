/**
 * Error messages name the record and the problem, never the person (issue 11, item 6). An input value is
 * quoted only when short, not from a personal field and not shaped like a date or an identifier (the
 * personal-field catalogue, src/core/personal-fields.ts): a 1,060-character `status` holding a name, a
 * date of birth and a PNC comes back as its length, not as itself, wherever the API reports it. The API's
 * answers are built by the intake functions and checks called here, on a real PostgreSQL schema.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RouteDeps } from "../../src/http/deps.ts";
import { describeValidation } from "../../src/http/errors.ts";
import { acceptXmlExport } from "../../src/http/intake/oasys-exports.ts";
import { checkArmsDocument } from "../../src/ingest/arms/document.ts";
import { dropSchema } from "../../src/store/db.ts";
import { type Db, openStore } from "../../src/store/index.ts";
import { DATABASE_URL, uniqueSchema } from "../store/support.ts";
import { FIXED_NOW, RecordingProducer, TEST_CONFIG } from "./support.ts";

/** The synthetic person of examples/oasys/complete-layer3-sexual-items.xml. */
const PERSON = ["EXAMPLEMAN", "SAMPLE", "1980-02-01", "2008/0056560Z"];
const filler = "x".repeat(1060);
/** 1,060 characters: a note pasted into the wrong field, naming the person. */
const HOSTILE = `Completed for ${PERSON.join(" ")} `.padEnd(1060, ".");
const EXAMPLE = "../../examples/oasys/complete-layer3-sexual-items.xml";

const exampleWith = (from: string, to: string): string => {
  const xml = readFileSync(new URL(EXAMPLE, import.meta.url), "utf8");
  expect(xml).toContain(from);
  return xml.replace(from, to);
};

const expectNoPerson = (text: string) => {
  for (const value of PERSON) expect(text).not.toContain(value);
  expect(text).not.toContain(HOSTILE.slice(0, 40));
  expect(text).not.toContain(filler.slice(0, 100));
};

let db: Db;
let deps: RouteDeps;
beforeAll(async () => {
  db = await openStore({ databaseUrl: DATABASE_URL, schema: uniqueSchema() });
  deps = {
    db,
    producer: new RecordingProducer(),
    config: TEST_CONFIG,
    nowIso: () => FIXED_NOW.toISOString(),
  } as unknown as RouteDeps;
});
afterAll(async () => {
  await dropSchema(db);
  await db.close();
});

/** What POST /v1/oasys/exports answers for an XML body. */
const postExport = async (xml: string) => {
  const bytes = Buffer.from(xml);
  const answer = await acceptXmlExport(deps, {
    bytes,
    sha256: createHash("sha256").update(bytes).digest("hex"),
  });
  return { answer, text: JSON.stringify(answer) };
};

describe("a rejected record's reason", () => {
  it("names the record, the field and the problem, and gives a 1,060-character status by its length", async () => {
    expect(HOSTILE).toHaveLength(1060);
    const { answer, text } = await postExport(exampleWith('status="COMPLETE"', `status="${HOSTILE}"`));
    expect(answer.assessments[0]).toMatchObject({
      index: 1,
      assessmentPk: "9630348",
      accepted: false,
      error: {
        code: "BRIDGE_E_RECORD_BAD_VALUE",
        path: "@status",
        reason: "status (a 1,060-character value, not quoted) is not OPEN, COMPLETE or LOCKED_INCOMPLETE",
      },
    });
    expectNoPerson(text);
  });

  it("still quotes a short, plain value, which is what makes the message useful", async () => {
    const { answer } = await postExport(exampleWith('status="COMPLETE"', 'status="FINISHED"'));
    expect(answer.assessments[0]?.error?.reason).toBe(
      'status "FINISHED" is not OPEN, COMPLETE or LOCKED_INCOMPLETE',
    );
  });

  it("does not quote a type holding a name and a date of birth, short as it is", async () => {
    const { answer, text } = await postExport(exampleWith('type="LAYER3"', 'type="EXAMPLEMAN 1980-02-01"'));
    expect(answer.assessments[0]?.error).toMatchObject({
      code: "BRIDGE_E_RECORD_BAD_VALUE",
      path: "@type",
      reason: "assessment type (a 21-character value, not quoted) is not an OASys type",
    });
    expectNoPerson(text);
  });
});

describe("a refused ARMS document and a refused request", () => {
  const doc = () =>
    JSON.parse(
      readFileSync(new URL("../../examples/pairs/matched-consistent/arms.json", import.meta.url), "utf8"),
    );

  it("never quote an unexpected property named by the input, nor a long status", () => {
    const named = checkArmsDocument({ ...doc(), [HOSTILE]: true });
    expect(named).toMatchObject({ ok: false, path: "/" });
    expect(JSON.stringify(named)).toContain("a 1,060-character name, not quoted");
    expectNoPerson(JSON.stringify(named));
    // Under the subject a property's name can itself be a person's detail.
    const underSubject = checkArmsDocument({ ...doc(), subject: { ...doc().subject, Holloway: true } });
    expect(underSubject).toMatchObject({ ok: false, path: "/subject" });
    expect(JSON.stringify(underSubject)).not.toContain("Holloway");
    const status = checkArmsDocument({ ...doc(), status: "DRAFT" }, { requireComplete: true });
    expect(status).toMatchObject({ ok: false, path: "/status" });
  });

  it("never quote a request's unexpected property (the API's schema validation)", () => {
    const issue = {
      instancePath: "",
      keyword: "additionalProperties",
      message: "must NOT have additional properties",
    };
    expect(describeValidation("body", [{ ...issue, params: { additionalProperty: HOSTILE } }])).toBe(
      "body must NOT have additional properties (a 1,060-character name, not quoted)",
    );
    expect(describeValidation("body", [{ ...issue, params: { additionalProperty: "reviewer" } }])).toBe(
      "body must NOT have additional properties (reviewer)",
    );
  });
});
