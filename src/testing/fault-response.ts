/**
 * The answers of the faults that answer instead of the emulator: canned responses, malformed
 * bodies and Entra-shaped error bodies.
 *
 * @module
 */

import { type Envelope, JSON_CONTENT_TYPE, tokenEndpointHeaders } from "./envelope";
import { entraErrorResponse } from "./errors";
import type { BodyFault, EntraErrorFault, ResponseFault } from "./fault-types";

/** The answer of a response, body or error fault. */
export function faultResponse(
  fault: ResponseFault | BodyFault | EntraErrorFault,
  envelope: Envelope,
): Response {
  if (fault.type === "error") {
    const headers = tokenEndpointHeaders(envelope);
    return entraErrorResponse({ ...fault, headers: fault.headers ?? {} }, envelope, headers);
  }
  const headers = new Headers({ "x-ms-request-id": envelope.traceId });
  const body = fault.body ?? "";
  const sniffed = /^\s*[[{]/.test(body)
    ? JSON_CONTENT_TYPE
    : body === ""
      ? undefined
      : "text/plain; charset=utf-8";
  const contentType = fault.contentType ?? (fault.type === "body" ? JSON_CONTENT_TYPE : sniffed);
  if (contentType !== undefined) headers.set("Content-Type", contentType);
  for (const [name, value] of Object.entries(fault.headers ?? {})) headers.set(name, value);
  return new Response(body === "" ? null : body, { status: fault.status ?? 200, headers });
}
