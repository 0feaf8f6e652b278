/**
 * A client generated from the API description does the main job against the real service: openapi-fetch
 * typed by tests/e2e/generated/api.ts (`npm run api:types`), so a request or answer that leaves the
 * contract fails the type-check before it fails here. Over HTTP, with the API, a worker and the simulated
 * agencies running (support.ts): the police side of one person (an ARMS assessment), then the probation
 * side (an OASys export, as XML), then the person read back: matched, a draft pre-filled, both agencies
 * sent their record. Each caller signs in as the access policy requires (tokens from the run's identity
 * provider). Errors come back typed too, in the one error shape.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import createClient from "openapi-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Received } from "../../simulators/index.ts";
import { authAs } from "../support/tokens.ts";
import { armsDocuments } from "./expected.ts";
import type { paths } from "./generated/api.ts";
import { type Stack, startStack, waitUntilIdle } from "./support.ts";

/** The same man assessed by both agencies, who agree (examples/pairs/README.md). */
const PAIR = "examples/pairs/matched-consistent";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

describe("the generated client against the running service", () => {
  it("posts an ARMS assessment and an OASys export, and reads the reconciled person back", async () => {
    const api = createClient<paths>({ baseUrl: stack.api });

    const documents = armsDocuments(`${PAIR}/arms.json`) as Record<string, unknown>[];
    // Each side signs in as the system the access policy lets post it (tests/support/tokens.ts).
    const arms = await api.POST("/v1/arms/assessments", {
      body: documents,
      headers: await authAs("arms-system"),
    });
    expect(arms.response.status).toBe(202);
    expect(arms.data?.rejected).toBe(0);
    expect(arms.data?.documents.map((d) => d.outcome)).toContain("STORED_CURRENT");
    const armsAssessmentId = arms.data?.documents[0]?.armsAssessmentId;
    await waitUntilIdle(stack, "the ARMS assessment");

    const exported = await api.POST("/v1/oasys/exports", {
      body: readFileSync(`${PAIR}/oasys.xml`, "utf8"),
      bodySerializer: (xml) => xml as string,
      headers: { ...(await authAs("oasys-system")), "content-type": "application/xml" },
    });
    expect(exported.response.status).toBe(202);
    expect(exported.data?.duplicate).toBe(false);
    // The export's answer gives the pk as it was sent (text, maybe not an id); the person view as a number.
    const assessmentPk = Number(exported.data?.assessments[0]?.assessmentPk);
    expect(exported.data?.assessments.map((a) => a.accepted)).toEqual([true]);
    await waitUntilIdle(stack, "the OASys export");

    const dataTeam = await authAs("data-team-system");
    const drafts = await api.GET("/v1/deliveries", {
      params: { query: { recipient: "ARMS", kind: "ARMS_DRAFT" } },
      headers: dataTeam,
    });
    expect(drafts.response.status).toBe(200);
    expect(drafts.data?.items).toHaveLength(1);
    const personId = drafts.data?.items[0]?.personId;
    expect(personId).toEqual(expect.any(String));

    const read = await api.GET("/v1/persons/{id}", {
      params: { path: { id: personId as string } },
      headers: dataTeam,
    });
    expect(read.response.status).toBe(200);
    const view = read.data!;
    expect(view.person.id).toBe(personId);
    expect(view.match).toMatchObject({ status: "MATCHED", armsAssessmentId, assessmentPk });
    expect(view.draft?.assessmentPk).toBe(assessmentPk);
    expect(view.openConflicts).toEqual([]);
    expect(view.deliveries.map((d) => `${d.recipient} ${d.kind} ${d.state}`).sort()).toEqual([
      "ARMS ARMS_DRAFT DELIVERED",
      "OASYS PARTNER_RISK_UPDATE DELIVERED",
    ]);
    const atAgencies = (await (await fetch(`${stack.sim.url}/__received`)).json()) as {
      received: Received[];
    };
    expect(atAgencies.received.map((r) => r.recipient).sort()).toEqual(["ARMS", "OASYS"]);

    const missing = await api.GET("/v1/persons/{id}", {
      params: { path: { id: randomUUID() } },
      headers: dataTeam,
    });
    expect(missing.response.status).toBe(404);
    expect(missing.error?.error.code).toBe("BRIDGE_E_NOT_FOUND");

    // Without a token: the documented 401, typed like every error.
    const anonymous = await api.GET("/v1/persons/{id}", { params: { path: { id: personId as string } } });
    expect(anonymous.response.status).toBe(401);
    expect(anonymous.error?.error.code).toBe("BRIDGE_E_UNAUTHENTICATED");
  }, 120_000);
});
