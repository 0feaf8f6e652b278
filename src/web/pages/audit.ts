/**
 * The audit trail, for auditors (issue 12, step 7): the same functions as `bridge audit verify` and
 * `bridge audit export` (src/store/repositories/audit-chain.ts; the subject and dates read as the CLI
 * reads them, src/cli/audit.ts).
 *
 * - `GET /audit`: the two forms.
 * - `POST /audit/verify`: recomputes the chain (verifyChain) and shows the report: whole, or the seq and
 *   reason of the first broken link.
 * - `POST /audit/search`: every entry about one person (person id, CRN or PNC) in a period, oldest first
 *   (the first 200 on the page), with a button to download them all.
 * - `POST /audit/export`: the same entries as JSON lines, hashes included, as `--json` writes them.
 *
 * Everything is posted: the subject never reaches a URL, and titles are literals. Entries hold ids only.
 */

import { instantOf, subjectOf } from "../../cli/audit.ts";
import { londonToday } from "../../clock.ts";
import type { AuditEvent } from "../../store/repositories/audit.ts";
import {
  auditEventsAbout,
  chainLength,
  subjectIdsOf,
  type VerifyReport,
  verifyChain,
} from "../../store/repositories/audit-chain.ts";
import type { Page, PageContext, PageModel, PageResult } from "./page.ts";
import { pageTitle } from "./page.ts";

/** Entries shown on the page; the download has them all. */
export const SHOWN = 200;

export interface DateParts {
  day: string;
  month: string;
  year: string;
}

export interface SearchForm {
  subject: string;
  from: DateParts;
  to: DateParts;
}

export interface AuditModel extends PageModel {
  form: SearchForm;
  errors: { text: string; href: string }[];
  fieldErrors: Partial<Record<"subject" | "from" | "to", string>>;
  verify: {
    ok: boolean;
    empty: boolean;
    checked: number;
    fromSeq: number;
    headSeq: number;
    checkpoint: number | null;
    broken: { seq: number; reason: string; detail: string } | null;
  } | null;
  results: {
    total: number;
    shown: AuditEvent[];
    period: { from: string; to: string };
  } | null;
}

const EMPTY_DATE: DateParts = { day: "", month: "", year: "" };
export const EMPTY_FORM: SearchForm = { subject: "", from: EMPTY_DATE, to: EMPTY_DATE };

/** A GOV.UK date input's three fields as `YYYY-MM-DD`, or null when they are not a date. */
export function isoDate(parts: DateParts): string | null {
  const [d, m, y] = [parts.day, parts.month, parts.year].map((s) => s.trim());
  if (!/^\d{1,2}$/.test(d ?? "") || !/^\d{1,2}$/.test(m ?? "") || !/^\d{4}$/.test(y ?? "")) return null;
  const iso = `${y}-${m!.padStart(2, "0")}-${d!.padStart(2, "0")}`;
  return instantOf(iso, false) ? iso : null;
}

/** The page's model (pure). */
export function auditModel(input: {
  form?: SearchForm;
  fieldErrors?: AuditModel["fieldErrors"];
  verify?: { report: VerifyReport; length: number } | null;
  results?: AuditModel["results"];
}): AuditModel {
  const fieldErrors = input.fieldErrors ?? {};
  const errors = (["subject", "from", "to"] as const)
    .filter((k) => fieldErrors[k])
    .map((k) => ({ text: fieldErrors[k] as string, href: k === "subject" ? "#subject" : `#${k}-day` }));
  const r = input.verify?.report;
  return {
    title: errors.length ? pageTitle("Error: Audit trail") : pageTitle("Audit trail"),
    form: input.form ?? EMPTY_FORM,
    errors,
    fieldErrors,
    verify: r
      ? {
          ok: r.ok,
          empty: input.verify?.length === 0 && r.ok,
          checked: r.checked,
          fromSeq: r.fromSeq,
          headSeq: r.headSeq,
          checkpoint: r.checkpoint?.throughSeq ?? null,
          broken: r.broken,
        }
      : null,
    results: input.results ?? null,
  };
}

const str = (v: unknown): string => (typeof v === "string" ? v.slice(0, 100) : "");
const datePartsOf = (body: Record<string, unknown>, name: "from" | "to"): DateParts => ({
  day: str(body[`${name}-day`]),
  month: str(body[`${name}-month`]),
  year: str(body[`${name}-year`]),
});

