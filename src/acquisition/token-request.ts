/**
 * One token request on the wire: the message of each attempt (`token-request-message.ts`), one
 * retry on a 5xx or a network fault, a fall back from a regional endpoint to the global one when
 * the regional endpoint cannot be reached, one fresh assertion for a server that refuses a
 * reused one, and one reloaded certificate when the identity provider refuses the certificate.
 *
 * @module
 */

import { isCertificateRefusal } from "../credentials/certificate-refusal";
import { EntraEdgeError, NetworkError, ServiceError } from "../errors";
import { raceSignal, startDeadline } from "../internal/deadline";
import { networkErrorOf } from "../internal/network-error";
import type { Log } from "../logger";
import type { RetryOptions } from "../options";
import { noRegionDetails, RegionOutcome, type RegionDetails } from "../result";
import { tokenRequestMessage, type TokenRequestMessageInput } from "./token-request-message";
import { readTokenResponse, type TokenResponse } from "./token-response";

/** Everything one token request needs. */
export interface TokenRequestInput extends TokenRequestMessageInput {
  readonly fetch: typeof fetch;
  readonly log: Log;
  /** The endpoint to call first (regional when a region is set). */
  readonly tokenEndpoint: string;
  /** The global endpoint to fall back to when a regional one fails at the network level. */
  readonly fallbackTokenEndpoint: string | undefined;
  readonly region: string | undefined;
  /** Aborts on the caller's signal or the acquisition deadline; `reason` tells which. */
  readonly signal: AbortSignal;
  readonly retry: Required<RetryOptions>;
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
  let certificateReloaded = false;
  const sent: SentCredential = { use: undefined };
  for (;;) {
    const started = input.now();
    try {
      const token = await attempt(input, endpoint, sent);
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
      // Once per acquisition, so a certificate refused again surfaces: no loop.
      if (
        !certificateReloaded &&
        isCertificateRefusal(error) &&
        input.credential.certificateRefused?.(sent.use) === true
      ) {
        certificateReloaded = true;
        input.log.write(
          "warning",
          `The identity provider refused the certificate (AADSTS${(error as ServiceError).errorCodes.join(", ")}); loading it again and retrying once.`,
        );
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

/** What the credential reported it sent in the last attempt (see `ClientCredential.addTo`). */
interface SentCredential {
  use: unknown;
}

async function attempt(
  input: TokenRequestInput,
  endpoint: string,
  sent: SentCredential,
): Promise<TokenResponse> {
  // One attempt's own timeout, inside the acquisition deadline (input.signal).
  const deadline = startDeadline(input.retry.attemptTimeoutMs, input.signal);
  const signal = deadline.signal;
  // Work that ignores its signal (a hung assertion callback, a fetch or body that never
  // settles) is abandoned when the signal fires.
  const timedOut = (): NetworkError =>
    networkErrorOf(undefined, signal, endpoint, input.correlationId);
  try {
    sent.use = undefined;
    const message = await tokenRequestMessage(input, endpoint, signal, timedOut);
    sent.use = message.credentialUse;
    // Sending the request and reading its body can both fail on the network.
    try {
      const response = await raceSignal(
        input.fetch(message.url, {
          method: "POST",
          headers: message.headers,
          body: message.body,
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
