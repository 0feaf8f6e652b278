/**
 * The convention every page follows (docs/web.md): one file per page in src/web/pages/, exporting a
 * `Page`, listed in pages/index.ts, named in the access policy's `pages.routes`, with its template in
 * src/web/views/pages/.
 *
 *   thin handler (`handle`) -> the same repositories and pipeline functions the API uses (ctx.deps.api)
 *   -> a view model (plain data, built by a function of its own that tests call directly) -> template
 *
 * A handler never writes HTML or reads the session itself: who is signed in is `ctx.principal` (set from
 * the session before the handler runs, and only for a person the policy lets see the page), the forms'
 * CSRF token and the layout's variables are added by `renderPage`. A form posts to a `POST` page whose
 * handler answers `{ redirect }` (post/redirect/get) or the form again with its errors.
 *
 * Titles are literals written in the page's code (`pageTitle("Conflicts to review")`): the type refuses a
 * title built from data, so a title never carries a name, an identifier or a search term.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { pagesFor } from "../../auth/pages.ts";
import type { AccessPolicy } from "../../auth/policy.ts";
import type { Principal } from "../../auth/principal.ts";
import type { RouteDeps } from "../../http/deps.ts";

declare const TITLE: unique symbol;
/** A page's title: a string literal from the page's code (see `pageTitle`). */
export type PageTitle = string & { readonly [TITLE]: true };

/** A title from a literal; `pageTitle(someString)` does not compile (`string extends T`). */
export function pageTitle<T extends string>(text: string extends T ? never : T): PageTitle {
  return text as unknown as PageTitle;
}

/** What every view model has. */
export interface PageModel {
  title: PageTitle;
}

/** What a page's handler answers: a template with its view model, a redirect (after a form), or a file. */
export type PageResult =
  | { view: string; model: PageModel; status?: number }
  | { redirect: string; status?: 302 | 303 }
  /** A file to save (an export), sent as an attachment and never cached; its name is a literal too. */
  | { download: { filename: PageTitle; contentType: string; body: string } };

/** What the web gives every page: the API's own dependencies (store, producer, clock...) and the policy. */
export interface WebDeps {
  api: RouteDeps;
  policy: AccessPolicy;
}

export interface PageContext {
  request: FastifyRequest;
  /** The signed-in person (the policy let them see this page). */
  principal: Principal;
  deps: WebDeps;
  now: Date;
  /** The layout's variables (the links the person may use are `layout.navigation`). */
  layout: LayoutContext;
}

export interface Page {
  method: "GET" | "POST";
  /** The route, as the access policy names it under `pages.routes`. */
  url: string;
  /** The page's link in the service navigation, for those allowed to see it (GET pages only). */
  nav?: { text: string; order: number };
  handle(ctx: PageContext): Promise<PageResult>;
}

/** What the layout reads (src/web/views/layout.njk). */
export interface LayoutContext {
  user: { subject: string; roles: string[]; agency: string | null; force: string | null } | null;
  navigation: { text: string; href: string; current: boolean }[];
  csrfToken: string | null;
  currentUrl: string;
}

/** The layout's variables for this request: who is signed in, the links their role may use, the token. */
export function layoutFor(
  request: FastifyRequest,
  reply: FastifyReply,
  policy: AccessPolicy,
  pages: readonly Page[],
): LayoutContext {
  const principal = request.principal;
  const currentUrl = request.routeOptions.url ?? "";
  const links = pages.filter((p) => p.method === "GET" && p.nav);
  return {
    user: principal
      ? {
          subject: principal.subject,
          roles: principal.roles,
          agency: principal.agency,
          force: principal.force,
        }
      : null,
    navigation: principal
      ? pagesFor(policy, principal, links)
          .sort((a, b) => (a.nav?.order ?? 0) - (b.nav?.order ?? 0))
          .map((p) => ({ text: p.nav?.text ?? "", href: p.url, current: p.url === currentUrl }))
      : [],
    // Only a session has a CSRF secret; without one no form is shown (and any post would be refused).
    csrfToken: principal && request.session._csrf ? reply.generateCsrf() : null,
    currentUrl,
  };
}

/** Renders a template with the layout's variables and the view model; pages are never cached. */
export async function renderPage(
  reply: FastifyReply,
  view: string,
  model: PageModel,
  layout: LayoutContext,
  status = 200,
): Promise<FastifyReply> {
  const html = await reply.viewAsync(view, { ...layout, ...model, pageTitle: model.title });
  return reply.code(status).header("cache-control", "no-store").type("text/html; charset=utf-8").send(html);
}
