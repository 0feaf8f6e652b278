/**
 * The sign-in pages of the bundled identity provider: plain HTML forms, no JavaScript, so a browser or a
 * test driving HTTP signs in the same way.
 *
 *   GET  /interaction/:uid         login prompt: the form (user name, password); consent prompt: granted at
 *                                  once (every client here is the bridge's own, first-party)
 *   POST /interaction/:uid/login   checks the seeded user and the dev password; 401 with the form again
 *                                  when wrong, else back to the authorization endpoint
 */
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type Provider from "oidc-provider";
import { findUser } from "./accounts.ts";

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function loginPage(uid: string, problem: string | null): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in: OASys-ARMS bridge (development)</title></head>
<body>
<h1>Sign in</h1>
<p>Development identity provider: synthetic users only.</p>
${problem ? `<p role="alert">${escapeHtml(problem)}</p>` : ""}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label>User name <input name="username" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>
</body></html>`;
}

async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16 * 1024) throw new Error("form too large");
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

function send(res: ServerResponse, status: number, html: string) {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  res.end(html);
}

/** Handles `/interaction/...`; returns false for any other path. */
export async function handleInteraction(
  provider: Provider,
  password: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const match = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/.exec(
    new URL(req.url ?? "/", "http://x").pathname,
  );
  if (!match) return false;
  const [, uid = "", login] = match;
  let details: Awaited<ReturnType<Provider["interactionDetails"]>>;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    send(
      res,
      400,
      "<!doctype html><title>Sign-in expired</title><p>This sign-in has expired; start again.</p>",
    );
    return true;
  }
  const prompt = details.prompt.name;

  if (!login && req.method === "GET" && prompt === "consent") {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({
          accountId: details.session?.accountId,
          clientId: String(details.params.client_id),
        });
    if (!grant) throw new Error("the interaction's grant is gone");
    const missing = details.prompt.details as {
      missingOIDCScope?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
    for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(resource, scopes.join(" "));
    }
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return true;
  }
  if (!login && req.method === "GET") {
    send(res, 200, loginPage(uid, null));
    return true;
  }
  if (login && req.method === "POST" && prompt === "login") {
    const form = await formBody(req);
    const username = form.get("username") ?? "";
    if (!findUser(username) || !same(form.get("password") ?? "", password)) {
      send(res, 401, loginPage(uid, "Unknown user name or wrong password."));
      return true;
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: username } },
      { mergeWithLastSubmission: false },
    );
    return true;
  }
  send(res, 405, "<!doctype html><title>Not here</title><p>Method not allowed.</p>");
  return true;
}
