/**
 * The simulated push recipients and token endpoint over real HTTP: OAuth2 client credentials, Bearer
 * checks, Idempotency-Key (replay and conflict modes), document checks, receipts, /__received and
 * /__reset, and each fault as a client sees it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RunningSimulators, startSimulators } from "../../simulators/index.ts";
import type { ArmsDraft } from "../../src/core/arms/draft.ts";
import { applyMapping } from "../../src/core/mapping/apply.ts";
import { loadMapping } from "../../src/core/mapping/load.ts";
import { readOasysExportFile } from "../../src/ingest/xml/reader.ts";

const TODAY = "2026-11-20";
let sim: RunningSimulators;
let draft: ArmsDraft;

const PARTNER_UPDATE = `<?xml version="1.0" encoding="UTF-8"?>
<partnerRiskUpdate xmlns="urn:hmpps:oasys:partner-update:1">
  <subject><crn>X123456</crn><pnc>2004/0345678X</pnc><oasysAssessmentPk>9640101</oasysAssessmentPk></subject>
  <arms armsAssessmentId="ARMS-KEN-000501" revision="1"><riskLevel>MEDIUM</riskLevel></arms>
</partnerRiskUpdate>`;

async function token(auth: "basic" | "body" = "basic", secret = "bridge-secret"): Promise<Response> {
  const form = new URLSearchParams({ grant_type: "client_credentials" });
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (auth === "basic") headers.authorization = `Basic ${Buffer.from(`bridge:${secret}`).toString("base64")}`;
  else {
    form.set("client_id", "bridge");
    form.set("client_secret", secret);
  }
  return fetch(`${sim.url}/oauth/token`, { method: "POST", headers, body: form });
}

async function bearer(): Promise<string> {
  const body = (await (await token()).json()) as { access_token: string };
  return `Bearer ${body.access_token}`;
}

async function pushArms(body: unknown, key: string | null, auth?: string, contentType = "application/json") {
  const headers: Record<string, string> = {
    "content-type": contentType,
    authorization: auth ?? (await bearer()),
    "x-correlation-id": "corr-1",
  };
  if (key !== null) headers["idempotency-key"] = key;
  return fetch(`${sim.url}/arms/v1/prefilled-assessments`, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function pushOasys(xml: string, key: string, contentType = "application/xml") {
  return fetch(`${sim.url}/oasys/v1/partner-risk-updates`, {
    method: "POST",
    headers: { "content-type": contentType, authorization: await bearer(), "idempotency-key": key },
    body: xml,
  });
}

const received = async (recipient?: string) =>
  (await (await fetch(`${sim.url}/__received${recipient ? `?recipient=${recipient}` : ""}`)).json()) as {
    received: {
      receiptId: string;
      idempotencyKey: string;
      documentType: string;
      ids: Record<string, string>;
    }[];
    stats: Record<string, { requests: number; accepted: number; replays: number; rejected: number }>;
    rejections: { code: string }[];
  };

const control = (path: string, body: unknown = {}) =>
  fetch(`${sim.url}${path}`, { method: "POST", body: JSON.stringify(body) });

beforeAll(async () => {
  sim = await startSimulators({ tokenTtlS: 60 });
  for await (const r of readOasysExportFile("examples/pairs/matched-consistent/oasys.xml", {
    today: TODAY,
  })) {
    if (!r.ok) throw new Error("example did not parse");
    const mapped = applyMapping(loadMapping(), r.assessment, { today: TODAY });
    if (!mapped.ok) throw new Error("example did not map");
    draft = mapped.draft;
  }
});
afterAll(async () => sim.close());
beforeEach(async () => {
  await control("/__reset");
  await control("/__faults", { clear: true });
  await control("/__config", { idempotency: "replay" });
});

describe("token endpoint", () => {
  it("grants a short-lived bearer token by Basic or form client authentication", async () => {
    for (const auth of ["basic", "body"] as const) {
      const res = await token(auth);
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("no-store");
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ token_type: "Bearer", expires_in: 60 });
      expect(typeof body.access_token).toBe("string");
    }
  });

  it("refuses a wrong secret (401) and another grant type (400)", async () => {
    expect((await token("basic", "nope")).status).toBe(401);
    const res = await fetch(`${sim.url}/oauth/token`, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from("bridge:bridge-secret").toString("base64")}` },
      body: new URLSearchParams({ grant_type: "password" }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "unsupported_grant_type" });
  });

  it("pushes need a live token: none, unknown and expired ones get 401 with WWW-Authenticate", async () => {
    const none = await pushArms(draft, "k-1", "");
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer error="invalid_token"/);
    expect((await pushArms(draft, "k-1", "Bearer made-up")).status).toBe(401);
    const auth = await bearer();
    expect(await (await control("/__tokens/expire")).json()).toMatchObject({ expired: expect.any(Number) });
    expect((await pushArms(draft, "k-1", auth)).status).toBe(401);
    expect((await received("ARMS")).received).toEqual([]);
  });
});

describe("police: ARMS drafts", () => {
  it("accepts a valid draft with 201 and a receipt, and records it with the ids it is about", async () => {
    const res = await pushArms(draft, "arms:9640101:1");
    expect(res.status).toBe(201);
    const receipt = (await res.json()) as Record<string, string>;
    expect(receipt).toMatchObject({ receiptId: "ARMS-RCPT-000001", idempotencyKey: "arms:9640101:1" });
    const got = await received("ARMS");
    expect(got.received).toHaveLength(1);
    expect(got.received[0]).toMatchObject({
      receiptId: "ARMS-RCPT-000001",
      documentType: "arms-interchange/1",
      correlationId: "corr-1",
      ids: { pnc: draft.subject.pnc, crn: draft.subject.crn, oasysAssessmentPk: "9640101" },
      body: draft,
    });
  });

  it("replay mode: the same key and body again answers 200 with the original receipt, recorded once", async () => {
    const first = (await (await pushArms(draft, "key-a")).json()) as Record<string, string>;
    const again = await pushArms(draft, "key-a");
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toEqual(first);
    const got = await received("ARMS");
    expect(got.received).toHaveLength(1);
    expect(got.stats.ARMS).toEqual({ requests: 2, accepted: 1, replays: 1, rejected: 0 });
  });

  it("conflict mode: the same key and body again answers 409 'already have it' with the receipt", async () => {
    await control("/__config", { idempotency: "conflict" });
    const first = (await (await pushArms(draft, "key-b")).json()) as Record<string, string>;
    const again = await pushArms(draft, "key-b");
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: "ALREADY_RECEIVED", receiptId: first.receiptId });
    expect((await received("ARMS")).received).toHaveLength(1);
  });

  it("refuses a key reused for another body (422), a missing key (400), a bad draft (400), wrong type (415)", async () => {
    await pushArms(draft, "key-c");
    expect((await pushArms({ ...draft, revision: 99 }, "key-c")).status).toBe(422);
    expect((await pushArms(draft, null)).status).toBe(400);
    const invalid = await pushArms({ ...draft, riskLevel: "EXTREME" }, "key-d");
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ code: "INVALID_DRAFT" });
    expect((await pushArms({ ...draft, status: "COMPLETE" }, "key-e")).status).toBe(400);
    expect((await pushArms("{not json", "key-f")).status).toBe(400);
    expect((await pushArms(draft, "key-g", undefined, "text/plain")).status).toBe(415);
    const got = await received("ARMS");
    expect(got.received).toHaveLength(1);
    expect(got.rejections.map((r) => r.code)).toEqual([
      "IDEMPOTENCY_KEY_REUSED",
      "IDEMPOTENCY_KEY_REQUIRED",
      "INVALID_DRAFT",
      "INVALID_DRAFT",
      "BAD_JSON",
      "UNSUPPORTED_MEDIA_TYPE",
    ]);
  });
});

describe("probation: partner risk updates", () => {
  it("accepts namespaced XML with 201 and picks out the subject's ids", async () => {
    const res = await pushOasys(PARTNER_UPDATE, "oasys:ARMS-KEN-000501:1");
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ receiptId: "OASYS-RCPT-000001" });
    const got = await received("OASYS");
    expect(got.received[0]).toMatchObject({
      documentType: "partnerRiskUpdate",
      ids: {
        crn: "X123456",
        pnc: "2004/0345678X",
        oasysAssessmentPk: "9640101",
        armsAssessmentId: "ARMS-KEN-000501",
      },
      body: PARTNER_UPDATE,
    });
  });

  it("refuses a DOCTYPE, another namespace, broken XML and JSON", async () => {
    const doctype = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "x">]><partnerRiskUpdate xmlns="urn:hmpps:oasys:partner-update:1"/>`;
    expect((await pushOasys(doctype, "x1")).status).toBe(400);
    expect((await pushOasys(`<partnerRiskUpdate xmlns="urn:other"/>`, "x2")).status).toBe(400);
    expect(
      (await pushOasys(`<partnerRiskUpdate xmlns="urn:hmpps:oasys:partner-update:1">`, "x3")).status,
    ).toBe(400);
    expect((await pushOasys("{}", "x4", "application/json")).status).toBe(415);
    const got = await received("OASYS");
    expect(got.received).toEqual([]);
    expect(got.rejections.map((r) => r.code)).toEqual([
      "DOCTYPE_REFUSED",
      "WRONG_NAMESPACE",
      "BAD_XML",
      "UNSUPPORTED_MEDIA_TYPE",
    ]);
  });

  it("/__reset forgets what was received and the keys seen", async () => {
    await pushOasys(PARTNER_UPDATE, "r-1");
    await control("/__reset");
    expect((await received()).received).toEqual([]);
    expect((await pushOasys(PARTNER_UPDATE, "r-1")).status).toBe(201);
  });
});

describe("faults as a client sees them", () => {
  it("429 carries Retry-After; 5xx uses the configured status; neither records anything", async () => {
    await control("/__faults", { next: ["429", "5xx"], "retry-after": 7, status: 502 });
    const limited = await pushArms(draft, "f-1");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("7");
    expect((await pushArms(draft, "f-1")).status).toBe(502);
    expect((await pushArms(draft, "f-1")).status).toBe(201);
    expect((await received("ARMS")).received).toHaveLength(1);
  });

  it("reset drops the connection before anything is recorded", async () => {
    const auth = await bearer();
    await control("/__faults", { next: ["reset"] });
    await expect(pushArms(draft, "f-2", auth)).rejects.toThrow();
    expect((await received("ARMS")).received).toEqual([]);
  });

  it("lost records the push, then drops the connection: the retry with the same key is a replay", async () => {
    const auth = await bearer();
    await control("/__faults", { next: ["lost"] });
    await expect(pushArms(draft, "f-3", auth)).rejects.toThrow();
    expect((await received("ARMS")).received).toHaveLength(1);
    const retry = await pushArms(draft, "f-3", auth);
    expect(retry.status).toBe(200);
    expect((await received("ARMS")).received).toHaveLength(1);
  });

  it("timeout never answers: the client gives up", async () => {
    const auth = await bearer();
    await control("/__faults", { next: ["timeout"] });
    const res = fetch(`${sim.url}/arms/v1/prefilled-assessments`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: auth, "idempotency-key": "f-4" },
      body: JSON.stringify(draft),
      signal: AbortSignal.timeout(300),
    });
    await expect(res).rejects.toThrow(/abort|timeout/i);
    expect((await received("ARMS")).received).toEqual([]);
  });

  it("the token endpoint is out of scope by default, and can be put in scope", async () => {
    await control("/__faults", { "5xx": 1 });
    expect((await token()).status).toBe(200);
    await control("/__faults", { scope: ["token"] });
    expect((await token()).status).toBe(503);
  });

  it("refuses unknown fault settings with 400 and keeps the current ones", async () => {
    await control("/__faults", { "429": 0.5 });
    const res = await control("/__faults", { "429": 0.1, typo: 1 });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ message: "unknown fault setting 'typo'" });
    const now = (await (await fetch(`${sim.url}/__faults`)).json()) as { rates: Record<string, number> };
    expect(now.rates["429"]).toBe(0.5);
  });
});
