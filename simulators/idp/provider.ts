/**
 * The oidc-provider configuration of the bundled identity provider: the seeded clients, a signing key made
 * fresh at every start, JWT access tokens for the bridge's API (resource indicators) carrying the seeded
 * HMPPS-Auth-style claims, client credentials for systems, authorization code + PKCE for people.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import Provider, { type Configuration, errors, type KoaContextWithOIDC } from "oidc-provider";
import {
  API_RESOURCE,
  API_SCOPE,
  DEV_CLIENTS,
  devSecret,
  findClient,
  findUser,
  OTHER_AUDIENCE,
  OTHER_RESOURCE,
  SIGN_IN_CLIENT,
  WEB_CLIENT,
} from "./accounts.ts";
import { memoryStore } from "./memory-store.ts";

export interface ProviderOptions {
  issuer: string;
  /** Default lifetime of access tokens, seconds. */
  accessTokenTtlS: number;
  /** The audience tokens for the bridge carry (AUTH_AUDIENCE). */
  audience: string;
}

/** Where the web client may be sent back to, on any port (oidc-provider's loopback rule for native clients). */
const LOOPBACKS = ["localhost", "127.0.0.1", "[::1]"];

/** A fresh RS256 signing key as a private JWK (tokens do not outlive the process that signed them). */
function signingKey() {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = privateKey.export({ format: "jwk" });
  return { ...jwk, kid: `dev-${randomBytes(6).toString("hex")}`, alg: "RS256", use: "sig" };
}

/** The extra claims of an access token: the person's (by account id) or the system's (by client id). */
function claimsFor(_ctx: KoaContextWithOIDC, token: { accountId?: string; clientId?: string }) {
  if (token.accountId) return findUser(token.accountId)?.claims;
  return token.clientId ? findClient(token.clientId)?.claims : undefined;
}

export function createProvider(options: ProviderOptions): Provider {
  const configuration: Configuration = {
    clients: [
      ...DEV_CLIENTS.map((c) => ({
        client_id: c.clientId,
        client_secret: devSecret(c.clientId),
        grant_types: ["client_credentials"],
        response_types: [],
        redirect_uris: [],
      })),
      {
        client_id: SIGN_IN_CLIENT,
        token_endpoint_auth_method: "none",
        grant_types: ["authorization_code"],
        response_types: ["code"],
        redirect_uris: [`${options.issuer}/dev/callback`],
      },
      {
        client_id: WEB_CLIENT,
        client_secret: devSecret(WEB_CLIENT),
        application_type: "native",
        token_endpoint_auth_method: "client_secret_basic",
        grant_types: ["authorization_code"],
        response_types: ["code"],
        redirect_uris: LOOPBACKS.map((host) => `http://${host}/sign-in/callback`),
        post_logout_redirect_uris: LOOPBACKS.map((host) => `http://${host}/signed-out`),
      },
    ],
    adapter: memoryStore(),
    jwks: { keys: [signingKey()] },
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    scopes: ["openid"],
    claims: { openid: ["sub"] },
    pkce: { required: () => true },
    // Lifetimes of what the provider stores, seconds (access tokens: the resource server's, per client).
    ttl: {
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? options.accessTokenTtlS,
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? options.accessTokenTtlS,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
    async findAccount(_ctx, sub) {
      if (!findUser(sub)) return undefined;
      return { accountId: sub, claims: async () => ({ sub }) };
    },
    extraTokenClaims: async (ctx, token) => ({ ...claimsFor(ctx, token) }),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: { enabled: false },
      // Signing out of the bridge's web pages ends the provider's session too: a plain page asking to
      // confirm (no script, no web fonts), then back to the client's post-logout URI.
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.type = "html";
          ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign out: development identity provider</title></head><body><h1>Sign out of the development identity provider?</h1>${form}<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button> <button type="submit" form="op.logoutForm">No, stay signed in</button></body></html>`;
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = "html";
          ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head><body><h1>Signed out</h1><p>You have signed out of the development identity provider.</p></body></html>`;
        },
      },
      resourceIndicators: {
        enabled: true,
        // A request that names no resource is for the bridge's API.
        defaultResource: (_ctx, _client, oneOf) =>
          oneOf ? (oneOf.includes(API_RESOURCE) ? API_RESOURCE : oneOf) : API_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo(_ctx, resource, client) {
          const jwt = { sign: { alg: "RS256" as const } };
          const ttl = findClient(client.clientId)?.ttlS ?? options.accessTokenTtlS;
          if (resource === API_RESOURCE) {
            return {
              scope: API_SCOPE,
              audience: options.audience,
              accessTokenFormat: "jwt",
              accessTokenTTL: ttl,
              jwt,
            };
          }
          if (resource === OTHER_RESOURCE) {
            return {
              scope: "other",
              audience: OTHER_AUDIENCE,
              accessTokenFormat: "jwt",
              accessTokenTTL: ttl,
              jwt,
            };
          }
          throw new errors.InvalidTarget();
        },
      },
    },
    // A plain page without scripts, naming the error code only.
    async renderError(ctx, out) {
      ctx.type = "html";
      ctx.body = `<!doctype html><title>Sign-in error</title><h1>Sign-in error</h1><p>${String(out.error).replace(/[^a-z_]/g, "")}</p>`;
    },
  };
  return new Provider(options.issuer, configuration);
}
