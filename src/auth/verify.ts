/**
 * Bearer token -> Principal. The token is a JWT signed by the issuer (HMPPS Auth in production, the bundled
 * `bridge idp` locally; contract §7); it is checked with jose against the issuer's JWKS (fetched when first
 * needed, cached, fetched again for a key id it does not know): signature (asymmetric algorithms only),
 * `iss`, `aud`, `exp` (required) and `nbf`, with AUTH_CLOCK_SKEW_S of leeway.
 *
 * Claims read (HMPPS Auth style): `sub`, `user_name` (present: a person; absent: a system, whose subject is
 * `client_id`), `client_id`, `authorities` (`ROLE_...`, mapped to roles by the access policy), `agency`,
 * `force`, `lao_access` (true: may see limited-access offenders).
 *
 * A refusal is `BRIDGE_E_UNAUTHENTICATED` with a reason that names which check failed (expired, audience,
 * issuer...) and never anything the token contains; the token itself is never logged or echoed. Keys that
 * cannot be fetched are `BRIDGE_E_AUTH_UNAVAILABLE` (503): the caller may be fine, the bridge is not.
 */
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose";
import { BridgeError } from "../errors.ts";
import { type AccessPolicy, rolesOf } from "./policy.ts";
import { AGENCIES, type Agency, type Principal } from "./principal.ts";

export interface VerifierOptions {
  issuer: string;
  jwksUrl: string;
  audience: string;
  clockSkewS: number;
}

export interface TokenVerifier {
  /** The principal an `Authorization` header proves, or a BridgeError (401, or 503 when keys are out of reach). */
  verify(authorization: string | undefined): Promise<Principal>;
}

/** Asymmetric only: a shared-secret (HS*) token could be made by anyone holding the secret. */
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];
const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i;
const SUBJECT = /^[A-Za-z0-9._@:-]{1,128}$/;
const FORCE = /^[A-Z][A-Z0-9_-]{0,63}$/;

/** Why a token was refused: safe to send (it says which check failed, nothing the token holds). */
export class Unauthenticated extends BridgeError {
  readonly reason: string;
  /** RFC 6750 error code for `WWW-Authenticate`; null when no token was sent at all. */
  readonly bearerError: "invalid_token" | "invalid_request" | null;

  constructor(reason: string, bearerError: "invalid_token" | "invalid_request" | null, cause?: unknown) {
    super("BRIDGE_E_UNAUTHENTICATED", reason, { reason }, cause === undefined ? undefined : { cause });
    this.reason = reason;
    this.bearerError = bearerError;
  }
}

const refused = (reason: string, cause?: unknown) => new Unauthenticated(reason, "invalid_token", cause);

function reasonFor(error: unknown): BridgeError {
  if (error instanceof errors.JWTExpired) return refused("the token has expired", error);
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case "iss":
        return refused("the token is not from the trusted issuer", error);
      case "aud":
        return refused("the token is not for this API (audience)", error);
      case "nbf":
        return refused("the token is not valid yet", error);
      default:
        return refused(`the token lacks a valid "${error.claim}" claim`, error);
    }
  }
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys ||
    error instanceof errors.JOSEAlgNotAllowed
  ) {
    return refused("the token's signature is not the issuer's", error);
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return refused("the token is not a well-formed signed JWT", error);
  }
  // The key set could not be fetched or read (timeout, connection refused, not 200, not JSON).
  return new BridgeError(
    "BRIDGE_E_AUTH_UNAVAILABLE",
    "the issuer's keys could not be fetched",
    {},
    { cause: error },
  );
}

const text = (value: unknown): string | null =>
  typeof value === "string" && value.length > 0 ? value : null;

/** The caller the verified claims describe. Throws when a claim the bridge relies on is malformed. */
export function principalFrom(claims: JWTPayload, policy: Pick<AccessPolicy, "authorities">): Principal {
  const userName = text(claims.user_name);
  const clientId = text(claims.client_id);
  const subject = userName ? text(claims.sub) : (clientId ?? text(claims.sub));
  if (!subject || !SUBJECT.test(subject)) throw refused('the token lacks a valid "sub" or "client_id" claim');
  const authorities = claims.authorities ?? [];
  if (!Array.isArray(authorities) || !authorities.every((a) => typeof a === "string")) {
    throw refused('the token\'s "authorities" claim is not a list of strings');
  }
  const agency = text(claims.agency);
  const force = text(claims.force)?.toUpperCase() ?? null;
  if (force !== null && !FORCE.test(force)) throw refused('the token\'s "force" claim is not a force code');
  return {
    kind: userName ? "user" : "system",
    subject,
    clientId,
    roles: rolesOf(policy, authorities as string[]),
    agency: AGENCIES.includes(agency as Agency) ? (agency as Agency) : null,
    force,
    laoAccess: claims.lao_access === true,
  };
}

export function createVerifier(
  options: VerifierOptions,
  policy: Pick<AccessPolicy, "authorities">,
): TokenVerifier {
  const keys = createRemoteJWKSet(new URL(options.jwksUrl), {
    timeoutDuration: 5_000,
    cooldownDuration: 30_000,
  });
  return {
    async verify(authorization) {
      if (authorization === undefined || authorization.trim() === "") {
        throw new Unauthenticated("no bearer token was sent", null);
      }
      const token = BEARER.exec(authorization.trim())?.[1];
      if (!token)
        throw new Unauthenticated("the Authorization header is not a bearer token", "invalid_request");
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          issuer: options.issuer,
          audience: options.audience,
          clockTolerance: options.clockSkewS,
          algorithms: ALGORITHMS,
          requiredClaims: ["exp", "sub"],
        }));
      } catch (error) {
        throw reasonFor(error);
      }
      return principalFrom(payload, policy);
    },
  };
}
