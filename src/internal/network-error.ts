/**
 * The `NetworkError` for a `fetch` that failed or was aborted: shared by every request the
 * library sends (token requests and discovery).
 *
 * @module
 */

import { NetworkError } from "../errors";

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
      return new NetworkError("request_timeout", `The token request to ${endpoint} timed out.`, {
        correlationId,
      });
    }
    return new NetworkError("aborted", "The acquisition was aborted by the caller's AbortSignal.", {
      correlationId,
      cause: reason,
    });
  }
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new NetworkError(
    "network_error",
    `The token endpoint ${endpoint} could not be reached (${detail.slice(0, 200)}). Check the network path and the authority host.`,
    { correlationId },
  );
}
