/**
 * One token request on the wire: the form body and headers as MSAL sends them, the credential's
 * parameters, one retry on a 5xx or a network fault, and a fall back from a regional endpoint to
 * the global one when the regional endpoint cannot be reached.
 *
 * @module
 */

import type { AuthorityKind } from "../authority/authority";
import type { ClientCredential } from "../credentials/client-credential";
import { ClientError, EntraEdgeError, NetworkError, ServiceError } from "../errors";
import { raceSignal, startDeadline } from "../internal/deadline";
import { networkErrorOf } from "../internal/network-error";
import { librarySku, libraryVersion, runtimeName } from "../internal/platform";
import { describeThrown } from "../internal/safe-error";
import type { Log } from "../logger";
import type { RetryOptions } from "../options";
import {
  noRegionDetails,
  RegionOutcome,
  type CacheRefreshReason,
  type RegionDetails,
} from "../result";
import { readTokenResponse, type TokenResponse } from "./token-response";

/** Everything one token request needs. */
export interface TokenRequestInput {
  readonly fetch: typeof fetch;
  readonly log: Log;
  readonly clientId: string;
  readonly credential: ClientCredential;
  readonly authorityKind: AuthorityKind;
  readonly tenantId: string | undefined;
  /** The endpoint to call first (regional when a region is set). */
  readonly tokenEndpoint: string;
  /** The global endpoint to fall back to when a regional one fails at the network level. */
  readonly fallbackTokenEndpoint: string | undefined;
  readonly region: string | undefined;
  readonly scopes: readonly string[];
  readonly claims: string | undefined;
  readonly correlationId: string;
  readonly extraQueryParameters: Readonly<Record<string, string>> | undefined;
  readonly sendX5c: boolean | undefined;
  readonly cacheRefreshReason: CacheRefreshReason;
  /** Aborts on the caller's signal or the acquisition deadline; `reason` tells which. */
  readonly signal: AbortSignal;
  readonly retry: Required<RetryOptions>;
  readonly now: () => number;
}

