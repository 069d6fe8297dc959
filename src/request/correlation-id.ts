/**
 * The correlation id of an acquisition: sent as the `client-request-id` header and returned in
 * every result and error, so it must be something a header can carry.
 *
 * @module
 */

import { ClientError } from "../errors";

/** Printable ASCII, 1 to 256 characters: a GUID fits, and so does any request id of a gateway. */
const correlationIdPattern = /^[\x20-\x7e]{1,256}$/;

/**
 * Checks a caller's correlation id before any I/O.
 * @throws ClientError `invalid_configuration` for a non-string, an empty or over-long id, or one
 *   with control or non-ASCII characters (a header cannot carry them).
 */
export function assertCorrelationId(correlationId: unknown): asserts correlationId is string {
  if (typeof correlationId !== "string" || !correlationIdPattern.test(correlationId)) {
    throw new ClientError(
      "invalid_configuration",
      "The correlation id must be 1 to 256 printable ASCII characters (a GUID is usual): it is sent as the client-request-id header.",
    );
  }
}
