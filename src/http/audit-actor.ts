/**
 * Who the audit trail records for a request: the verified caller (`request.principal`, set by the
 * authentication plugin, src/auth/plugin.ts) with their roles and agency, or "anonymous" on a request
 * without one (a public route, or an app built without authentication, as some tests build it).
 */
import type { FastifyRequest } from "fastify";

export interface AuditActor {
  actor: string;
  role: string;
  agency: string | null;
}

export const ANONYMOUS: AuditActor = { actor: "anonymous", role: "ANONYMOUS", agency: null };

export function auditActor(request: FastifyRequest): AuditActor {
  const principal = request.principal;
  if (!principal) return ANONYMOUS;
  return {
    actor: principal.subject,
    role: [...principal.roles].sort().join(",") || principal.kind.toUpperCase(),
    agency: principal.agency,
  };
}