/** A token and how it was obtained. */
export interface TokenRequestOutcome {
  readonly token: TokenResponse;
  /** When the request was sent (ms); lifetimes count from here, as MSAL does. */
  readonly requestedAt: number;
  readonly tokenEndpoint: string;
  readonly durationInHttpInMs: number;
  readonly regionDetails: RegionDetails;
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
 * Requests a token.
 * @throws ServiceError, ThrottledError, NetworkError, or the credential's ClientError.
 */
export async function requestToken(input: TokenRequestInput): Promise<TokenRequestOutcome> {
  let endpoint = input.tokenEndpoint;
  let regionDetails: RegionDetails =
    input.region === undefined
      ? noRegionDetails
      : {
          regionOutcome: RegionOutcome.UserProvided,
          regionUsed: input.region,
          autoDetectionError: undefined,
        };
  let httpMs = 0;
  let retriesLeft = input.retry.maxRetries;
  let freshAssertionTried = false;
  for (;;) {
    const started = input.now();
    try {
      const token = await attempt(input, endpoint);
      httpMs += input.now() - started;
      return {
        token,
        requestedAt: started,
        tokenEndpoint: endpoint,
        durationInHttpInMs: httpMs,
        regionDetails,
      };
    } catch (error) {
      httpMs += input.now() - started;
      if (input.signal.aborted && error instanceof NetworkError) throw error;
      if (
        input.fallbackTokenEndpoint !== undefined &&
        endpoint !== input.fallbackTokenEndpoint &&
        error instanceof NetworkError
      ) {
        input.log.write(
          "warning",
          `Regional token endpoint failed (${error.code}); falling back to the global endpoint.`,
        );
        regionDetails = {
          regionOutcome: RegionOutcome.FallbackToGlobal,
          regionUsed: undefined,
          autoDetectionError: `The regional endpoint ${endpoint} failed: ${error.message}`,
        };
        endpoint = input.fallbackTokenEndpoint;
        continue;
      }
      if (
        !freshAssertionTried &&
        isCredentialRejection(error) &&
        input.credential.rejected?.(endpoint) === true
      ) {
        freshAssertionTried = true;
        input.log.write(
          "info",
          "The server refused a reused client assertion; sending a freshly signed one.",
        );
        continue;
      }
      if (retriesLeft > 0 && isRetryable(error)) {
        retriesLeft--;
        input.log.write(
          "info",
          `Token request failed (${(error as NetworkError | ServiceError).code}); retrying once.`,
        );
        await pause(input.retry.delayMs * (1 + Math.random() * 0.25), input.signal);
        continue;
      }
      throw error;
    }
  }
}

async function attempt(input: TokenRequestInput, endpoint: string): Promise<TokenResponse> {
  // One attempt's own timeout, inside the acquisition deadline (input.signal).
  const deadline = startDeadline(input.retry.attemptTimeoutMs, input.signal);
  const signal = deadline.signal;
  // Work that ignores its signal (a hung assertion callback, a fetch or body that never
  // settles) is abandoned when the signal fires.
  const timedOut = (): NetworkError =>
    networkErrorOf(undefined, signal, endpoint, input.correlationId);
  try {
    const form = new URLSearchParams();
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
    await raceSignal(
      credentialFailure(input.credential.addTo(form, credentialContext), input),
      signal,
      timedOut,
    );
    // Sending the request and reading its body can both fail on the network.
    try {
      const response = await raceSignal(
        input.fetch(withQuery(endpoint, input.extraQueryParameters), {
          method: "POST",
          headers: {
            "content-type": "application/x-www-form-urlencoded;charset=utf-8",
            accept: "application/json",
            "client-request-id": input.correlationId,
            "return-client-request-id": "true",
            "x-client-SKU": librarySku,
            "x-client-VER": libraryVersion,
            "x-client-OS": runtimeName,
            "x-ms-lib-capability": "retry-after, h429",
            "x-client-current-telemetry": `5|771,${telemetryCacheInfo[input.cacheRefreshReason]},,,|,`,
          },
          body: form.toString(),
          // A redirect would re-send the credential to another host: never follow one.
          redirect: "manual",
          signal,
        }),
        signal,
        timedOut,
      );
      return await raceSignal(
        readTokenResponse(response, {
          correlationId: input.correlationId,
          tokenEndpoint: endpoint,
          now: input.now(),
          signal,
        }),
        signal,
        timedOut,
      );
    } catch (error) {
      throw error instanceof EntraEdgeError
        ? error
        : networkErrorOf(error, signal, endpoint, input.correlationId);
    }
  } finally {
    deadline.clear();
  }
}

/**
 * Turns anything but a library error from the credential (a remote signer or an assertion
 * callback that throws, a signer returning something other than bytes) into a `ClientError`
 * `signing_failed` or `invalid_client_assertion`. The message names only the error's class: its
 * text may quote what it was given. The thrower's error, the caller's own object, is the cause.
 */
async function credentialFailure(work: Promise<void>, input: TokenRequestInput): Promise<void> {
  try {
    await work;
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

function withQuery(endpoint: string, extra: Readonly<Record<string, string>> | undefined): string {
  if (extra === undefined) return endpoint;
  const url = new URL(endpoint);
  for (const [key, value] of Object.entries(extra)) url.searchParams.set(key, value);
  return url.toString();
}

/** A 4xx answer that may mean "this assertion was seen before". */
function isCredentialRejection(error: unknown): boolean {
  return (
    error instanceof ServiceError &&
    error.code === "service_error" &&
    (error.status === 400 || error.status === 401)
  );
}

function isRetryable(error: unknown): boolean {
  if (error instanceof NetworkError) return error.code !== "aborted";
  return (
    error instanceof ServiceError &&
    error.code === "service_error" &&
    error.status >= 500 &&
    error.retryAfterMs === undefined
  );
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
