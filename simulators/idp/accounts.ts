/**
 * Who the bundled identity provider knows: synthetic people (one per role, a second DATA_TEAM reviewer for
 * four-eyes, police of two forces) and agency systems (client credentials), with the HMPPS-Auth-style
 * claims their access tokens carry (contract §7). Development and test only: the password and secrets are
 * dev values, printed by `bridge idp`, never used anywhere else.
 */

export type Agency = "POLICE" | "PROBATION" | "BRIDGE";

/** The bridge's API as a resource server: the `resource` a token is asked for, and the `aud` it gets. */
export const API_RESOURCE = "urn:oasys-arms-bridge:api";
export const API_AUDIENCE = "oasys-arms-bridge";
/** Another API, so a token for something else can be asked for (a bridge must refuse it). */
export const OTHER_RESOURCE = "urn:dev:other-api";
export const OTHER_AUDIENCE = "other-api";
/** The resource server's one scope (tokens carry it when asked for; the bridge does not read scopes). */
export const API_SCOPE = "bridge";

/** The claims an access token carries besides iss/aud/exp/iat/jti/sub/client_id/scope. */
export interface AccessClaims {
  user_name?: string;
  authorities: string[];
  /** Where the identity comes from, as HMPPS Auth says it: `delius`, `nomis`, `auth` (people), `none` (systems). */
  auth_source: string;
  agency: Agency;
  force?: string;
  /** Present and true only for people explicitly allowed to see limited-access offenders. */
  lao_access?: true;
}

export interface DevUser {
  username: string;
  /** What the role is for, for `bridge idp`'s listing. */
  role: string;
  claims: AccessClaims;
}

export interface DevClient {
  clientId: string;
  role: string;
  claims: AccessClaims;
  /** Access token lifetime in seconds, when not the default (a short one tests expiry). */
  ttlS?: number;
}

export const ROLE = {
  PROBATION: "ROLE_ARMS_BRIDGE_PROBATION",
  POLICE: "ROLE_ARMS_BRIDGE_POLICE",
  DATA_TEAM: "ROLE_ARMS_BRIDGE_DATA_TEAM",
  ADMIN: "ROLE_ARMS_BRIDGE_ADMIN",
  AUDITOR: "ROLE_ARMS_BRIDGE_AUDITOR",
} as const;

const user = (username: string, role: string, claims: Omit<AccessClaims, "user_name">): DevUser => ({
  username,
  role,
  claims: { user_name: username, ...claims },
});

export const DEV_USERS: readonly DevUser[] = [
  user("probation.officer", "PROBATION (LAO allowed)", {
    authorities: [ROLE.PROBATION],
    auth_source: "delius",
    agency: "PROBATION",
    lao_access: true,
  }),
  user("police.essex", "POLICE, Essex", {
    authorities: [ROLE.POLICE],
    auth_source: "auth",
    agency: "POLICE",
    force: "ESSEX",
  }),
  user("police.kent", "POLICE, Kent", {
    authorities: [ROLE.POLICE],
    auth_source: "auth",
    agency: "POLICE",
    force: "KENT",
  }),
  user("data.team.1", "DATA_TEAM (LAO allowed)", {
    authorities: [ROLE.DATA_TEAM],
    auth_source: "auth",
    agency: "BRIDGE",
    lao_access: true,
  }),
  user("data.team.2", "DATA_TEAM (the second reviewer)", {
    authorities: [ROLE.DATA_TEAM],
    auth_source: "auth",
    agency: "BRIDGE",
  }),
  user("admin.user", "ADMIN", { authorities: [ROLE.ADMIN], auth_source: "auth", agency: "BRIDGE" }),
  user("auditor.user", "AUDITOR", { authorities: [ROLE.AUDITOR], auth_source: "auth", agency: "BRIDGE" }),
];

export const DEV_CLIENTS: readonly DevClient[] = [
  {
    clientId: "arms-system",
    role: "POLICE system: posts ARMS assessments (all forces)",
    claims: { authorities: [ROLE.POLICE], auth_source: "none", agency: "POLICE" },
  },
  {
    clientId: "oasys-system",
    role: "PROBATION system: posts OASys exports and events",
    claims: { authorities: [ROLE.PROBATION], auth_source: "none", agency: "PROBATION" },
  },
  {
    clientId: "metrics-scraper",
    role: "no role: scrapes /metrics only",
    claims: { authorities: [], auth_source: "none", agency: "BRIDGE" },
  },
  {
    clientId: "data-team-system",
    role: "DATA_TEAM system (reports): reads conflicts, can never decide one",
    claims: { authorities: [ROLE.DATA_TEAM], auth_source: "none", agency: "BRIDGE" },
  },
  {
    clientId: "expiring-system",
    role: "POLICE system whose tokens live 1 s (tests of expiry)",
    claims: { authorities: [ROLE.POLICE], auth_source: "none", agency: "POLICE" },
    ttlS: 1,
  },
];

/** The public client people sign in with (authorization code + PKCE, no secret). */
export const SIGN_IN_CLIENT = "bridge-dev";
/**
 * The bridge's web pages' client (src/web/): confidential (client_secret_basic, `bridge-web-dev-secret`),
 * authorization code + PKCE, redirect URI `<bridge>/sign-in/callback` and post-logout `<bridge>/signed-out`
 * on any loopback host and port (a native-application client: RFC 8252 lets the port vary), so the demo
 * on :3000, `bridge serve` on :8080 and tests on port 0 all sign in. src/web/settings.ts has the same id
 * and secret as its development defaults.
 */
export const WEB_CLIENT = "bridge-web";
/** The default dev password of every seeded person (`bridge idp --password` sets another). */
export const DEV_PASSWORD = "dev-only-password";
/** A system client's dev secret. */
export const devSecret = (clientId: string): string => `${clientId}-dev-secret`;

export const findUser = (username: string): DevUser | undefined =>
  DEV_USERS.find((u) => u.username === username);
export const findClient = (clientId: string): DevClient | undefined =>
  DEV_CLIENTS.find((c) => c.clientId === clientId);
