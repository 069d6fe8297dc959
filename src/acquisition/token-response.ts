/**
 * Reads the token endpoint's answer: a valid token response, or a typed error that keeps every
 * detail the service gave (AADSTS numbers, trace and correlation ids, Retry-After, claims). Never
 * crashes on a body that is not JSON: a plain-text 429 or an HTML 502 is still a `ServiceError`.
 *
 * @module
 */

import * as v from "valibot";
import { ServiceError, ThrottledError } from "../errors";
import { maxResponseBytes, readCappedText } from "../internal/read-body";

/** A validated token response, times in seconds. */
export interface TokenResponse {
  readonly accessToken: string;
  readonly tokenType: string;
  readonly expiresIn: number;
  readonly extExpiresIn: number | undefined;
  readonly refreshIn: number | undefined;
}

/** Longest token lifetime accepted (1 year); anything longer is a broken response, not a token to cache forever. */
const maxLifetimeSeconds = 365 * 24 * 3600;

/** Seconds as a JSON number or a numeric string (old v1-style endpoints send strings). */
const seconds = v.pipe(
  v.union([v.number(), v.pipe(v.string(), v.regex(/^\s*\d+(?:\.\d+)?\s*$/))]),
  v.transform(Number),
  v.number(),
  v.finite(),
  v.minValue(0),
  v.maxValue(maxLifetimeSeconds),
  v.transform(Math.floor),
);

/** No control characters (CR and LF above all): the token goes into an `Authorization` header. */
const headerSafe = /^[^\u0000-\u001f\u007f]+$/;

const tokenResponseSchema = v.object({
  access_token: v.pipe(v.string(), v.regex(headerSafe)),
  token_type: v.pipe(v.string(), v.regex(headerSafe)),
  expires_in: seconds,
  ext_expires_in: v.optional(seconds),
  refresh_in: v.optional(seconds),
});

const errorBodySchema = v.looseObject({
  error: v.optional(v.string()),
  error_description: v.optional(v.string()),
  error_codes: v.optional(v.array(v.number())),
  suberror: v.optional(v.string()),
  timestamp: v.optional(v.string()),
  trace_id: v.optional(v.string()),
  correlation_id: v.optional(v.string()),
  claims: v.optional(v.string()),
});

/** Longest wait honoured from Retry-After: one hour, as every MSAL caps it. */
export const maxRetryAfterMs = 3_600_000;

/** Context for reading one answer. */
export interface ResponseContext {
  readonly correlationId: string;
  /** The token endpoint that answered, for messages. */
  readonly tokenEndpoint: string;
  /** The current time in ms, for HTTP-date Retry-After values. */
  readonly now: number;
  /** Cancels reading the body when it aborts. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Reads a token endpoint answer.
 * @returns the token response when the status is 200 and the body is valid.
 * @throws ThrottledError for 429 (or any answer with Retry-After), ServiceError otherwise.
 */
export async function readTokenResponse(
  response: Response,
  context: ResponseContext,
): Promise<TokenResponse> {
  const body = await readCappedText(response, maxResponseBytes, context.signal);
  if (body.tooLarge) throw oversizedError(response, context);
  const text = body.text;
  const json = parseJson(text);
  if (response.status === 200) {
    const parsed = v.safeParse(tokenResponseSchema, json);
    if (parsed.success) {
      const output = parsed.output;
      // Every request is for a bearer token: another type (pop, mac, N_A) is not to be cached or
      // sent as `Bearer` (MSAL.NET: token_type_mismatch). ADFS writes `bearer`.
      if (output.token_type.toLowerCase() !== "bearer") {
        throw new ServiceError(
          "invalid_token_response",
          `The token endpoint ${context.tokenEndpoint} answered 200 with a token_type other than Bearer, the type requested (token_type_mismatch). Check that the authority points at an OAuth 2.0 token endpoint that issues bearer tokens.`,
          { status: 200, correlationId: context.correlationId, traceId: traceIdOf(response) },
        );
      }
      return {
        accessToken: output.access_token,
        tokenType: output.token_type,
        expiresIn: output.expires_in,
        extExpiresIn: output.ext_expires_in,
        refreshIn: output.refresh_in,
      };
    }
    if (!isErrorBody(json)) {
      // Name the fields that are wrong, never their values: one of them may be the token.
      const fields = [...new Set(parsed.issues.map((issue) => v.getDotPath(issue) ?? "body"))].join(
        ", ",
      );
      throw new ServiceError(
        "invalid_token_response",
        `The token endpoint ${context.tokenEndpoint} answered 200 with an invalid token response (${json === undefined ? "not JSON" : `bad or missing: ${fields}`}). Check that the authority points at an OAuth 2.0 token endpoint.`,
        { status: 200, correlationId: context.correlationId, traceId: traceIdOf(response) },
      );
    }
  }
  throw serviceErrorOf(response, json, text, context);
}

/**
 * The error for a body over the size cap: nothing of it was kept. A 200 is an invalid token
 * response; any other status keeps its status, Retry-After and throttling meaning.
 */
function oversizedError(response: Response, context: ResponseContext): ServiceError {
  const limit = `${maxResponseBytes / 1024 / 1024} MiB`;
  if (response.status === 200) {
    return new ServiceError(
      "invalid_token_response",
      `The token endpoint ${context.tokenEndpoint} answered 200 with a body over ${limit}, far larger than any token response; it was not read. Check that the authority points at an OAuth 2.0 token endpoint.`,
      { status: 200, correlationId: context.correlationId, traceId: traceIdOf(response) },
    );
  }
  return serviceErrorOf(response, undefined, undefined, context);
}

/** `text` is `undefined` when the body was over the size cap and not read. */
function serviceErrorOf(
  response: Response,
  json: unknown,
  text: string | undefined,
  context: ResponseContext,
): ServiceError {
  const body = v.safeParse(errorBodySchema, json);
  const fields = body.success ? body.output : undefined;
  const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), context.now);
  const description =
    fields?.error_description === undefined ? undefined : stripTrailer(fields.error_description);
  const errorCodes = fields?.error_codes ?? codesIn(description);
  const details = {
    status: response.status,
    error: fields?.error ?? (response.status === 429 ? "throttled" : undefined),
    errorDescription: description,
    errorCodes,
    suberror: fields?.suberror,
    traceId: fields?.trace_id ?? traceIdOf(response),
    timestamp: fields?.timestamp,
    retryAfterMs,
    claims: fields?.claims,
    correlationId: fields?.correlation_id ?? context.correlationId,
  };
  const summary =
    description ??
    (fields?.error === undefined
      ? `HTTP ${response.status} ${response.statusText || ""}`.trim() + bodyHint(text, response)
      : fields.error);
  if (response.status === 429 || (retryAfterMs !== undefined && response.status >= 500)) {
    const wait =
      retryAfterMs === undefined ? "" : ` Retry after ${Math.ceil(retryAfterMs / 1000)} s.`;
    return new ThrottledError(
      `The identity provider is throttling requests (HTTP ${response.status}): ${summary}.${wait} Serve cached tokens and slow down; entra-edge will not call ${context.tokenEndpoint} for this request until then.`,
      details,
    );
  }
  return new ServiceError(
    "service_error",
    `${summary}${adviceFor(errorCodes, response.status)}`,
    details,
  );
}

