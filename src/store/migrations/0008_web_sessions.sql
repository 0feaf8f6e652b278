-- Issue 12: the data team's web pages sign people in with OpenID Connect and keep a server-side session
-- here (src/web/session.ts). The browser holds only an opaque random id in a cookie; this table holds a
-- keyed hash of it (HMAC-SHA256 under WEB_SESSION_SECRET), never the id, so its rows cannot be replayed as
-- cookies. A session ends at expires_at: the idle limit from the last request, capped by the absolute
-- limit from sign-in; signing out deletes it, and expired rows are deleted as new sessions start.
CREATE TABLE web_sessions (
  id_hash      text PRIMARY KEY CHECK (id_hash ~ '^[0-9a-f]{64}$'),
  -- The signed-in person as src/auth built them from the verified access token (src/auth/principal.ts).
  principal    jsonb NOT NULL,
  -- For the issuer's end-session request (id_token_hint) when signing out; null when none was issued.
  id_token     text,
  -- The CSRF secret every form's token is made from (@fastify/csrf-protection).
  csrf_secret  text NOT NULL,
  created_at   timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  CHECK (expires_at > created_at)
);
CREATE INDEX web_sessions_expires_idx ON web_sessions (expires_at);
