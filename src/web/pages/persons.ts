/**
 * Finding a person and reading their record (issue 12, step 7).
 *
 * - `GET /persons`: the search form (PNC, CRN or NOMIS number).
 * - `POST /persons`: the search. The identifier is in the form's body, never a URL: one person found is a
 *   redirect to `/persons/<uuid>` (post/redirect/get); several (a NOMIS number can name more than one) a
 *   list to choose from; none, or none the person may see, the same "no record found". An identifier that
 *   does not read is the form again with the error.
 * - `GET /persons/:id`: the reconciled record, the pre-filled ARMS draft field by field with provenance,
 *   the open conflicts and the deliveries to each agency. It prints for a visit (bridge.css, `@media
 *   print`). A record the person may not see is the "Page not found" page.
 *
 * Both reads are the API's own (src/http/person-lookup.ts: the same search as POST /v1/persons/search,
 * the same read as GET /v1/persons/{id}), through the same visibility applier (src/auth/visibility.ts)
 * with the roles this page allows, and audited as consultations as the API's reads are.
 */
import { BridgeError, isBridgeError } from "../../errors.ts";
import { auditActor } from "../../http/audit-actor.ts";
import {
  FIELD_NAMES,
  type ReadContext,
  readPerson,
  SEARCH_FIELDS,
  type SearchField,
  type ShownPersonView,
  searchPersons,
} from "../../http/person-lookup.ts";
import { isUuid } from "../../store/paging.ts";
import type { Page, PageContext, PageModel } from "./page.ts";
import { pageTitle } from "./page.ts";
import { personPageModel } from "./person-model.ts";
import { pageViewer } from "./viewer.ts";

export interface SearchModel extends PageModel {
  field: SearchField | null;
  value: string;
  /** GOV.UK error summary items; empty when the form has no error. */
  errors: { text: string; href: string }[];
  fieldError: string | null;
  valueError: string | null;
  /** After a search: what it found (null before one). */
  results:
    | {
        href: string;
        name: string | null;
        pnc: string | null;
        crn: string | null;
        force: string | null;
        limitedAccess: boolean;
      }[]
    | null;
  fields: { value: SearchField; text: string }[];
}

const FIELDS = SEARCH_FIELDS.map((value) => ({ value, text: FIELD_NAMES[value] }));

/** The search form's model: empty, with errors, or with what was found. */
export function searchModel(input: {
  field?: SearchField | null;
  value?: string;
  fieldError?: string | null;
  valueError?: string | null;
  results?: readonly ShownPersonView[] | null;
}): SearchModel {
  const errors: SearchModel["errors"] = [];
  if (input.fieldError) errors.push({ text: input.fieldError, href: "#field" });
  if (input.valueError) errors.push({ text: input.valueError, href: "#identifier" });
  return {
    title: errors.length > 0 ? pageTitle("Error: Find a person") : pageTitle("Find a person"),
    field: input.field ?? null,
    value: input.value ?? "",
    errors,
    fieldError: input.fieldError ?? null,
    valueError: input.valueError ?? null,
    results:
      input.results?.map((v) => {
        const subject = (
          v.draft?.content as
            | { subject?: { givenName?: string | null; familyName?: string | null } }
            | undefined
        )?.subject;
        const name = [subject?.givenName, subject?.familyName].filter(Boolean).join(" ");
        return {
          href: `/persons/${v.person.id}`,
          name: name || null,
          pnc: v.person.pnc,
          crn: v.person.crn,
          force: v.person.force,
          limitedAccess: v.limitedAccess === true,
        };
      }) ?? null,
    fields: FIELDS,
  };
}

/** The caller's viewer for this page: the visibility applier with the roles the page allows. */
const readContext = (ctx: PageContext, justification: string): ReadContext => ({
  actor: auditActor(ctx.request),
  at: ctx.now.toISOString(),
  correlationId: ctx.request.id,
  justification,
});

export const personSearchPage: Page = {
  method: "GET",
  url: "/persons",
  nav: { text: "Find a person", order: 10 },
  async handle() {
    return { view: "pages/person-search.njk", model: searchModel({}) };
  },
};

export const personSearchPostPage: Page = {
  method: "POST",
  url: "/persons",
  async handle(ctx) {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const field = SEARCH_FIELDS.find((f) => f === body.field) ?? null;
    const value = typeof body.identifier === "string" ? body.identifier.trim().slice(0, 64) : "";
    const fieldError = field ? null : "Select what kind of number you are searching with";
    const valueError = value ? null : "Enter a PNC, CRN or NOMIS number";
    if (!field || !value) {
      return {
        view: "pages/person-search.njk",
        model: searchModel({ field, value, fieldError, valueError }),
        status: 400,
      };
    }
    let found: ShownPersonView[];
    try {
      found = await searchPersons(
        ctx.deps.api.db,
        pageViewer(ctx),
        { field, value, today: ctx.now.toISOString() },
        readContext(ctx, "person looked up by identifier through the web's person search"),
      );
    } catch (error) {
      if (!isBridgeError(error) || error.code !== "BRIDGE_E_REQUEST_INVALID") throw error;
      const valueError = `Enter a ${FIELD_NAMES[field]} in the correct format`;
      return {
        view: "pages/person-search.njk",
        model: searchModel({ field, value, valueError }),
        status: 400,
      };
    }
    const [only] = found;
    if (found.length === 1 && only) return { redirect: `/persons/${only.person.id}` };
    return { view: "pages/person-search.njk", model: searchModel({ field, value, results: found }) };
  },
};

export const personPage: Page = {
  method: "GET",
  url: "/persons/:id",
  async handle(ctx) {
    const { id } = ctx.request.params as { id: string };
    const shown = isUuid(id)
      ? await readPerson(
          ctx.deps.api.db,
          pageViewer(ctx),
          id,
          readContext(ctx, "reconciled view of the person read through the web's person page"),
        )
      : null;
    // Not held, or not the person's to see: the same "Page not found".
    if (!shown) throw new BridgeError("BRIDGE_E_NOT_FOUND", "no such person");
    return { view: "pages/person.njk", model: personPageModel(shown, ctx.deps.api.reconcile.mapping) };
  },
};

export const PERSON_PAGES: readonly Page[] = [personSearchPage, personSearchPostPage, personPage];
