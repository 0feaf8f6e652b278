/**
 * Access tokens for tests, from the run's bundled identity provider (started once by the global setup,
 * tests/setup/services.ts) through the real flows: client credentials for a system, authorization code +
 * PKCE with the sign-in form posted over HTTP for a person. No test makes a token by hand. Tokens are
 * cached per test file (this module is evaluated once per file) and live 20 minutes.
 */
import { inject } from "vitest";
// Not simulators/idp/index.ts: the test files need the flows, not the provider (oidc-provider) itself.
import { API_AUDIENCE, DEV_CLIENTS, DEV_USERS } from "../../simulators/idp/accounts.ts";
import { clientCredentialsToken, passwordSignIn } from "../../simulators/idp/sign-in.ts";
import type { ApiAuth } from "../../src/config.ts";
import type { TestIdp } from "../setup/services.ts";

export type Person =
  | "probation.officer"
  | "police.essex"
  | "police.kent"
  | "data.team.1"
  | "data.team.2"
  | "admin.user"
  | "auditor.user";
export type System =
  | "arms-system"
  | "oasys-system"
  | "metrics-scraper"
  | "data-team-system"
  | "expiring-system";

export const testIdp = (): TestIdp => inject("idp");

/** The settings an API verifying the run's tokens uses (AUTH_*), as `apiAuth` resolves them. */
export function testAuthSettings(): ApiAuth {
  const { issuer } = testIdp();
  return { issuer, jwksUrl: `${issuer}/jwks`, audience: API_AUDIENCE, clockSkewS: 30, policyPath: null };
}

/** The same, as environment variables (for `loadConfig`). */
export function testAuthEnv(): Record<string, string> {
  return { AUTH_ISSUER: testIdp().issuer };
}

const cache = new Map<string, Promise<string>>();

/** A fresh token (not cached): another sign-in or client-credentials grant. */
export function freshTokenFor(name: Person | System, options: { resource?: string } = {}): Promise<string> {
  const idp = testIdp();
  if (DEV_USERS.some((u) => u.username === name)) {
    return passwordSignIn(idp.issuer, { username: name, password: idp.password });
  }
  if (!DEV_CLIENTS.some((c) => c.clientId === name)) throw new Error(`${name} is not seeded in the IdP`);
  const clientSecret = idp.secrets[name] ?? "";
  return clientCredentialsToken(idp.issuer, { clientId: name, clientSecret }, options);
}

/** The token of a seeded person or system, one per name per test file. */
export function tokenFor(name: Person | System): Promise<string> {
  let token = cache.get(name);
  if (!token) {
    token = freshTokenFor(name);
    token.catch(() => cache.delete(name));
    cache.set(name, token);
  }
  return token;
}

/** `{authorization: "Bearer ..."}` for a seeded person or system. */
export async function authAs(name: Person | System): Promise<{ authorization: string }> {
  return { authorization: `Bearer ${await tokenFor(name)}` };
}
