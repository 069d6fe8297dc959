/**
 * Decoding (never verifying) a compact JWS: header and payload as JSON, the time claims as ISO
 * dates. The signature is not shown or checked.
 *
 * @module
 */

import { inputError } from "./errors";

/** A decoded JWT. */
export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** `iat`, `nbf` and `exp` as ISO 8601 dates, for those present and numeric. */
  times: { iat?: string; nbf?: string; exp?: string };
  /** Whether `exp` has passed, when there is an `exp`. */
  expired?: boolean;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function decodeSegment(segment: string, name: string): Record<string, unknown> {
  if (segment === "" || !BASE64URL.test(segment) || segment.length % 4 === 1) {
    throw inputError("invalid_jwt", `The JWT's ${name} is not base64url.`);
  }
  const text = Buffer.from(segment, "base64url").toString("utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw inputError("invalid_jwt", `The JWT's ${name} is not JSON.`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw inputError("invalid_jwt", `The JWT's ${name} is not a JSON object.`);
  }
  return value as Record<string, unknown>;
}

/**
 * Decodes a compact JWT (`header.payload.signature`); surrounding whitespace and a `Bearer `
 * prefix are ignored.
 *
 * @throws CliError `invalid_jwt` (exit 3) for anything else, including an encrypted (5-part) JWT.
 */
export function decodeJwt(input: string, now: number): DecodedJwt {
  const token = input.trim().replace(/^bearer\s+/i, "");
  if (token === "") throw inputError("invalid_jwt", "No JWT given: the input is empty.");
  const parts = token.split(".");
  if (parts.length === 5)
    throw inputError(
      "invalid_jwt",
      "This is an encrypted JWT (JWE, 5 parts): only its recipient can read it.",
    );
  if (parts.length !== 3) {
    throw inputError(
      "invalid_jwt",
      `A JWT has 3 parts separated by dots (header.payload.signature); this has ${parts.length}. Opaque tokens cannot be decoded.`,
    );
  }
  const [header, payload, signature] = parts as [string, string, string];
  if (!BASE64URL.test(signature))
    throw inputError("invalid_jwt", "The JWT's signature is not base64url.");
  const decoded: DecodedJwt = {
    header: decodeSegment(header, "header"),
    payload: decodeSegment(payload, "payload"),
    times: {},
  };
  for (const claim of ["iat", "nbf", "exp"] as const) {
    const value = decoded.payload[claim];
    if (typeof value === "number" && Number.isFinite(value)) {
      const date = new Date(value * 1000);
      if (!Number.isNaN(date.getTime())) decoded.times[claim] = date.toISOString();
    }
  }
  const exp = decoded.payload["exp"];
  if (typeof exp === "number" && Number.isFinite(exp)) decoded.expired = exp * 1000 <= now;
  return decoded;
}
