/**
 * What a page that shows records needs of the access policy and the audit trail, as the API's routes get
 * them from the auth plugin: the signed-in person's viewer (src/auth/visibility.ts, the one applier) with
 * the roles the page's own `pages.routes` entry allows, and who the audit trail records for the request.
 */
import type { Role } from "../../auth/principal.ts";
import { type Viewer, viewerFor } from "../../auth/visibility.ts";
import { auditActor } from "../../http/audit-actor.ts";
import type { ReadContext } from "../../http/conflict-review.ts";
import type { PageContext } from "./page.ts";

/**
 * The person's viewer on this page: only their roles the page's policy entry allows count (`roles`: those
 * of another page's entry, e.g. the page a posted form shows again).
 */
export function pageViewer(ctx: PageContext, roles?: readonly Role[]): Viewer {
  const { request, principal, deps } = ctx;
  const rule = deps.policy.page(request.method, request.routeOptions.url ?? "");
  return viewerFor(deps.policy.visibility, principal, roles ?? rule?.roles ?? []);
}

/** A read's audit context: the request's id, and the page it came through ("the conflicts page"). */
export const pageRead = (ctx: PageContext, via: string): ReadContext => ({
  actor: auditActor(ctx.request),
  correlationId: ctx.request.id,
  via,
});
