/**
 * How the application proves who it is to the token endpoint. Each credential is a strategy that
 * adds its parameters to the form body; the token request never branches on the kind.
 *
 * @module
 */

import type { AuthorityKind } from "../authority/authority";

/** What an assertion callback receives. */
export interface ClientAssertionOptions {
  /** The application (client) id: the assertion's `iss` and `sub`. */
  readonly clientId: string;
  /** The token endpoint about to be called: the assertion's `aud`. */
  readonly tokenEndpoint: string;
  /** The tenant the token is requested for. */
  readonly tenantId: string | undefined;
  /** The claims request of this acquisition, if any. */
  readonly claims: string | undefined;
  /** The correlation id of this acquisition. */
  readonly correlationId: string;
  /** Aborted when the acquisition is cancelled or times out. */
  readonly signal: AbortSignal;
  /**
   * The application's clock at this token request, in epoch milliseconds (its `now` option, else
   * `Date.now()`): what the federation helpers compare a token's `exp` with. Not enumerable, so
   * spreading or comparing the options sees the six fields above.
   */
  readonly now?: number;
}

/**
 * What a credential may use to authenticate one token request: what an assertion callback gets
 * (the token endpoint is the regional one when a region is used), and more.
 */
export interface CredentialContext extends ClientAssertionOptions {
  readonly authorityKind: AuthorityKind;
  /** Current time in milliseconds. */
  readonly now: number;
  /** Per-request override of the certificate's `sendX5c`. */
  readonly sendX5c: boolean | undefined;
}

/** A client credential: a secret, a certificate, or a client assertion. */
export interface ClientCredential {
  readonly kind: "secret" | "certificate" | "assertion";
  /** Finishes the asynchronous part of validation (key decryption and import); rejects with a `ClientError`. */
  readonly ready: Promise<void>;
  /**
   * Adds the credential's form parameters for one token request. May return what it used (a
   * rotating certificate credential returns its current certificate), for
   * {@link certificateRefused}.
   */
  addTo(form: URLSearchParams, context: CredentialContext): Promise<unknown>;
  /**
   * Told that the server refused the credential sent to `tokenEndpoint`. Returns `true` when a
   * fresh attempt may succeed: the refused assertion was a reused one (a server that forbids `jti`
   * reuse), and reuse is now off for that endpoint.
   */
  rejected?(tokenEndpoint: string): boolean;
  /**
   * Told that the identity provider refused the certificate a request was sent with (`used`,
   * what `addTo` returned). Returns `true` when the next request will be signed with a certificate
   * loaded again: a credential with a certificate loader forgets the refused one.
   */
  certificateRefused?(used: unknown): boolean;
}

/** The `client_assertion_type` of a JWT bearer client assertion (RFC 7523). */
export const jwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