/** Short, secret-free hint about a body that is not an OAuth error. */
function bodyHint(text: string | undefined, response: Response): string {
  if (text === undefined) return ` (a body over ${maxResponseBytes / 1024 / 1024} MiB, not read)`;
  if (text.trim() === "") return " (empty body)";
  const type = response.headers.get("content-type") ?? "unknown type";
  return ` (a ${type.split(";")[0]} body, not an OAuth error)`;
}

/** Extra advice for the failures people meet most, keyed by AADSTS number. */
function adviceFor(codes: readonly number[], status: number): string {
  const code = codes[0];
  switch (code) {
    case 7000215:
      return " Fix: use the client secret's Value, not its Secret ID.";
    case 7000222:
      return " Fix: the client secret has expired; create a new one in the app registration.";
    case 700016:
      return " Fix: check the client id and tenant, and that an administrator consented to the app in that tenant.";
    case 90002:
    case 900023:
      return " Fix: check the tenant id or domain.";
    case 700027:
      return " Fix: upload this certificate to the app registration, or use the certificate registered there.";
    case 700024:
      return " Fix: check the machine's clock.";
    case 1002012:
    case 70011:
      return " Fix: client credentials need a scope of the form {resource}/.default.";
    default:
      return status >= 500 ? " The identity provider failed; try again shortly." : "";
  }
}

/** IMF-fixdate, RFC 850 and asctime dates. */
const httpDatePattern =
  /^(?:[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT|[A-Za-z]{6,9}, \d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT|[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4})$/;

/**
 * Parses `Retry-After` as delta-seconds or an HTTP date, capped at one hour.
 * @returns milliseconds to wait, or `undefined` when absent or unreadable.
 */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const trimmed = header.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) {
    ms = Number(trimmed) * 1000;
  } else {
    // Only the three HTTP-date forms (RFC 9110 §5.6.7): Date.parse alone takes almost anything.
    if (!httpDatePattern.test(trimmed)) return undefined;
    const date = Date.parse(trimmed);
    if (Number.isNaN(date)) return undefined;
    ms = date - now;
  }
  return Math.min(Math.max(ms, 0), maxRetryAfterMs);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isErrorBody(json: unknown): boolean {
  return (
    typeof json === "object" && json !== null && ("error" in json || "error_description" in json)
  );
}

/** Drops Entra's `\r\nTrace ID: ...\r\nCorrelation ID: ...\r\nTimestamp: ...` trailer; the fields carry those. */
function stripTrailer(description: string): string {
  const cut = description.search(/\r?\nTrace ID:/);
  return (cut === -1 ? description : description.slice(0, cut)).trim();
}

function codesIn(description: string | undefined): number[] {
  const match = description === undefined ? null : /^AADSTS(\d+)/.exec(description);
  return match?.[1] === undefined ? [] : [Number(match[1])];
}

function traceIdOf(response: Response): string | undefined {
  return response.headers.get("x-ms-request-id") ?? undefined;
}
