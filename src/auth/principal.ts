/**
 * Who is calling: a person (authorisation code flow) or an agency system (client credentials), as the
 * verified access token says (src/auth/verify.ts) and the access policy maps it (src/auth/policy.ts).
 * Route handlers read it as `request.principal`; it never carries the token itself.
 */

export const ROLES = ["PROBATION", "POLICE", "DATA_TEAM", "ADMIN", "AUDITOR"] as const;
/**
 * PROBATION: the OASys side. POLICE: the ARMS side, one force. DATA_TEAM: conflict review and decisions.
 * ADMIN: dead letters, replay, mapping deployment, operations. AUDITOR: reads the audit trail only.
 */
export type Role = (typeof ROLES)[number];

export const AGENCIES = ["POLICE", "PROBATION", "BRIDGE"] as const;
export type Agency = (typeof AGENCIES)[number];

export interface Principal {
  kind: "user" | "system";
  /** `sub` for a person (their stable id, never a name); `client_id` for a system. */
  subject: string;
  /** The OAuth2 client the token was issued to (the app a person signed in with, or the system itself). */
  clientId: string | null;
  /** The bridge's roles, mapped from the token's `authorities` by the access policy; unknown ones dropped. */
  roles: Role[];
  agency: Agency | null;
  /** Police force code (e.g. "ESSEX") for police callers; null otherwise. */
  force: string | null;
  /** Explicitly allowed to see limited-access offenders (the token's `lao_access` claim is `true`). */
  laoAccess: boolean;
}

export const hasRole = (principal: Principal | null, role: Role): boolean =>
  principal?.roles.includes(role) ?? false;
