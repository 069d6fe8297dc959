/**
 * The HTTP envelope every Entra ID answer shares: the trace id (`x-ms-request-id`), the
 * correlation id taken from the client's `client-request-id`, the security and caching headers of
 * docs/protocol.md §4.2, and the `yyyy-MM-dd HH:mm:ssZ` timestamps of error bodies.
 *
 * @module
 */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `text` is a GUID in its 8-4-4-4-12 form, any case. */
export function isGuid(text: string): boolean {
  return GUID.test(text);
}

/** Per-request values every response of one request carries. */
export interface Envelope {
  /** A fresh GUID per request: `x-ms-request-id` and `trace_id`. */
  readonly traceId: string;
  /** The client's `client-request-id` (query, header or body, first GUID found), else a fresh GUID. */
  readonly correlationId: string;
  /** Emulator clock (ms since the epoch) when the request arrived. */
  readonly now: number;
  /** `https://host[:port]` the request was sent to; `error_uri` is built on it. */
  readonly origin: string;
  /** Headers added to every response of this request (`client-request-id` echo, `x-ms-clitelem`). */
  readonly extraHeaders: Readonly<Record<string, string>>;
}

/**
 * Builds the envelope of a request. `client-request-id` is read from the query, then the
 * header, then the form body; a value that is not a GUID is ignored, as the service ignores it.
 * The correlation id is echoed in a `client-request-id` header when the request asked for it
 * with `return-client-request-id: true` (MSAL.NET does), and `x-ms-clitelem` is added when the
 * client sent `x-client-current-telemetry` (header or body).
 */
export function createEnvelope(
  url: URL,
  headers: Headers,
  form: Readonly<Record<string, string>>,
  now: number,
): Envelope {
  const candidates = [
    url.searchParams.get("client-request-id"),
    headers.get("client-request-id"),
    form["client-request-id"],
  ];
  const sent = candidates
    .find((value): value is string => typeof value === "string" && isGuid(value.trim()))
    ?.trim();
  const correlationId = sent ?? crypto.randomUUID();
  const extraHeaders: Record<string, string> = {};
  if (headers.get("return-client-request-id")?.trim().toLowerCase() === "true") {
    extraHeaders["client-request-id"] = correlationId;
  }
  if (
    headers.has("x-client-current-telemetry") ||
    form["x-client-current-telemetry"] !== undefined
  ) {
    extraHeaders["x-ms-clitelem"] = "1,0,0,,";
  }
  return { traceId: crypto.randomUUID(), correlationId, now, origin: url.origin, extraHeaders };
}

/** `yyyy-MM-dd HH:mm:ssZ` in UTC, the timestamp format of Entra error bodies. */
export function formatEntraTimestamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d{3}Z$/, "Z");
}

/** The headers of an Entra token-endpoint answer (docs/protocol.md §4.2), without `Content-Type`. */
export function tokenEndpointHeaders(envelope: Envelope): Headers {
  const headers = new Headers({
    "Cache-Control": "no-store, no-cache",
    Pragma: "no-cache",
    Expires: "-1",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    P3P: 'CP="DSP CUR OTPi IND OTRi ONL FIN"',
    "x-ms-request-id": envelope.traceId,
    "x-ms-ests-server": "2.1.19000.0 - EmulatorSlice",
  });
  for (const [name, value] of Object.entries(envelope.extraHeaders)) headers.set(name, value);
  return headers;
}

/** The headers of a discovery answer (OpenID configuration, instance discovery, keys): cacheable for a day. */
export function discoveryHeaders(envelope: Envelope): Headers {
  const headers = new Headers({
    "Cache-Control": "max-age=86400, private",
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, OPTIONS",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "x-ms-request-id": envelope.traceId,
    "x-ms-ests-server": "2.1.19000.0 - EmulatorSlice",
  });
  for (const [name, value] of Object.entries(envelope.extraHeaders)) headers.set(name, value);
  return headers;
}

/** The content type of every JSON answer. */
export const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

/** A JSON response with `headers` plus `Content-Type: application/json; charset=utf-8`. */
export function jsonResponse(status: number, body: unknown, headers: Headers): Response {
  headers.set("Content-Type", JSON_CONTENT_TYPE);
  return new Response(JSON.stringify(body), { status, headers });
}
