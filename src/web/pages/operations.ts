/**
 * Operations, for administrators (issue 12, step 7).
 *
 * - `GET /operations`: dead letters (open by default; replayed, discarded or all), newest first, 50 a page,
 *   each with a checkbox in one form that retries or discards the selected ones; the mapping in force with
 *   its changelog; and what there is to say about `bridge mapping diff` reports (the bridge keeps none).
 * - `GET /operations/dead-letters/:id`: one letter: what failed, the ids it names, its replay or discard.
 * - `POST /operations/dead-letters`: retry or discard the letters selected (one or many), then back to
 *   where the form was (post/redirect/get), the outcome as counts in the URL (nothing personal).
 *
 * Retry is the API's replay (src/queue/replay.ts, as POST /v1/dead-letters/:id/replay: once per letter,
 * asking again queues nothing); discard is the store's discardDeadLetter (as POST
 * /v1/dead-letters/:id/discard: reason, who and when, audited, never deleted).
 */

import type { Mapping } from "../../core/mapping/spec.ts";
import { BridgeError, isBridgeError } from "../../errors.ts";
import { auditActor } from "../../http/audit-actor.ts";
import { enqueue } from "../../http/deps.ts";
import { replayDeadLetter } from "../../queue/replay.ts";
import {
  type DeadLetter,
  type DeadLetterFilter,
  discardDeadLetter,
  getDeadLetter,
  isDeadLetterId,
  listDeadLetters,
} from "../../store/repositories/dead-letters.ts";
import type { Page, PageContext, PageModel } from "./page.ts";
import { pageTitle } from "./page.ts";

export const LETTER_STATES = ["OPEN", "REPLAYED", "DISCARDED", "ALL"] as const;
export type LetterState = (typeof LETTER_STATES)[number];
/** Letters a page shows, and so the most one form can act on. */
export const LETTERS_PER_PAGE = 50;

export type Outcome = Partial<Record<"retried" | "already" | "discarded" | "refused" | "missing", number>>;

export interface LetterRow {
  id: string;
  href: string;
  stage: string;
  errorCode: string;
  reason: string;
  attempts: number;
  createdAt: string;
  status: "Open" | "Retried" | "Discarded";
  replayedAt: string | null;
  discardedAt: string | null;
  discardedBy: string | null;
  discardReason: string | null;
}

export interface OperationsModel extends PageModel {
  state: LetterState;
  states: { value: LetterState; text: string; href: string; current: boolean }[];
  letters: LetterRow[];
  nextHref: string | null;
  firstHref: string | null;
  outcome: string[];
  errors: { text: string; href: string }[];
  mapping: {
    version: string;
    catalogue: string;
    file: string | null;
    changelog: Mapping["spec"]["changelog"];
  };
}

const STATE_NAMES: Readonly<Record<LetterState, string>> = {
  OPEN: "Open",
  REPLAYED: "Retried",
  DISCARDED: "Discarded",
  ALL: "All",
};

