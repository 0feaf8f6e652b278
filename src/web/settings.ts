/**
 * What the web pages are built from: their OpenID Connect client at the API's issuer, where people reach
 * the service (the redirect URI and whether cookies are Secure) and how long sessions last. Resolved once
 * at start-up from the configuration (src/config.ts validates the variables; production requires them).
 *
 * Development defaults: the bundled identity provider (`bridge idp`, simulators/idp/) seeds the web's
 * client as `bridge-web` with the secret `bridge-web-dev-secret` and accepts its redirect URIs on any
 * loopback port; the session secret is random per process. Nothing here imports the simulators: the two
 * values are repeated (tests/web/settings.test.ts checks they agree).
 */
import { randomBytes } from "node:crypto";
import type { Config } from "../config.ts";
import { BridgeError } from "../errors.ts";

export const DEV_WEB_CLIENT_ID = "bridge-web";
export const DEV_WEB_CLIENT_SECRET = "bridge-web-dev-secret";

export interface WebSettings {
  /** The OpenID Connect issuer (AUTH_ISSUER): the same the API's tokens come from. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Keys the session ids' stored hashes and signs the sign-in cookie. */
  sessionSecret: string;
  sessionIdleS: number;
  sessionMaxS: number;
  /**
   * Where people reach the service, without a trailing slash: PUBLIC_BASE_URL, else the listening address
   * (known once listening: port 0). The redirect URI is `<base>/sign-in/callback`.
   */
  baseUrl: () => string;
  /** Reached over https (PUBLIC_BASE_URL): cookies are Secure (and `__Host-`/`__Secure-` named). */
  secure: boolean;
  /** The issuer's TLS may be skipped only outside production (the bundled provider speaks http). */
  allowHttpIssuer: boolean;
}

/** `http://localhost:3000` for a listening address (a wildcard address is reached as localhost). */
export function listeningBaseUrl(host: string, port: number): string {
  const shown = host === "0.0.0.0" || host === "::" ? "localhost" : host.includes(":") ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

export function webSettings(
  config: Pick<Config, "auth" | "web" | "environment" | "http">,
  listening: () => { host: string; port: number },
): WebSettings {
  const { issuer } = config.auth;
  const production = config.environment === "production";
  if (!issuer) {
    throw new BridgeError("BRIDGE_E_CONFIG_INVALID", "AUTH_ISSUER is needed for the web pages' sign-in", {
      variable: "AUTH_ISSUER",
    });
  }
  const { clientId, clientSecret, sessionSecret } = config.web;
  if (clientId && !clientSecret) {
    throw new BridgeError("BRIDGE_E_CONFIG_INVALID", "WEB_CLIENT_SECRET is needed with WEB_CLIENT_ID", {
      variable: "WEB_CLIENT_SECRET",
    });
  }
  if (production && (!clientId || !clientSecret || !sessionSecret || !config.http.publicBaseUrl)) {
    throw new BridgeError(
      "BRIDGE_E_CONFIG_INVALID",
      "WEB_CLIENT_ID, WEB_CLIENT_SECRET, WEB_SESSION_SECRET and PUBLIC_BASE_URL must be set when BRIDGE_ENV=production",
      { variable: "WEB_CLIENT_ID" },
    );
  }
  const publicBaseUrl = config.http.publicBaseUrl;
  return {
    issuer,
    clientId: clientId ?? DEV_WEB_CLIENT_ID,
    clientSecret: clientSecret ?? DEV_WEB_CLIENT_SECRET,
    sessionSecret: sessionSecret ?? randomBytes(32).toString("base64url"),
    sessionIdleS: config.web.sessionIdleS,
    sessionMaxS: config.web.sessionMaxS,
    baseUrl: () => {
      if (publicBaseUrl) return publicBaseUrl;
      const { host, port } = listening();
      return listeningBaseUrl(host, port);
    },
    secure: publicBaseUrl?.startsWith("https:") ?? false,
    allowHttpIssuer: !production,
  };
}
