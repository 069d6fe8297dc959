/**
 * Federated client assertions (workload identity federation, docs/protocol.md §3.3), checked as
 * Entra ID does: an assertion whose `iss` is not the client id is a token of another issuer,
 * which one of the app's federated identity credentials must trust.
 *
 * Order and answers, first failure wins:
 * 1. not three base64url JSON parts, or `aud` neither a string nor an array of strings: 50027;
 * 2. `iss`, `sub`, `aud` or `exp` missing: 90014;
 * 3. no credential with the issuer `iss` (exact): 700211;
 * 4. none of those with the subject `sub` (exact): 700213, or 7002138 when only case differs;
 * 5. none of those whose audiences (default: the token exchange audience of the cloud the request
 *    was sent to) hold an `aud` value: 70021;
 * 6. the issuer's OpenID configuration or keys cannot be fetched, or name another issuer: 50166;
 * 7. no key with the header's `kid`: 7000272; a bad signature or an algorithm other than
 *    RS256/384/512, PS256/384/512, ES256/384: 50013;
 * 8. `exp` + skew in the past, or `nbf` − skew in the future: 700024.
 * No `jti` is remembered: one federated token serves several token requests, as on Entra.
 *
 * @module
 */

import { compactVerify, createLocalJWKSet, errors } from "jose";
import { decodeBase64 } from "../internal/base64";
import {
  type AssertionCheckResult,
  checkRequiredClaims,
  checkValidityWindow,
  decodeJsonPart,
  findCertificate,
} from "./assertion-check";
import type { DirectoryApp } from "./directory";
import { type EntraErrorSpec, entraErrors } from "./errors";
import { federationErrors } from "./federation-errors";
import type { IssuerKeys } from "./issuer-keys";

/** What a federated assertion is checked against. */
export interface FederatedCheckContext {
  readonly app: DirectoryApp;
  /** The audience a credential without `audiences` expects (by the cloud of the request). */
  readonly defaultAudience: string;
  /** Emulator clock, ms. */
  readonly now: number;
  readonly clockSkewSeconds: number;
  readonly issuerKeys: IssuerKeys;
}

const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"];

function fail(error: EntraErrorSpec): AssertionCheckResult {
  return { ok: false, error };
}

/**
 * Whether `assertion` is to be checked as a federated token: its `iss` is not the client id, and
 * the app has federated credentials or the header names none of the app's certificates (`x5t`,
 * `x5t#S256`; a wrong `iss` in an assertion signed with the app's own certificate is 700021).
 */
export function isFederatedAssertion(
  assertion: string,
  app: DirectoryApp,
  clientId: string,
): boolean {
  const [headerPart, claimsPart] = assertion.split(".");
  const claims = decodeJsonPart(claimsPart ?? "");
  const iss = claims?.["iss"];
  if (typeof iss !== "string" || iss.toLowerCase() === clientId.toLowerCase()) return false;
  if (app.federatedCredentials.length > 0) return true;
  const header = decodeJsonPart(headerPart ?? "");
  const bySha256 = typeof header?.["x5t#S256"] === "string";
  const thumbprint = bySha256 ? header?.["x5t#S256"] : header?.["x5t"];
  if (typeof thumbprint !== "string") return true;
  try {
    return findCertificate(app, decodeBase64(thumbprint), bySha256) === undefined;
  } catch {
    return true;
  }
}

/** Checks a federated assertion (see the module documentation for the order of checks and codes). */
export async function checkFederatedAssertion(
  assertion: string,
  context: FederatedCheckContext,
): Promise<AssertionCheckResult> {
  const parts = assertion.split(".");
  const header = parts.length === 3 ? decodeJsonPart(parts[0] ?? "") : undefined;
  const claims = parts.length === 3 ? decodeJsonPart(parts[1] ?? "") : undefined;
  if (!header || !claims) return fail(entraErrors.malformedAssertion());
  const missing = checkRequiredClaims(claims);
  if (!missing.ok) return missing;
  const { iss, sub, aud } = claims;
  const audiences = typeof aud === "string" ? [aud] : aud;
  if (
    typeof iss !== "string" ||
    typeof sub !== "string" ||
    !Array.isArray(audiences) ||
    !audiences.every((value) => typeof value === "string")
  ) {
    return fail(entraErrors.malformedAssertion());
  }

  const byIssuer = context.app.federatedCredentials.filter(
    (credential) => credential.issuer === iss,
  );
  if (byIssuer.length === 0) return fail(federationErrors.unknownIssuer(iss));
  const bySubject = byIssuer.filter((credential) => credential.subject === sub);
  if (bySubject.length === 0) {
    const lower = sub.toLowerCase();
    return fail(
      byIssuer.some((credential) => credential.subject.toLowerCase() === lower)
        ? federationErrors.subjectCaseMismatch(sub)
        : federationErrors.unknownSubject(sub),
    );
  }
  const matched = bySubject.some((credential) =>
    (credential.audiences ?? [context.defaultAudience]).some((expected) =>
      audiences.includes(expected),
    ),
  );
  if (!matched) return fail(federationErrors.noMatchingRecord(iss, sub, audiences.join(", ")));

  const keyId = typeof header["kid"] === "string" ? header["kid"] : undefined;
  const keys = await context.issuerKeys.keysFor(iss, keyId);
  if (!keys.ok) return fail(federationErrors.metadataUnavailable());
  try {
    await compactVerify(assertion, createLocalJWKSet(keys.jwks), { algorithms: ALGORITHMS });
  } catch (error) {
    if (error instanceof errors.JWKSNoMatchingKey)
      return fail(federationErrors.keyNotInMetadata(keyId ?? String(header["x5t"] ?? ""), iss));
    if (error instanceof errors.JWKSInvalid) return fail(federationErrors.metadataUnavailable());
    return fail(
      federationErrors.invalidSignature(
        error instanceof errors.JOSEAlgNotAllowed
          ? `The algorithm '${String(header["alg"])}' is not supported.`
          : "The provided signature value did not match the expected signature value.",
      ),
    );
  }

  const window = checkValidityWindow(claims, context.now, context.clockSkewSeconds);
  if (!window.ok) return window;
  return { ok: true };
}