export function letterRow(l: DeadLetter): LetterRow {
  return {
    id: l.id,
    href: `/operations/dead-letters/${l.id}`,
    stage: l.stage.charAt(0) + l.stage.slice(1).toLowerCase(),
    errorCode: l.errorCode,
    reason: l.reason,
    attempts: l.attempts,
    createdAt: l.createdAt,
    status: l.discardedAt ? "Discarded" : l.replayedAt ? "Retried" : "Open",
    replayedAt: l.replayedAt,
    discardedAt: l.discardedAt,
    discardedBy: l.discardedBy,
    discardReason: l.discardReason,
  };
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** What a form's outcome says, in sentences (from the counts the redirect carries). */
export function outcomeText(o: Outcome): string[] {
  const lines: string[] = [];
  if (o.retried)
    lines.push(`${plural(o.retried, "dead letter", "dead letters")} retried: the work is queued again.`);
  if (o.already)
    lines.push(
      `${plural(o.already, "dead letter was", "dead letters were")} retried before: nothing new was queued.`,
    );
  if (o.discarded) lines.push(`${plural(o.discarded, "dead letter", "dead letters")} discarded.`);
  if (o.refused)
    lines.push(
      `${plural(o.refused, "dead letter was", "dead letters were")} left as they were: a retried letter is not discarded, a discarded one is not retried.`,
    );
  if (o.missing) lines.push(`${plural(o.missing, "dead letter was", "dead letters were")} not found.`);
  return lines;
}

const COUNTS = ["retried", "already", "discarded", "refused", "missing"] as const;

/** The outcome counts from a redirect's query (anything else ignored). */
export function outcomeOf(query: Record<string, unknown>): Outcome {
  const o: Outcome = {};
  for (const key of COUNTS) {
    const n = Number(query[key]);
    if (Number.isSafeInteger(n) && n > 0 && n <= LETTERS_PER_PAGE * 2) o[key] = n;
  }
  return o;
}

export const outcomeQuery = (o: Outcome): string =>
  COUNTS.filter((k) => o[k])
    .map((k) => `${k}=${o[k]}`)
    .join("&");

/** The operations page's model (pure). */
export function operationsModel(input: {
  state: LetterState;
  letters: readonly DeadLetter[];
  nextCursor: string | null;
  cursor: string | null;
  outcome: Outcome;
  errors?: { text: string; href: string }[];
  mapping: Mapping;
}): OperationsModel {
  const href = (state: LetterState, cursor?: string) =>
    `/operations?state=${state}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}#dead-letters`;
  return {
    title: input.errors?.length ? pageTitle("Error: Operations") : pageTitle("Operations"),
    state: input.state,
    states: LETTER_STATES.map((value) => ({
      value,
      text: STATE_NAMES[value],
      href: href(value),
      current: value === input.state,
    })),
    letters: input.letters.map(letterRow),
    nextHref: input.nextCursor ? href(input.state, input.nextCursor) : null,
    firstHref: input.cursor ? href(input.state) : null,
    outcome: outcomeText(input.outcome),
    errors: input.errors ?? [],
    mapping: {
      version: input.mapping.spec.version,
      catalogue: `${input.mapping.catalogue.catalogue} version ${input.mapping.catalogue.version}`,
      file: input.mapping.file ? (input.mapping.file.split("/").slice(-2).join("/") ?? null) : null,
      changelog: [...input.mapping.spec.changelog].reverse(),
    },
  };
}

async function letterPage(ctx: PageContext, errors?: { text: string; href: string }[]) {
  const query = ctx.request.query as Record<string, unknown>;
  const state = LETTER_STATES.find((s) => s === query.state) ?? "OPEN";
  const cursor = typeof query.cursor === "string" && query.cursor.length <= 200 ? query.cursor : null;
  const filter: DeadLetterFilter = { state, limit: LETTERS_PER_PAGE, cursor };
  let page: Awaited<ReturnType<typeof listDeadLetters>>;
  try {
    page = await listDeadLetters(ctx.deps.api.db, filter);
  } catch (error) {
    if (!isBridgeError(error) || error.code !== "BRIDGE_E_USAGE") throw error;
    page = await listDeadLetters(ctx.deps.api.db, { ...filter, cursor: null });
  }
  return operationsModel({
    state,
    letters: page.items,
    nextCursor: page.nextCursor,
    cursor,
    outcome: outcomeOf(query),
    mapping: ctx.deps.api.reconcile.mapping,
    ...(errors ? { errors } : {}),
  });
}

export const operationsPage: Page = {
  method: "GET",
  url: "/operations",
  nav: { text: "Operations", order: 40 },
  async handle(ctx) {
    return { view: "pages/operations.njk", model: await letterPage(ctx) };
  },
};

export interface LetterModel extends PageModel {
  letter: LetterRow;
  /** The letter's subject (ids only: queue, job key, the job's ids), as JSON. */
  subject: string;
  replayCount: number;
  outcome: string[];
  errors: { text: string; href: string }[];
}

export function letterModel(
  letter: DeadLetter,
  outcome: Outcome,
  errors: { text: string; href: string }[] = [],
): LetterModel {
  return {
    title: errors.length ? pageTitle("Error: Dead letter") : pageTitle("Dead letter"),
    letter: letterRow(letter),
    subject: JSON.stringify(letter.subject, null, 2),
    replayCount: letter.replayCount,
    outcome: outcomeText(outcome),
    errors,
  };
}

export const deadLetterPage: Page = {
  method: "GET",
  url: "/operations/dead-letters/:id",
  async handle(ctx) {
    const { id } = ctx.request.params as { id: string };
    const letter = isDeadLetterId(id) ? await getDeadLetter(ctx.deps.api.db, id) : null;
    if (!letter) throw new BridgeError("BRIDGE_E_NOT_FOUND", "no such dead letter");
    return {
      view: "pages/dead-letter.njk",
      model: letterModel(letter, outcomeOf(ctx.request.query as Record<string, unknown>)),
    };
  },
};

/** Retries or discards each letter; what happened to them, counted. */
export async function actOnLetters(
  ctx: PageContext,
  ids: readonly string[],
  action: "retry" | "discard",
  reason: string,
): Promise<Outcome> {
  const db = ctx.deps.api.db;
  const outcome: Required<Outcome> = { retried: 0, already: 0, discarded: 0, refused: 0, missing: 0 };
  const producer = ctx.deps.api.producer;
  for (const id of ids) {
    try {
      if (action === "retry") {
        if (!producer.add) {
          throw new BridgeError("BRIDGE_E_QUEUE_UNAVAILABLE", "this service's producer cannot replay jobs");
        }
        const add = producer.add.bind(producer);
        let replayed = false;
        await enqueue(async () => {
          replayed = (await replayDeadLetter(db, { add }, id, ctx.now)).replayed;
        });
        outcome[replayed ? "retried" : "already"] += 1;
      } else {
        const done = await discardDeadLetter(db, id, {
          ...auditActor(ctx.request),
          reason,
          at: ctx.now.toISOString(),
          correlationId: ctx.request.id,
        });
        outcome[!done ? "missing" : done.discarded ? "discarded" : "refused"] += 1;
      }
    } catch (error) {
      if (!isBridgeError(error)) throw error;
      if (error.code === "BRIDGE_E_NOT_FOUND") outcome.missing += 1;
      else if (error.code === "BRIDGE_E_CONFLICT_TRANSITION" || error.code === "BRIDGE_E_USAGE")
        outcome.refused += 1;
      else throw error;
    }
  }
  return outcome;
}

const asList = (v: unknown): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === "string");

