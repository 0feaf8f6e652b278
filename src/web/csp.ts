/**
 * The Content-Security-Policy of the web pages: the API's (src/http/security.ts: everything from the
 * service's own origin, no inline script or style, no plugins, no framing), with two additions, set on the
 * pages' responses only:
 * - script-src: GOV.UK Frontend's one inline line (`js-enabled`), allowed by its hash (views.ts); still no
 *   other inline script. GOV.UK's and MoJ's CSS, JavaScript, fonts and images come from the origin.
 * - form-action: the issuer's origin. Signing out is a form whose answer sends the browser on to the
 *   issuer's end-session page, and browsers apply form-action to a form's redirects.
 */
import { CONTENT_SECURITY_POLICY } from "../http/security.ts";

export function pageContentSecurityPolicy(options: {
  scriptHashes: readonly string[];
  issuer: string;
}): string {
  const directives: Record<string, readonly string[]> = {
    ...CONTENT_SECURITY_POLICY,
    "form-action": [...(CONTENT_SECURITY_POLICY["form-action"] ?? []), new URL(options.issuer).origin],
    "script-src": [...(CONTENT_SECURITY_POLICY["script-src"] ?? []), ...options.scriptHashes],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(" ")}`)
    .join(";");
}
