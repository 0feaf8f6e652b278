/**
 * Server-side sessions for the web pages. The browser holds one opaque random id (256 bits, base64url) in
 * an HttpOnly, SameSite=Lax cookie (Secure, and named `__Host-...`, when the service is reached over
 * https); the store holds the session under HMAC-SHA256(WEB_SESSION_SECRET, id), never the id itself
 * (src/store/repositories/web-sessions.ts, migration 0008).
 *
 * A session starts at sign-in with the person src/auth built from the verified access token, the ID token
 * (for signing out at the issuer) and a CSRF secret; it ends at sign-out, after WEB_SESSION_IDLE_S without
 * a request, or WEB_SESSION_MAX_S after sign-in, whichever comes first. A request extends the idle limit
 * (written at most once a minute). Starting a session deletes sessions already expired.
 *
 * `request.session` is what @fastify/csrf-protection reads (its '@fastify/session' mode: `session._csrf`):
 * the session's CSRF secret, or an empty object for a request without a session (whose forms then fail).
 */
import { createHmac, randomBytes } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Principal } from "../auth/principal.ts";
import type { Db } from "../store/index.ts";
import {
  deleteExpiredWebSessions,
  deleteWebSession,
  findWebSession,
  insertWebSession,
  touchWebSession,
} from "../store/repositories/web-sessions.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The web session's CSRF secret (`_csrf`), as @fastify/csrf-protection reads it; {} without one. */
    session: { _csrf?: string };
  }
}

export interface WebSession {
  principal: Principal;
  idToken: string | null;
  csrfSecret: string;
  createdAt: string;
  expiresAt: string;
}

export interface Sessions {
  readonly cookieName: string;
  /** The live session the request's cookie names (extending its idle limit), or null. */
  load(request: FastifyRequest): Promise<WebSession | null>;
  /** Starts a session for the person, replacing any the request had, and sets its cookie. */
  start(
    request: FastifyRequest,
    reply: FastifyReply,
    who: { principal: Principal; idToken: string | null },
  ): Promise<WebSession>;
  /** Ends the request's session, if any, and clears its cookie; returns what it was. */
  end(request: FastifyRequest, reply: FastifyReply): Promise<WebSession | null>;
}

export interface SessionOptions {
  db: Db;
  secret: string;
  idleS: number;
  maxS: number;
  /** https: Secure cookies under the `__Host-` prefix. */
  secure: boolean;
  now: () => Date;
}

const ID = /^[A-Za-z0-9_-]{43}$/;
/** A request within this long of the last one recorded does not write. */
const TOUCH_EVERY_MS = 60_000;

export function createSessions(options: SessionOptions): Sessions {
  const { db, secure } = options;
  const cookieName = secure ? "__Host-bridge-session" : "bridge-session";
  const cookieOptions = { path: "/", httpOnly: true, sameSite: "lax", secure } as const;
  const hashOf = (id: string) => createHmac("sha256", options.secret).update(id).digest("hex");
  const idOf = (request: FastifyRequest): string | null => {
    const value = request.cookies?.[cookieName];
    return value && ID.test(value) ? value : null;
  };
  const expiryFrom = (createdAt: string, now: Date) =>
    new Date(
      Math.min(Date.parse(createdAt) + options.maxS * 1000, now.getTime() + options.idleS * 1000),
    ).toISOString();

  const load = async (request: FastifyRequest): Promise<WebSession | null> => {
    const id = idOf(request);
    if (!id) return null;
    const now = options.now();
    const idHash = hashOf(id);
    const stored = await findWebSession(db, idHash, now.toISOString());
    if (!stored) return null;
    let expiresAt = stored.expiresAt;
    if (now.getTime() - Date.parse(stored.lastSeenAt) >= TOUCH_EVERY_MS) {
      expiresAt = expiryFrom(stored.createdAt, now);
      await touchWebSession(db, idHash, now.toISOString(), expiresAt);
    }
    const { principal, idToken, csrfSecret, createdAt } = stored;
    return { principal, idToken, csrfSecret, createdAt, expiresAt };
  };

  const end = async (request: FastifyRequest, reply: FastifyReply): Promise<WebSession | null> => {
    const id = idOf(request);
    if (request.cookies?.[cookieName] !== undefined) reply.clearCookie(cookieName, cookieOptions);
    if (!id) return null;
    const session = await load(request);
    await deleteWebSession(db, hashOf(id));
    return session;
  };

  return {
    cookieName,
    load,
    end,
    async start(request, reply, who) {
      const previous = idOf(request);
      if (previous) await deleteWebSession(db, hashOf(previous));
      const now = options.now();
      const at = now.toISOString();
      await deleteExpiredWebSessions(db, at);
      const id = randomBytes(32).toString("base64url");
      const session: WebSession = {
        principal: who.principal,
        idToken: who.idToken,
        csrfSecret: randomBytes(18).toString("base64url"),
        createdAt: at,
        expiresAt: expiryFrom(at, now),
      };
      await insertWebSession(db, hashOf(id), { ...session, lastSeenAt: at });
      // No Max-Age: the cookie goes with the browser session; the store decides when the session ends.
      reply.setCookie(cookieName, id, cookieOptions);
      return session;
    },
  };
}