export const deadLettersPostPage: Page = {
  method: "POST",
  url: "/operations/dead-letters",
  async handle(ctx) {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const ids = [...new Set(asList(body.ids))].filter(isDeadLetterId).slice(0, LETTERS_PER_PAGE);
    const action = body.action === "retry" || body.action === "discard" ? body.action : null;
    const reason = typeof body.reason === "string" ? body.reason.trim().slice(0, 1000) : "";
    const single = body.from === "letter" && ids.length === 1 ? ids[0] : null;
    const errors: { text: string; href: string }[] = [];
    if (ids.length === 0) errors.push({ text: "Select at least one dead letter", href: "#ids" });
    if (action === "discard" && reason === "") {
      errors.push({ text: "Enter why the dead letters are discarded", href: "#reason" });
    }
    if (!action) errors.push({ text: "Choose to retry or to discard", href: "#actions" });
    if (errors.length > 0) {
      if (single) {
        const letter = await getDeadLetter(ctx.deps.api.db, single);
        if (letter)
          return { view: "pages/dead-letter.njk", model: letterModel(letter, {}, errors), status: 400 };
      }
      return { view: "pages/operations.njk", model: await letterPage(ctx, errors), status: 400 };
    }
    const outcome = await actOnLetters(ctx, ids, action as "retry" | "discard", reason);
    const query = outcomeQuery(outcome);
    return {
      redirect: single ? `/operations/dead-letters/${single}?${query}` : `/operations?${query}#dead-letters`,
    };
  },
};

export const OPERATIONS_PAGES: readonly Page[] = [operationsPage, deadLetterPage, deadLettersPostPage];
