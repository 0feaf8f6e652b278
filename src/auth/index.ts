/**
 * Sign-in for the API: who is calling (principal.ts), how a bearer token proves it (verify.ts), who may call
 * what (policy.ts, `mappings/access-policy.yaml`) and the one hook that enforces it (plugin.ts).
 */
import type { ApiAuth } from "../config.ts";
import type { AppAuth } from "./plugin.ts";
import { loadAccessPolicy } from "./policy.ts";
import { createVerifier } from "./verify.ts";

export type { AppAuth } from "./plugin.ts";
export type { AccessPolicy } from "./policy.ts";
export type { Principal, Role } from "./principal.ts";

/**
 * The API's sign-in from its settings (`apiAuth(config)`): the access policy, loaded and validated now
 * (a bad file stops start-up), and a verifier for the issuer's tokens (its keys are fetched when first
 * needed).
 */
export function appAuth(settings: ApiAuth): AppAuth {
  const policy = loadAccessPolicy(settings.policyPath ?? undefined);
  return { policy, verifier: createVerifier(settings, policy), realm: settings.audience };
}
