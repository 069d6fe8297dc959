/**
 * The AADSTS errors of federated client assertions (workload identity federation), with the
 * texts the service answers: no federated identity credential for the assertion's issuer
 * (700211), subject (700213, 7002138 when only the case differs) or audience (70021), the
 * issuer's metadata not reachable (50166) or without the signing key (7000272).
 *
 * @module
 */

import type { EntraErrorSpec } from "./errors";

const WORKLOAD_IDENTITY_DOCS =
  "https://learn.microsoft.com/entra/workload-id/workload-identity-federation";

function invalidClient(code: number, message: string): EntraErrorSpec {
  return { status: 401, error: "invalid_client", code, message };
}

/** The errors the emulator answers when it checks a federated assertion. */
export const federationErrors = {
  /** 401 invalid_client 700211: no federated credential of the app has the assertion's `iss`. */
  unknownIssuer: (issuer: string) =>
    invalidClient(
      700211,
      `No matching federated identity record found for presented assertion issuer '${issuer}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. ${WORKLOAD_IDENTITY_DOCS}`,
    ),
  /** 401 invalid_client 700213: credentials for the issuer exist, none for the assertion's `sub`. */
  unknownSubject: (subject: string) =>
    invalidClient(
      700213,
      `No matching federated identity record found for presented assertion subject '${subject}'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. ${WORKLOAD_IDENTITY_DOCS}`,
    ),
  /** 401 invalid_client 7002138: the subject matches a credential only when case is ignored. */
  subjectCaseMismatch: (subject: string) =>
    invalidClient(
      7002138,
      `No matching federated identity record found for presented assertion subject '${subject}'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. ${WORKLOAD_IDENTITY_DOCS}`,
    ),
  /** 401 invalid_client 70021: issuer and subject match a credential, the audience does not. */
  noMatchingRecord: (issuer: string, subject: string, audience: string) =>
    invalidClient(
      70021,
      `No matching federated identity record found for presented assertion. Assertion Issuer: '${issuer}'. Assertion Subject: '${subject}'. Assertion Audience: '${audience}'. ${WORKLOAD_IDENTITY_DOCS}`,
    ),
  /** 400 invalid_request 50166: the issuer's OpenID configuration or keys could not be fetched or do not fit. */
  metadataUnavailable: (): EntraErrorSpec => ({
    status: 400,
    error: "invalid_request",
    code: 50166,
    message: "Request to External OIDC endpoint failed.",
  }),
  /** 401 invalid_client 7000272: no key of the issuer's JWKS has the assertion's `kid`. */
  keyNotInMetadata: (keyId: string, issuer: string) =>
    invalidClient(
      7000272,
      `The certificate with identifier ${keyId} used to sign the federated credential could not be found in the metadata of identity provider ${issuer}. Please validate that your Identity Provider's metadata exposes the key used to sign the incoming token.`,
    ),
  /**
   * 401 invalid_client 50013 (emulator choice for the text): the signature does not verify with
   * the issuer's key, or its algorithm is not one the emulator accepts.
   */
  invalidSignature: (reason: string) =>
    invalidClient(50013, `Assertion failed signature validation. [Reason - ${reason}]`),
} as const;
