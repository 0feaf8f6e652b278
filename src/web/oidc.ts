/**
 * The web's OpenID Connect client (openid-client 6) at AUTH_ISSUER, the issuer the API's tokens come from:
 * authorization code with PKCE (S256) and state, client_secret_basic at the token endpoint, the issuer's
 * `iss` in the redirect checked (RFC 9207), an ID token required; RP-initiated logout for signing out.
 * The issuer's metadata is discovered when first needed (the service starts while the issuer is down) and
 * kept; a failed discovery is tried again on the next sign-in. Plain http is allowed for the issuer only
 * outside production (the bundled development provider).
 *
 * Who the person is comes from the access token, verified and mapped by src/auth (the same code as a
 * bearer token on the API): the ID token only has to name the same subject.
 */
import * as client from "openid-client";
import { BridgeError } from "../errors.ts";

export interface SignInStart {
  url: URL;
  state: string;
  verifier: string;
}

export interface SignedIn {
  accessToken: string;
  idToken: string | null;
  /** The ID token's `sub`. */
  subject: string | null;
}

export interface OidcClient {
  /** Where to send the browser to sign in, with the state and PKCE verifier to keep until it returns. */
  start(redirectUri: string): Promise<SignInStart>;
  /** The tokens for the code the issuer sent back to `callbackUrl` (checks state, iss, PKCE). */
  finish(callbackUrl: URL, checks: { state: string; verifier: string }): Promise<SignedIn>;
  /** The issuer's end-session URL for this ID token, or null when the issuer has none. */
  endSession(idToken: string | null, postLogoutRedirectUri: string): Promise<URL | null>;
}

export interface OidcOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  allowHttpIssuer: boolean;
}

/** The issuer could not be reached or answered nonsense: the person may be fine, the sign-in is not. */
const unavailable = (cause: unknown) =>
  new BridgeError("BRIDGE_E_AUTH_UNAVAILABLE", "the sign-in service could not be reached", {}, { cause });

/** The sign-in came back wrong (state, code, issuer, a refused code): the person signs in again. */
export class SignInFailed extends Error {}

export function createOidcClient(options: OidcOptions): OidcClient {
  let configuration: Promise<client.Configuration> | null = null;
  const config = () => {
    configuration ??= client
      .discovery(
        new URL(options.issuer),
        options.clientId,
        undefined,
        client.ClientSecretBasic(options.clientSecret),
        options.allowHttpIssuer && options.issuer.startsWith("http:")
          ? { execute: [client.allowInsecureRequests] }
          : {},
      )
      .catch((error: unknown) => {
        configuration = null;
        throw unavailable(error);
      });
    return configuration;
  };

  return {
    async start(redirectUri) {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const url = client.buildAuthorizationUrl(await config(), {
        redirect_uri: redirectUri,
        scope: "openid",
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
        state,
      });
      return { url, state, verifier };
    },

    async finish(callbackUrl, checks) {
      const c = await config();
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        tokens = await client.authorizationCodeGrant(c, callbackUrl, {
          pkceCodeVerifier: checks.verifier,
          expectedState: checks.state,
          idTokenExpected: true,
        });
      } catch (error) {
        // The issuer refused (an error in the redirect, a bad code, state or issuer): sign in again.
        if (
          error instanceof client.AuthorizationResponseError ||
          error instanceof client.ResponseBodyError ||
          (error instanceof Error && (error as { code?: string }).code?.startsWith("OAUTH_"))
        ) {
          throw new SignInFailed("the issuer did not sign the person in", { cause: error });
        }
        throw unavailable(error);
      }
      const subject = tokens.claims()?.sub ?? null;
      return { accessToken: tokens.access_token, idToken: tokens.id_token ?? null, subject };
    },

    async endSession(idToken, postLogoutRedirectUri) {
      let c: client.Configuration;
      try {
        c = await config();
      } catch {
        return null; // signing out here does not wait for the issuer
      }
      if (!c.serverMetadata().end_session_endpoint) return null;
      return client.buildEndSessionUrl(c, {
        post_logout_redirect_uri: postLogoutRedirectUri,
        client_id: options.clientId,
        ...(idToken ? { id_token_hint: idToken } : {}),
      });
    },
  };
}
