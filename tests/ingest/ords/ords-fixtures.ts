/**
 * Test helpers: load the ORDS scenario bodies from tests/fixtures/ords (see SOURCE.md) and serve them
 * with nock at the paths of contract §2.
 */
import { readFileSync } from "node:fs";
import nock from "nock";
import type { OrdsRecord } from "../../../src/ingest/ords/payload.ts";

export const ORDS_BASE = "http://ords.test";
export const FIXTURES = new URL("../../fixtures/ords/", import.meta.url);

export const SECTION_ENDPOINTS = [
  "section1",
  "section3",
  "section4",
  "section6",
  "section7",
  "section8",
  "section9",
  "section11",
  "section12",
] as const;
export const ENDPOINTS = [...SECTION_ENDPOINTS, "sectionroshsumm", "riskscrass", "rmp"] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

export const MALE = { name: "male-sexual-offending-9630348", crn: "X123456", pk: 9630348 } as const;
export const FEMALE = { name: "female-osp-not-applicable-9621383", crn: "X123456", pk: 9621383 } as const;

export function fixture(relative: string): OrdsRecord {
  return JSON.parse(readFileSync(new URL(relative, FIXTURES), "utf8")) as OrdsRecord;
}

export function scenarioBodies(name: string): Record<Endpoint, OrdsRecord> {
  return Object.fromEntries(ENDPOINTS.map((e) => [e, fixture(`${name}/${e}.json`)])) as Record<
    Endpoint,
    OrdsRecord
  >;
}

/** The first `assessments[]` entry of a body (for pure extraction tests). */
export function entryOf(body: OrdsRecord): OrdsRecord {
  return (body.assessments as OrdsRecord[])[0] as OrdsRecord;
}

export function ordsPath(endpoint: Endpoint, crn: string, pk: number, lao = "ALLOW"): string {
  return endpoint === "rmp" ? `/eor/oasys/ass/rmp/${crn}/${lao}` : `/eor/oasys/ass/${endpoint}/${lao}/${pk}`;
}

export interface ServeOptions {
  lao?: string;
  /** Replace a body (or answer with a status) for some endpoints; `skip` serves nothing for them. */
  replies?: Partial<Record<Endpoint, OrdsRecord | { status: number; body?: string } | "skip">>;
  bodies?: Record<Endpoint, OrdsRecord>;
  /** Every request must carry these headers (nock `reqheaders`). */
  reqheaders?: Record<string, string | RegExp>;
}

/** Serve one scenario once per endpoint; returns the nock scope (`scope.done()` = all were asked). */
export function serveScenario(
  s: { name: string; crn: string; pk: number },
  options: ServeOptions = {},
): nock.Scope {
  const bodies = options.bodies ?? scenarioBodies(s.name);
  const scope = nock(ORDS_BASE, options.reqheaders ? { reqheaders: options.reqheaders } : {});
  for (const endpoint of ENDPOINTS) {
    const reply = options.replies?.[endpoint];
    if (reply === "skip") continue;
    const interceptor = scope.get(ordsPath(endpoint, s.crn, s.pk, options.lao));
    if (reply && "status" in reply && typeof reply.status === "number") {
      interceptor.reply(reply.status, (reply.body as string | undefined) ?? "");
    } else {
      interceptor.reply(200, (reply as OrdsRecord | undefined) ?? bodies[endpoint], {
        "content-type": "application/json",
      });
    }
  }
  return scope;
}
