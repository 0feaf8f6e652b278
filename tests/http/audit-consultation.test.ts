/**
 * Every read of a person or a conflict through the API is audited (CONSULTATION) before it is answered:
 * GET /v1/persons/{id}, GET /v1/conflicts/{id} and the conflict listing, with the caller from
 * `request.principal` (src/http/audit-actor.ts) or "anonymous" without one, and the request id as the
 * correlation id. The route plugins run on their own here, with the app's schemas, so the test does not
 * depend on how the whole app authenticates.
 */
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAccessPolicy } from "../../src/auth/policy.ts";
import { viewerFor } from "../../src/auth/visibility.ts";
import type { RouteDeps } from "../../src/http/deps.ts";
import { conflictsRoutes } from "../../src/http/routes/conflicts.ts";
import { personsRoutes } from "../../src/http/routes/persons.ts";
import { apiSchemas, serializerCompiler, validatorCompiler } from "../../src/http/schemas.ts";
import type { Db } from "../../src/store/index.ts";
import { type AuditEvent, auditTrail } from "../../src/store/repositories/audit.ts";
import { syncConflicts } from "../../src/store/repositories/conflict-sync.ts";
import { upsertPerson } from "../../src/store/repositories/persons.ts";
import { conflict, DRIVERS, freshStore, newKeys } from "../store/support.ts";

const NOW = "2026-11-20T12:00:00.000Z";
const CALLER = {
  kind: "user",
  subject: "user-42",
  clientId: "web",
  roles: ["DATA_TEAM"],
  agency: "PROBATION",
};

let db: Db;
let done: () => Promise<void>;
let app: FastifyInstance;
let personId: string;
let conflictId: string;

beforeAll(async () => {
  ({ db, done } = await freshStore(DRIVERS[0]!));
  personId = (await upsertPerson(db, newKeys(), NOW)).person.id;
  conflictId = (
    await syncConflicts(db, personId, [conflict("LV-1", "overall")], { now: NOW, reason: "test" })
  ).opened[0]!.id;
  app = Fastify({ genReqId: () => "req-1" });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  for (const schema of apiSchemas()) app.addSchema(schema);
  // What the authentication plugin does for a signed-in caller (absent on the anonymous requests).
  // What it sees is not this test's subject (tests/http/visibility-matrix.test.ts): everything here.
  const seesAll = viewerFor(loadAccessPolicy().visibility, {
    ...(CALLER as Parameters<typeof viewerFor>[1]),
    force: null,
    laoAccess: true,
  });
  app.addHook("onRequest", async (request) => {
    Object.assign(request, { viewer: seesAll });
    if (request.headers["x-test-caller"]) Object.assign(request, { principal: CALLER });
  });
  const deps = { db, nowIso: () => NOW } as unknown as RouteDeps;
  app.register(personsRoutes, { deps });
  app.register(conflictsRoutes, { deps });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await done();
});

const consultations = async (): Promise<AuditEvent[]> =>
  (await auditTrail(db, { personId })).filter((e) => e.category === "CONSULTATION");

describe("reads through the API are audited", () => {
  it("a person read names the caller, the person and their live conflicts", async () => {
    const res = await app.inject({ url: `/v1/persons/${personId}`, headers: { "x-test-caller": "1" } });
    expect(res.statusCode).toBe(200);
    expect((await consultations()).at(-1)).toMatchObject({
      action: "PERSON_VIEWED",
      actor: "user-42",
      role: "DATA_TEAM",
      agency: "PROBATION",
      subjectType: "PERSON",
      subjectId: personId,
      subjectIds: [`conflict:${conflictId}`, `person:${personId}`],
      correlationId: "req-1",
      at: NOW,
    });
  });

  it("a conflict read, and a listing, without a principal are recorded as anonymous", async () => {
    expect((await app.inject({ url: `/v1/conflicts/${conflictId}` })).statusCode).toBe(200);
    expect((await app.inject({ url: `/v1/conflicts?personId=${personId}` })).statusCode).toBe(200);
    const [viewed, listed] = (await consultations()).slice(-2);
    expect(viewed).toMatchObject({
      action: "CONFLICT_VIEWED",
      actor: "anonymous",
      role: "ANONYMOUS",
      subjectType: "CONFLICT",
      subjectIds: [`conflict:${conflictId}`, `person:${personId}`],
    });
    expect(listed).toMatchObject({
      action: "CONFLICTS_LISTED",
      actor: "anonymous",
      subjectType: "CONFLICT_LIST",
      subjectIds: [`conflict:${conflictId}`, "conflict_list:req-1", `person:${personId}`],
      details: { listed: 1, filter: { personId } },
    });
  });

  it("a read of nothing is not a consultation of anyone", async () => {
    const before = (await consultations()).length;
    const res = await app.inject({ url: "/v1/persons/7d0c54f4-6f5e-4f07-9d61-6f7a3b1c0a11" });
    expect(res.statusCode).not.toBe(200);
    expect(await consultations()).toHaveLength(before);
  });
});