/** The search form read and checked as `bridge audit export` checks its options; errors by field. */
export function readSearch(
  body: Record<string, unknown>,
  today: string,
):
  | { ok: true; form: SearchForm; ids: Parameters<typeof subjectIdsOf>[1]; from: string; to: string }
  | { ok: false; form: SearchForm; fieldErrors: AuditModel["fieldErrors"] } {
  const form: SearchForm = {
    subject: str(body.subject).trim(),
    from: datePartsOf(body, "from"),
    to: datePartsOf(body, "to"),
  };
  const fieldErrors: AuditModel["fieldErrors"] = {};
  const subject = form.subject ? subjectOf(form.subject, today) : null;
  if (!form.subject) fieldErrors.subject = "Enter a person id, CRN or PNC";
  else if (!subject) fieldErrors.subject = "Enter a person id, a CRN or a PNC in the correct format";
  const fromDay = isoDate(form.from);
  const toDay = isoDate(form.to);
  if (!fromDay) fieldErrors.from = "Enter the first day of the period as a real date";
  if (!toDay) fieldErrors.to = "Enter the last day of the period as a real date";
  const from = fromDay ? instantOf(fromDay, false) : null;
  const to = toDay ? instantOf(toDay, true) : null;
  if (from && to && from >= to) fieldErrors.to = "The last day must be the same as or after the first day";
  if (!subject || !from || !to || Object.keys(fieldErrors).length > 0)
    return { ok: false, form, fieldErrors };
  return { ok: true, form, ids: subject, from, to };
}

async function entries(
  ctx: PageContext,
  search: { ids: Parameters<typeof subjectIdsOf>[1]; from: string; to: string },
) {
  const db = ctx.deps.api.db;
  return auditEventsAbout(db, await subjectIdsOf(db, search.ids), { from: search.from, to: search.to });
}

const VIEW = "pages/audit.njk";
const body = (ctx: PageContext) => (ctx.request.body ?? {}) as Record<string, unknown>;

/**
 * The search and export forms' shared step: the posted subject and period read and checked, then the
 * entries found; or the form again with its errors (400).
 */
async function search(ctx: PageContext) {
  const read = readSearch(body(ctx), londonToday(ctx.now));
  if (!read.ok) {
    const refused: PageResult = {
      view: VIEW,
      model: auditModel({ form: read.form, fieldErrors: read.fieldErrors }),
      status: 400,
    };
    return { ok: false as const, refused };
  }
  return {
    ok: true as const,
    form: read.form,
    period: { from: read.from, to: read.to },
    found: await entries(ctx, read),
  };
}

export const auditPage: Page = {
  method: "GET",
  url: "/audit",
  nav: { text: "Audit trail", order: 50 },
  async handle() {
    return { view: VIEW, model: auditModel({}) };
  },
};

export const auditVerifyPage: Page = {
  method: "POST",
  url: "/audit/verify",
  async handle(ctx) {
    const db = ctx.deps.api.db;
    const length = await chainLength(db);
    const report = await verifyChain(db);
    return { view: VIEW, model: auditModel({ verify: { report, length } }) };
  },
};

export const auditSearchPage: Page = {
  method: "POST",
  url: "/audit/search",
  async handle(ctx) {
    const searched = await search(ctx);
    if (!searched.ok) return searched.refused;
    const { form, period, found } = searched;
    return {
      view: VIEW,
      model: auditModel({
        form,
        results: { total: found.length, shown: found.slice(0, SHOWN), period },
      }),
    };
  },
};

export const auditExportPage: Page = {
  method: "POST",
  url: "/audit/export",
  async handle(ctx) {
    const searched = await search(ctx);
    if (!searched.ok) return searched.refused;
    const { found } = searched;
    return {
      download: {
        filename: pageTitle("audit-export.jsonl"),
        contentType: "application/x-ndjson; charset=utf-8",
        body: found.map((e) => `${JSON.stringify(e)}\n`).join(""),
      },
    };
  },
};

export const AUDIT_PAGES: readonly Page[] = [auditPage, auditVerifyPage, auditSearchPage, auditExportPage];
