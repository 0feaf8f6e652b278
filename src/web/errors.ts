/**
 * The web pages' error pages (GOV.UK patterns, one template: views/errors/error.njk) and the handlers that
 * answer with them. Nothing on them names a record or a person, and nothing about an error's detail
 * reaches the page: the detail of an unexpected error stays in the log (ids and codes only, as the API's).
 *
 * | page             | status | when                                                                       |
 * | ---------------- | ------ | -------------------------------------------------------------------------- |
 * | `not-found`      | 404    | an unknown URL; a record that is not there; a page the person's role may   |
 * |                  |        | not see (never 403: the page's existence says nothing to that role)        |
 * | `form-expired`   | 403    | a form posted without its CSRF token, or with another session's            |
 * | `signed-out`     | 401    | a form posted after the session ended                                      |
 * | `no-access`      | 403    | a person signed in with no role in this service (no session is kept)       |
 * | `sign-in-failed` | 401    | the sign-in came back wrong (expired, refused, another window's)           |
 * | `too-many`       | 429    | the person's rate limit                                                    |
 * | `unavailable`    | 503    | the store, the queue or the sign-in service is down                        |
 * | `problem`        | 500    | anything else; 4xx for a request the page could not take                   |
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { ERROR_CODES } from "../errors.ts";
import { classifyError, loggableError } from "../http/errors.ts";
import { type LayoutContext, type PageModel, type PageTitle, pageTitle, renderPage } from "./pages/page.ts";

export type ErrorPage =
  | "not-found"
  | "form-expired"
  | "signed-out"
  | "no-access"
  | "sign-in-failed"
  | "too-many"
  | "unavailable"
  | "problem";

interface ErrorText {
  status: number;
  title: PageTitle;
  heading: string;
  paragraphs: string[];
  link?: { href: string; text: string };
}

/** The view model of views/errors/error.njk. */
export type ErrorModel = PageModel & Omit<ErrorText, "status" | "title">;

const HOME = { href: "/", text: "Go to the start page" };
const SIGN_IN = { href: "/sign-in", text: "Sign in" };

export const ERROR_PAGES: Readonly<Record<ErrorPage, ErrorText>> = {
  "not-found": {
    status: 404,
    title: pageTitle("Page not found"),
    heading: "Page not found",
    paragraphs: [
      "If you typed the web address, check it is correct.",
      "If you pasted the web address, check you copied the entire address.",
      "If the web address is correct, the page may not be available to your role.",
    ],
    link: HOME,
  },
  "form-expired": {
    status: 403,
    title: pageTitle("Sorry, there is a problem with the service"),
    heading: "Your form could not be sent",
    paragraphs: [
      "This can happen when a form was open in another window or for a long time.",
      "Go back to the page, reload it and try again.",
    ],
    link: HOME,
  },
  "signed-out": {
    status: 401,
    title: pageTitle("You have been signed out"),
    heading: "You have been signed out",
    paragraphs: ["You were signed out because you had not used the service for a while. Nothing was sent."],
    link: SIGN_IN,
  },
  "no-access": {
    status: 403,
    title: pageTitle("You do not have access to this service"),
    heading: "You do not have access to this service",
    paragraphs: [
      "Your account does not have a role in the OASys–ARMS bridge.",
      "Ask your line manager or the service's administrator if you need access.",
    ],
  },
  "sign-in-failed": {
    status: 401,
    title: pageTitle("Sorry, you could not be signed in"),
    heading: "Sorry, you could not be signed in",
    paragraphs: ["Your sign-in may have taken too long or been started in another window.", "Sign in again."],
    link: SIGN_IN,
  },
  "too-many": {
    status: 429,
    title: pageTitle("Sorry, there is a problem with the service"),
    heading: "You have made too many requests",
    paragraphs: ["Wait a minute, then try again."],
    link: HOME,
  },
  unavailable: {
    status: 503,
    title: pageTitle("Sorry, the service is unavailable"),
    heading: "Sorry, the service is unavailable",
    paragraphs: ["Try again later. Nothing you entered was lost if you had sent it."],
  },
  problem: {
    status: 500,
    title: pageTitle("Sorry, there is a problem with the service"),
    heading: "Sorry, there is a problem with the service",
    paragraphs: ["Try again later."],
    link: HOME,
  },
};

export async function renderError(
  reply: FastifyReply,
  page: ErrorPage,
  layout: LayoutContext,
  status?: number,
): Promise<FastifyReply> {
  const { status: usual, ...model } = ERROR_PAGES[page];
  return renderPage(reply, "errors/error.njk", model satisfies ErrorModel, layout, status ?? usual);
}

const CSRF_CODES = new Set(["FST_CSRF_MISSING_SECRET", "FST_CSRF_INVALID_TOKEN"]);

/** Which error page answers an error thrown by a page (or a hook before it), and with what status. */
export function errorPageFor(error: unknown): { page: ErrorPage; status: number; internal: boolean } {
  const code = (error as Partial<FastifyError>).code;
  if (code && CSRF_CODES.has(code)) return { page: "form-expired", status: 403, internal: false };
  const classified = classifyError(error);
  const status = ERROR_CODES[classified.code].status;
  if (status === 404) return { page: "not-found", status, internal: false };
  if (status === 429) return { page: "too-many", status, internal: false };
  if (status === 503) return { page: "unavailable", status, internal: false };
  return { page: "problem", status, internal: classified.internal };
}

/** The pages' error handler: the error page, and one log line with the code (the detail when internal). */
export function webErrorHandler(layout: (request: FastifyRequest, reply: FastifyReply) => LayoutContext) {
  return async (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { page, status, internal } = errorPageFor(error);
    if (internal) request.log.error({ err: loggableError(error) }, "page failed");
    else request.log.info({ page }, "page refused");
    let context: LayoutContext;
    try {
      context = layout(request, reply);
    } catch {
      context = { user: null, navigation: [], csrfToken: null, currentUrl: "" };
    }
    return renderError(reply, page, context, status);
  };
}
