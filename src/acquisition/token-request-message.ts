/**
 * One token request message, as sent: the form body (MSAL's parameters, the request's extra
 * fields, the credential's parameters), the headers (the library's own, then the request's
 * extra ones), the URL with its extra query, and the application's `onBeforeTokenRequest`
 * callback, which may change all three in place just before they are sent.
 *
 * @module
 */

import type { AuthorityKind } from "../authority/authority";
import type { ClientCredential } from "../credentials/client-credential";
import { ClientError, EntraEdgeError } from "../errors";
import { raceSignal } from "../internal/deadline";
import { librarySku, libraryVersion, runtimeName } from "../internal/platform";
import { describeThrown, sanitizedCause } from "../internal/safe-error";
import type { OnBeforeTokenRequestData } from "../options";
import type { CacheRefreshReason } from "../result";

/** What one message is made of. */
export interface TokenRequestMessageInput {
  readonly clientId: string;
  readonly credential: ClientCredential;
  readonly authorityKind: AuthorityKind;
  readonly tenantId: string | undefined;
  readonly scopes: readonly string[];
  readonly claims: string | undefined;
  readonly correlationId: string;
  readonly extraQueryParameters: Readonly<Record<string, string>> | undefined;
  /** Checked: no name the library sends itself. */
  readonly extraBodyParameters: Readonly<Record<string, string>> | undefined;
  /** Checked: no header the library sets itself. */
  readonly extraHttpHeaders: Readonly<Record<string, string>> | undefined;
  readonly onBeforeTokenRequest:
    ((data: OnBeforeTokenRequestData) => void | Promise<void>) | undefined;
  readonly sendX5c: boolean | undefined;
  readonly cacheRefreshReason: CacheRefreshReason;
  readonly now: () => number;
}

/** A message ready for `fetch`, and what the credential reported it sent. */
export interface TokenRequestMessage {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** What `credential.addTo` returned: the certificate it signed with, for a rotating credential. */
  readonly credentialUse: unknown;
}

/** Cache outcome numbers of MSAL's `x-client-current-telemetry`. */
const telemetryCacheInfo: Record<CacheRefreshReason, number> = {
  NotApplicable: 0,
  ForceRefreshOrClaims: 1,
  NoCachedAccessToken: 2,
  Expired: 3,
  ProactivelyRefreshed: 4,
};

/**
 * Builds the message of one attempt to `endpoint`.
 * @param signal the attempt's signal; `timedOut` makes the error when it fires first.
 * @throws the credential's `ClientError` (`signing_failed`, `invalid_client_assertion`,
 * `certificate_loader_failed`, ...) or `before_token_request_failed`.
 */
export async function tokenRequestMessage(
  input: TokenRequestMessageInput,
  endpoint: string,
  signal: AbortSignal,
  timedOut: () => unknown,
): Promise<TokenRequestMessage> {
  // The extra fields first: what the library and the credential set after them wins.
  const form = new URLSearchParams(input.extraBodyParameters);
  form.set("client_id", input.clientId);
  form.set("scope", input.scopes.join(" "));
  form.set("grant_type", "client_credentials");
  if (input.claims !== undefined) form.set("claims", input.claims);
  const credentialContext = {
    clientId: input.clientId,
    tokenEndpoint: endpoint,
    tenantId: input.tenantId,
    claims: input.claims,
    correlationId: input.correlationId,
    signal,
    authorityKind: input.authorityKind,
    now: input.now(),
    sendX5c: input.sendX5c,
  };
  const credentialUse = await raceSignal(
    credentialFailure(input.credential.addTo(form, credentialContext), input),
    signal,
    timedOut,
  );
  // A plain record, as the library has always sent: a `fetch` wrapper that reads
  // `init.headers` as an object keeps working. Extra names are lower-cased so that two spellings
  // of one name cannot both be sent.
  let headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded;charset=utf-8",
    accept: "application/json",
    "client-request-id": input.correlationId,
    "return-client-request-id": "true",
    "x-client-SKU": librarySku,
    "x-client-VER": libraryVersion,
    "x-client-OS": runtimeName,
    "x-ms-lib-capability": "retry-after, h429",
    "x-client-current-telemetry": `5|771,${telemetryCacheInfo[input.cacheRefreshReason]},,,|,`,
  };
  for (const [name, value] of Object.entries(input.extraHttpHeaders ?? {}))
    headers[name.toLowerCase()] = value;
  const url = new URL(endpoint);
  for (const [name, value] of Object.entries(input.extraQueryParameters ?? {}))
    url.searchParams.set(name, value);
  // Sent as given unless something changed it (`URL` would normalise, e.g. drop a ":443").
  const unchanged = input.extraQueryParameters === undefined ? url.href : undefined;
  const callback = input.onBeforeTokenRequest;
  if (callback !== undefined) {
    const origin = url.origin;
    const data: OnBeforeTokenRequestData = {
      requestUri: url,
      headers: new Headers(headers),
      bodyParameters: form,
      signal,
    };
    await raceSignal(callbackFailure(callback, data, input.correlationId), signal, timedOut);
    headers = Object.fromEntries(data.headers);
    if (url.origin !== origin) {
      throw new ClientError(
        "before_token_request_failed",
        `onBeforeTokenRequest moved the token request from ${origin} to another origin: the credential goes only to the authority's origin. Change the query, headers or form instead, or the authority.`,
        { correlationId: input.correlationId },
      );
    }
  }
  return {
    url: url.href === unchanged ? endpoint : url.href,
    headers,
    body: form.toString(),
    credentialUse,
  };
}

/**
 * Runs the callback; anything it throws becomes a `ClientError` that names only the thrown
 * error's class: the callback saw the form body, whose secret or assertion its error may quote,
 * so its error is kept only as a stand-in with that name.
 */
async function callbackFailure(
  callback: (data: OnBeforeTokenRequestData) => void | Promise<void>,
  data: OnBeforeTokenRequestData,
  correlationId: string,
): Promise<void> {
  try {
    await callback(data);
  } catch (error) {
    throw new ClientError(
      "before_token_request_failed",
      `The onBeforeTokenRequest callback threw (${describeThrown(error)}): fix the callback; the token request was not sent.`,
      { correlationId, cause: sanitizedCause(error) },
    );
  }
}

/**
 * Turns anything but a library error from the credential (a remote signer or an assertion
 * callback that throws, a signer returning something other than bytes) into a `ClientError`
 * `signing_failed` or `invalid_client_assertion`. The message names only the error's class: its
 * text may quote what it was given. The thrower's error, the caller's own object, is the cause.
 */
async function credentialFailure(
  work: Promise<unknown>,
  input: TokenRequestMessageInput,
): Promise<unknown> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof EntraEdgeError) throw error;
    const cause = { correlationId: input.correlationId, cause: error };
    if (input.credential.kind === "assertion") {
      throw new ClientError(
        "invalid_client_assertion",
        `The client assertion could not be produced (${describeThrown(error)}): fix the assertion callback or the service it calls; its error is the cause.`,
        cause,
      );
    }
    throw new ClientError(
      "signing_failed",
      `The client assertion could not be signed (${describeThrown(error)}): with withCertificate({ sign }), fix the sign function or the service it calls (Key Vault, KMS, HSM) and return the signature bytes; its error is the cause.`,
      cause,
    );
  }
}
