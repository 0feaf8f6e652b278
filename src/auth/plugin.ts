/**
 * The one place the API decides who may call what: a root onRequest hook, before anything else runs for
 * the request (no body is read, no handler runs, for a caller who may not call the route).
 *
 * - A public route (the policy's `public`: the probes) answers without a token.
 * - Any other request needs a valid bearer token: 401 BRIDGE_E_UNAUTHENTICATED with
 *   `WWW-Authenticate: Bearer` (RFC 6750) otherwise; the verified caller is `request.principal`.
 * - The caller's roles (and kind: person or system) must be allowed on the route: 403 BRIDGE_E_FORBIDDEN.
 *   An unknown URL needs a token too (so probing does not map the API), then answers 404.
 *
 * At start-up every route the API registers is checked against the policy (`checkCoverage`): a route the
 * policy does not name stops the app from becoming ready (fail closed), as does a policy entry naming a
 * route that does not exist.
 *
 * With the web pages mounted (`pages`), the policy's pages (src/web/) are left to the web's own sign-in
 * (a session, src/web/session.ts; who may see which page is decided by `pageAccess`, pages.ts), and so is
 * an unknown URL outside the API's paths (the web answers it: sign in, then a "page not found" page).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from "fastify";
import { BridgeError } from "../errors.ts";
import { type AccessPolicy, allows } from "./policy.ts";
import type { Principal } from "./principal.ts";
import { type TokenVerifier, Unauthenticated } from "./verify.ts";
import { NOBODY, type Viewer, viewerFor } from "./visibility.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The verified caller; null on public routes. */
    principal: Principal | null;
    /**
     * What of the records a route shows this caller may see (src/auth/visibility.ts), with the caller's
     * roles the route allows; on public routes, a viewer that sees nothing.
     */
    viewer: Viewer;
  }
}

export interface AppAuth {
  verifier: TokenVerifier;
  policy: AccessPolicy;
  /** The `realm` of the `WWW-Authenticate` challenge (the API's audience). */
  realm?: string;
}

function challenge(realm: string, error: unknown): string {
  const parts = [`realm="${realm}"`];
  if (error instanceof Unauthenticated && error.bearerError) {
    parts.push(`error="${error.bearerError}"`, `error_description="${error.reason.replace(/"/g, "'")}"`);
  }
  return `Bearer ${parts.join(", ")}`;
}

/**
 * Registers the decoration, the coverage check and the hook. Call before any route is registered.
 * `pages`: the web pages are mounted (their routes are checked against the policy's `pages` too).
 */
export function registerAuth(app: FastifyInstance, auth: AppAuth, options: { pages?: boolean } = {}): void {
  const realm = auth.realm ?? "oasys-arms-bridge";
  const routes: { method: string; url: string }[] = [];
  app.decorateRequest("principal", null);
  app.decorateRequest("viewer", null as unknown as Viewer);
  app.addHook("onRoute", (route: RouteOptions) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  const pages = options.pages === true;
  app.addHook("onReady", async () => auth.policy.checkCoverage(routes, { pages }));

  app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    request.viewer = NOBODY;
    const url = request.routeOptions.url;
    if (url !== undefined && auth.policy.isPublic(request.method, url)) return;
    // The web signs its pages in itself, with a session; a bearer token means nothing there.
    if (
      pages &&
      (url === undefined ? !auth.policy.isApiPath(request.url) : auth.policy.isPage(request.method, url))
    )
      return;
    try {
      request.principal = await auth.verifier.verify(request.headers.authorization);
    } catch (error) {
      if (error instanceof Unauthenticated) reply.header("www-authenticate", challenge(realm, error));
      throw error;
    }
    if (url === undefined) return;
    const rule = auth.policy.rule(request.method, url);
    if (!rule || !allows(rule, request.principal)) {
      const { kind, roles } = request.principal;
      const who = `a ${kind === "user" ? "person" : "system"} with ${roles.length > 0 ? `role ${roles.join(", ")}` : "no bridge role"}`;
      const need =
        rule && !rule.principals.includes(kind)
          ? `only ${rule.principals.map((p) => (p === "user" ? "people" : "systems")).join(" and ")} may`
          : `it needs ${rule && rule.roles.length > 0 ? `one of ${rule.roles.join(", ")}` : "a role no caller has"}`;
      throw new BridgeError("BRIDGE_E_FORBIDDEN", `${who} may not call ${request.method} ${url}: ${need}`, {
        route: `${request.method} ${url}`,
      });
    }
    request.viewer = viewerFor(auth.policy.visibility, request.principal, rule.roles);
  });
}
