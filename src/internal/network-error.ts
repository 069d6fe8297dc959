/**
 * The `NetworkError` for a `fetch` that failed or was aborted: shared by every request the
 * library sends (token requests and discovery). The fetch's own error is never quoted: a wrapping
 * `fetch` may put the request, form body and client secret included, in its message or cause.
 * Only its class name and system code (`TypeError`, `ECONNREFUSED`) are kept.
 *
 * @module
 */

import { NetworkError } from "../errors";
import { describeThrown, sanitizedCause } from "./safe-error";

/** Turns a fetch failure into a `NetworkError` that says whether it was the deadline, the caller, or the network. */
export function networkErrorOf(
  error: unknown,
  signal: AbortSignal,
  endpoint: string,
  correlationId: string,
): NetworkError {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof NetworkError) return reason;
    if (reason instanceof DOMException && reason.name === "TimeoutError") {
      return new NetworkError("request_timeout", `The request to ${endpoint} timed out.`, {
        correlationId,
      });
    }
    // The caller's own abort reason, given back as is.
    return new NetworkError("aborted", "The acquisition was aborted by the caller's AbortSignal.", {
      correlationId,
      cause: reason,
    });
  }
  return new NetworkError(
    "network_error",
    `${endpoint} could not be reached (${describeThrown(error)}). Check the network path and the authority host.`,
    { correlationId, cause: error === undefined ? undefined : sanitizedCause(error) },
  );
}
