/**
 * The simulated OASys ORDS service's data and its GET paths (contract §2):
 *
 *   /eor/oasys/ass/section{N}/{lao}/{pk}        /eor/oasys/ass/sectionroshsumm/{lao}/{pk}
 *   /eor/oasys/ass/riskscrass/{lao}/{pk}        /eor/oasys/ass/rmp/{crn}/{lao}
 *   /eor/oasys/ass/allasslist/prob/{crn}/{lao}
 *
 * `{lao}` is `ALLOW` or `LIMIT`. A limited-access offender's payloads are served under `ALLOW` only; under
 * `LIMIT` they answer 403, as OASys does for a caller without the privilege. Unknown assessments, persons
 * and sections OASys holds none of answer 404 with a JSON body.
 */
import type { OasysAssessment } from "../../src/core/oasys/model.ts";
import { type Json, type OrdsAssessmentPayloads, renderOrdsPayloads } from "./render.ts";

export interface OrdsAnswer {
  status: number;
  body: unknown;
}

const ASS = "/eor/oasys/ass/";
const notFound = (what: string): OrdsAnswer => ({
  status: 404,
  body: { status: 404, message: `${what} not found` },
});
const forbidden: OrdsAnswer = { status: 403, body: { status: 403, message: "limited access offender" } };

/** Verbatim ORDS bodies for one assessment (a folder of real or hand-made JSON). */
export interface VerbatimPayloads {
  assessmentPk: number;
  crn: string;
  limitedAccessOffender: boolean;
  /** `section1`, `section6`, `sectionroshsumm`, `riskscrass` ... -> body. */
  bodies: Record<string, unknown>;
  /** The person's `rmp` body, when the folder has one. */
  rmp: unknown | null;
  timelineEntry: Json;
}

type Stored =
  | { kind: "rendered"; payloads: OrdsAssessmentPayloads }
  | { kind: "verbatim"; payloads: VerbatimPayloads };

export class OrdsStore {
  readonly #byPk = new Map<number, Stored>();
  readonly #byCrn = new Map<string, number[]>();

  get size(): number {
    return this.#byPk.size;
  }

  /** Adds (or replaces) an assessment rendered from the canonical model. */
  addAssessment(a: OasysAssessment): void {
    const payloads = renderOrdsPayloads(a);
    this.#put(a.assessmentPk, payloads.crn, { kind: "rendered", payloads });
  }

  /** Adds an assessment served from verbatim ORDS bodies. */
  addVerbatim(p: VerbatimPayloads): void {
    this.#put(p.assessmentPk, p.crn, { kind: "verbatim", payloads: p });
  }

  #put(pk: number, crn: string | null, stored: Stored) {
    const previous = this.#byPk.get(pk);
    if (previous) {
      const oldCrn = previous.payloads.crn;
      if (oldCrn)
        this.#byCrn.set(
          oldCrn,
          (this.#byCrn.get(oldCrn) ?? []).filter((p) => p !== pk),
        );
    }
    this.#byPk.set(pk, stored);
    if (crn) this.#byCrn.set(crn, [...(this.#byCrn.get(crn) ?? []), pk]);
  }

  /** Assessment pks held for a CRN, in the order added. */
  pksOf(crn: string): number[] {
    return [...(this.#byCrn.get(crn) ?? [])];
  }

  /** Answers one GET path (already decoded), or null when the path is not an ORDS path. */
  answer(pathname: string): OrdsAnswer | null {
    if (!pathname.startsWith(ASS)) return null;
    const parts = pathname.slice(ASS.length).split("/").map(decodeURIComponent);
    const [endpoint, a, b, c] = parts;
    if (endpoint === "allasslist" && parts.length === 4 && a === "prob") return this.#timeline(b!, c!);
    if (endpoint === "rmp" && parts.length === 3) return this.#rmp(a!, b!);
    if (parts.length === 3 && endpoint && /^(section\d+|sectionroshsumm|riskscrass)$/.test(endpoint)) {
      return this.#assessmentPayload(endpoint, a!, b!);
    }
    return null;
  }

  #lao(lao: string, limitedAccess: boolean): OrdsAnswer | null {
    if (lao !== "ALLOW" && lao !== "LIMIT") return notFound("privilege");
    return lao === "LIMIT" && limitedAccess ? forbidden : null;
  }

  #assessmentPayload(endpoint: string, lao: string, pkText: string): OrdsAnswer {
    const pk = /^\d+$/.test(pkText) ? Number(pkText) : Number.NaN;
    const stored = this.#byPk.get(pk);
    if (!stored) return notFound("assessment");
    const refused = this.#lao(lao, stored.payloads.limitedAccessOffender);
    if (refused) return refused;
    let body: unknown;
    if (stored.kind === "verbatim") {
      body = stored.payloads.bodies[endpoint];
    } else {
      const p = stored.payloads;
      body =
        endpoint === "section1"
          ? p.section1
          : endpoint === "sectionroshsumm"
            ? p.roshSummary
            : endpoint === "riskscrass"
              ? p.riskScores
              : p.sections[endpoint.slice("section".length)];
    }
    return body === undefined || body === null
      ? notFound(endpoint)
      : { status: 200, body: withLao(body, lao) };
  }

  #person(crn: string): Stored[] {
    return this.pksOf(crn).flatMap((pk) => {
      const s = this.#byPk.get(pk);
      return s ? [s] : [];
    });
  }

  /** A person's stored assessments and their by-CRN envelope, or the refusal (not found, LIMIT on an LAO). */
  #personEnvelope(
    crn: string,
    lao: string,
  ): { stored: Stored[]; envelope: Record<string, unknown> } | { refused: OrdsAnswer } {
    const stored = this.#person(crn);
    if (stored.length === 0) return { refused: notFound("person") };
    const limitedAccess = stored.some((s) => s.payloads.limitedAccessOffender);
    const refused = this.#lao(lao, limitedAccess);
    if (refused) return { refused };
    return {
      stored,
      envelope: {
        source: "OASys",
        inputs: { crn, laoPrivilege: lao },
        crn,
        limitedAccessOffender: limitedAccess,
        timeline: stored.map((s) => s.payloads.timelineEntry),
      },
    };
  }

  #timeline(crn: string, lao: string): OrdsAnswer {
    const person = this.#personEnvelope(crn, lao);
    return "refused" in person ? person.refused : { status: 200, body: person.envelope };
  }

  #rmp(crn: string, lao: string): OrdsAnswer {
    const person = this.#personEnvelope(crn, lao);
    if ("refused" in person) return person.refused;
    const { stored, envelope } = person;
    const verbatim = stored.find((s) => s.kind === "verbatim" && s.payloads.rmp !== null);
    if (verbatim?.kind === "verbatim") return { status: 200, body: verbatim.payloads.rmp };
    const assessments = stored.flatMap((s) =>
      s.kind === "rendered" && s.payloads.rmpEntry ? [s.payloads.rmpEntry] : [],
    );
    return { status: 200, body: { ...envelope, assessments } };
  }
}

/** The envelope echoes the privilege the caller asked with, as ORDS does. */
function withLao(body: unknown, lao: string): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return body;
  const b = body as Json;
  if (typeof b.inputs !== "object" || b.inputs === null) return body;
  return { ...b, inputs: { ...(b.inputs as Json), laoPrivilege: lao } };
}
