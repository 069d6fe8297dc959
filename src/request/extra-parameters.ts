/**
 * The checks of a request's extra form fields, extra headers and rejected-token hash, and the
 * cache key part of the form fields. Names the library sends itself are refused: an extra can
 * add to a token request, never replace what the library owns.
 *
 * @module
 */

import { ClientError } from "../errors";

/** Form fields the library sets (`client_assertion*` is checked as a prefix). */
const ownedBodyParameters = new Set([
  "client_id",
  "grant_type",
  "scope",
  "client_secret",
  "claims",
]);

/**
 * Headers the library sets on a token request (`x-client-*` is checked as a prefix), and those
 * that would change who is authenticated, where the request goes or how it is framed.
 */
const refusedHeaders = new Set([
  "content-type",
  "accept",
  "client-request-id",
  "return-client-request-id",
  "x-ms-lib-capability",
  "authorization",
  "proxy-authorization",
  "host",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "te",
  "trailer",
  "expect",
  "cookie",
]);

/** An HTTP header name (RFC 9110 token). */
const headerName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A header value the Fetch standard accepts: no CR, LF or NUL. */
const headerValue = /^[^\r\n\0]*$/;
const sha256Hex = /^[0-9a-fA-F]{64}$/;

/**
 * Checks extra form fields: a record of strings whose names the library does not own.
 * @returns a frozen copy, or `undefined` for an empty record.
 * @throws ClientError `invalid_body_parameters`
 */
export function checkedBodyParameters(
  parameters: unknown,
): Readonly<Record<string, string>> | undefined {
  const entries = recordEntries(parameters, "invalid_body_parameters", "withExtraBodyParameters");
  for (const [name, value] of entries) {
    const lower = name.toLowerCase();
    if (name === "" || ownedBodyParameters.has(lower) || lower.startsWith("client_assertion")) {
      throw new ClientError(
        "invalid_body_parameters",
        `The extra body parameter ${JSON.stringify(name.slice(0, 60))} is one the library sends itself (client_id, grant_type, scope, client_secret, client_assertion*, claims) or empty: use withClaims for claims and the application builder for the credential.`,
      );
    }
    if (typeof value !== "string") {
      throw new ClientError(
        "invalid_body_parameters",
        `The extra body parameter ${JSON.stringify(name.slice(0, 60))} is a ${typeof value}: values must be strings.`,
      );
    }
  }
  return entries.length === 0
    ? undefined
    : Object.freeze(Object.fromEntries(entries) as Record<string, string>);
}

/**
 * The cache key part of extra form fields: names sorted, names and values percent-encoded, so
 * that equal sets give one key and different sets never meet. Empty without fields.
 */
export function bodyParametersKey(
  parameters: Readonly<Record<string, string>> | undefined,
): string {
  if (parameters === undefined) return "";
  const names = Object.keys(parameters).sort();
  if (names.length === 0) return "";
  return names
    .map((name) => `${encodeURIComponent(name)}=${encodeURIComponent(parameters[name] as string)}`)
    .join("&");
}

/**
 * Checks extra headers: valid names and values, none the library sets (`content-type`,
 * `client-request-id`, `x-client-*`, `x-ms-lib-capability`, ...) or that would change the
 * credential or the framing (`authorization`, `host`, `content-length`, ...).
 * @returns a frozen copy, or `undefined` for an empty record.
 * @throws ClientError `invalid_http_headers`
 */
export function checkedHttpHeaders(headers: unknown): Readonly<Record<string, string>> | undefined {
  const entries = recordEntries(headers, "invalid_http_headers", "withExtraHttpHeaders");
  for (const [name, value] of entries) {
    const shown = JSON.stringify(name.slice(0, 60));
    if (!headerName.test(name))
      throw new ClientError("invalid_http_headers", `${shown} is not an HTTP header name.`);
    const lower = name.toLowerCase();
    if (refusedHeaders.has(lower) || lower.startsWith("x-client-")) {
      throw new ClientError(
        "invalid_http_headers",
        `The header ${shown} cannot be set as an extra header: the library sets it itself (content-type, accept, client-request-id, x-client-*, x-ms-lib-capability) or it would change the credential or the request's framing (authorization, host, content-length, ...). Use withCorrelationId for client-request-id.`,
      );
    }
    if (typeof value !== "string" || !headerValue.test(value)) {
      throw new ClientError(
        "invalid_http_headers",
        `The value of the header ${shown} must be a string without CR, LF or NUL.`,
      );
    }
  }
  return entries.length === 0
    ? undefined
    : Object.freeze(Object.fromEntries(entries) as Record<string, string>);
}

/**
 * Checks the SHA-256 of a rejected access token: 64 hex digits (the lowercase hex of the hash of
 * the token's UTF-8 bytes; upper case is accepted).
 * @returns the hash in lower case.
 * @throws ClientError `invalid_token_hash`
 */
export function checkedTokenHash(hash: unknown): string {
  if (typeof hash !== "string" || !sha256Hex.test(hash)) {
    throw new ClientError(
      "invalid_token_hash",
      "accessTokenSha256ToRefresh must be the SHA-256 of the access token as 64 hex digits: the lowercase hex of SHA-256 over the token's UTF-8 bytes.",
    );
  }
  return hash.toLowerCase();
}

function recordEntries(
  record: unknown,
  code: "invalid_body_parameters" | "invalid_http_headers",
  method: string,
): [string, unknown][] {
  if (typeof record !== "object" || record === null || Array.isArray(record)) {
    throw new ClientError(code, `${method} needs a record of names to string values.`);
  }
  return Object.entries(record);
}
