/**
 * Who may see which web page (src/web/): the same policy file and the same `allows` as the API's routes,
 * with the principal the web's session holds instead of a bearer token's. The web's request hook asks
 * `pageAccess` and acts on the answer; nothing else decides it.
 *
 * - `public`: a page answered without signing in (signing in and out, the assets);
 * - `sign-in`: nobody is signed in: the web sends the person to sign in first;
 * - `allowed`: the signed-in person may see the page;
 * - `not-found`: the person may not see it, or the policy does not name it: answered as a page that is not
 *   there (404), never 403, so a page's existence says nothing to a role that may not use it.
 */
import { type AccessPolicy, allows } from "./policy.ts";
import type { Principal } from "./principal.ts";

export type PageAccess = "public" | "sign-in" | "allowed" | "not-found";

export function pageAccess(
  policy: Pick<AccessPolicy, "isPublicPage" | "page">,
  method: string,
  url: string | undefined,
  principal: Principal | null,
): PageAccess {
  if (url !== undefined && policy.isPublicPage(method, url)) return "public";
  if (!principal) return "sign-in";
  const rule = url === undefined ? null : policy.page(method, url);
  return rule && allows(rule, principal) ? "allowed" : "not-found";
}

/** The pages of `candidates` (method and URL as the policy names them) the person may see. */
export function pagesFor<T extends { method: string; url: string }>(
  policy: Pick<AccessPolicy, "isPublicPage" | "page">,
  principal: Principal,
  candidates: readonly T[],
): T[] {
  return candidates.filter((c) => pageAccess(policy, c.method, c.url, principal) === "allowed");
}
