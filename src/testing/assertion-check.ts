/**
 * Client assertion checks as Entra ID makes them (docs/protocol.md §3): the header's `x5t#S256` or
 * `x5t` picks a registered certificate, the RS256/PS256 signature is verified with it, then
 * `aud`, `iss`, `sub`, `exp`/`nbf` (numbers, floats or numeric strings; `nbf` and `iat`
 * optional) and `jti` reuse are checked.
 *
 * Order and answers, first failure wins:
 * 1. not three base64url JSON parts, or `x5c` neither a string nor an array of strings: 50027;
 * 2. no `x5t#S256`/`x5t`, or no registered certificate with that thumbprint: 700027 "The key was not found.";
 * 3. `alg` other than RS256/PS256 (Entra keys are RSA), or PS256 named by a SHA-1 `x5t`: 700027;
 * 4. the certificate is outside its `notBefore`..`notAfter`: 700027 "The key used is expired." / "... not yet valid.";
 * 5. bad signature: 700027;
 * 6. `aud` an array or not a string: 50027; `aud`, `iss`, `sub` or `exp` missing: 90014;
 * 7. `iss` ≠ `client_id` (GUIDs, case-insensitive): 700021; `sub` ≠ `iss`: 50048;
 * 8. `aud` ≠ the token endpoint URL the request was sent to (scheme, host, path; exact): 700023;
 * 9. `exp` + skew in the past, or `nbf` − skew in the future: 700024; non-numeric times: 50027;
 * 10. `jti` already accepted for this client within its lifetime, when replays are rejected: 50013.
 *
 * @module
 */

import { compactVerify } from "jose";
import { decodeBase64 } from "../internal/base64";
import type { RegisteredCertificate } from "./certificate";
import type { DirectoryApp } from "./directory";
import { type EntraErrorSpec, entraErrors } from "./errors";

/** What an assertion is checked against. */
export interface AssertionCheckContext {
  readonly app: DirectoryApp;
  /** The `client_id` of the request. */
  readonly clientId: string;
  /** The token endpoint URL the request was sent to (origin + path, no query). */
  readonly tokenEndpoint: string;
  /** Emulator clock, ms. */
  readonly now: number;
  readonly clockSkewSeconds: number;
  /** `undefined` when replays are allowed. */
  readonly replayCache: JtiReplayCache | undefined;
}

/** The outcome of {@link checkClientAssertion}. */
export type AssertionCheckResult =
  { readonly ok: true } | { readonly ok: false; readonly error: EntraErrorSpec };

/** Remembers accepted `jti` values per client until the assertion that carried them expires. */
export class JtiReplayCache {
  readonly #seen = new Map<string, number>();

  /** Records `jti`; returns `false` when it is already recorded and not yet expired at `now`. */
  accept(clientId: string, jti: string, expiresAt: number, now: number): boolean {
    const key = `${clientId}\u0000${jti}`;
    const until = this.#seen.get(key);
    if (until !== undefined && until > now) return false;
    if (this.#seen.size >= 10_000) {
      for (const [seenKey, seenUntil] of this.#seen)
        if (seenUntil <= now) this.#seen.delete(seenKey);
    }
    this.#seen.set(key, expiresAt);
    return true;
  }

  /** Forgets every recorded `jti`. */
  clear(): void {
    this.#seen.clear();
  }
}

type JsonObject = Record<string, unknown>;

/** The JSON object of a base64url JWT part, or `undefined` when it is not one. */
export function decodeJsonPart(part: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(decodeBase64(part)),
    );
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as JsonObject)
      : undefined;
  } catch {
    return undefined;
  }
}

function isBase64Text(value: unknown): boolean {
  if (typeof value !== "string" || value === "") return false;
  try {
    decodeBase64(value);
    return true;
  } catch {
    return false;
  }
}

/** A JWT NumericDate given as a number or a numeric string (MSAL.NET sends strings, MSAL Python floats). */
function numericDate(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0"))
    .join("")
    .toUpperCase();
}

/** `2021-05-20T18:52:01.5440000Z`, the .NET round-trip format of AADSTS700024 texts. */
function dotNetTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, "0000Z");
}

function fail(error: EntraErrorSpec): AssertionCheckResult {
  return { ok: false, error };
}

/** The registered certificate of `app` with this SHA-256 (or SHA-1) thumbprint, if any. */
export function findCertificate(
  app: DirectoryApp,
  thumbprint: Uint8Array,
  sha256: boolean,
): RegisteredCertificate | undefined {
  return app.certificates.find((certificate) => {
    const registered = sha256 ? certificate.sha256 : certificate.sha1;
    return (
      registered.length === thumbprint.length &&
      registered.every((byte, i) => byte === thumbprint[i])
    );
  });
}

/** 90014 for the first of `aud`, `iss`, `sub`, `exp` that is absent or null, in that order. */
export function checkRequiredClaims(claims: JsonObject): AssertionCheckResult {
  for (const name of ["aud", "iss", "sub", "exp"] as const) {
    if (claims[name] === undefined || claims[name] === null)
      return fail(entraErrors.missingAssertionClaim(name));
  }
  return { ok: true };
}

/** The outcome of {@link checkValidityWindow}. */
export type ValidityWindowResult =
  | {
      readonly ok: true;
      /** When the assertion stops being accepted: `exp` plus the clock skew, ms. */
      readonly acceptedUntil: number;
    }
  | { readonly ok: false; readonly error: EntraErrorSpec };

/**
 * Checks `exp` and `nbf` against `now` (ms) with the clock skew: 50027 when one is not a numeric
 * date, 700024 when `exp` + skew is past or `nbf` − skew is ahead.
 */
export function checkValidityWindow(
  claims: JsonObject,
  now: number,
  clockSkewSeconds: number,
): ValidityWindowResult {
  const exp = numericDate(claims["exp"]);
  const nbf = claims["nbf"] === undefined ? undefined : numericDate(claims["nbf"]);
  const iat = numericDate(claims["iat"]);
  if (exp === undefined || (claims["nbf"] !== undefined && nbf === undefined))
    return { ok: false, error: entraErrors.malformedAssertion() };
  const skewMs = clockSkewSeconds * 1000;
  if (exp * 1000 + skewMs < now || (nbf !== undefined && nbf * 1000 - skewMs > now)) {
    const validFrom = nbf ?? iat;
    const error = entraErrors.assertionTimeRange(
      dotNetTime(now),
      validFrom === undefined ? "0001-01-01T00:00:00.0000000Z" : dotNetTime(validFrom * 1000),
      dotNetTime(exp * 1000),
    );
    return { ok: false, error };
  }
  return { ok: true, acceptedUntil: exp * 1000 + skewMs };
}

/** Checks a `client_assertion` (see the module documentation for the order of checks and codes). */
export async function checkClientAssertion(
  assertion: string,
  context: AssertionCheckContext,
): Promise<AssertionCheckResult> {
  const parts = assertion.split(".");
  const header = parts.length === 3 ? decodeJsonPart(parts[0] ?? "") : undefined;
  const claims = parts.length === 3 ? decodeJsonPart(parts[1] ?? "") : undefined;
  if (!header || !claims) return fail(entraErrors.malformedAssertion());
  const x5c = header["x5c"];
  if (
    x5c !== undefined &&
    !(Array.isArray(x5c) ? x5c.length > 0 && x5c.every(isBase64Text) : isBase64Text(x5c))
  ) {
    return fail(entraErrors.malformedAssertion());
  }

  const sha256Header = header["x5t#S256"];
  const bySha256 = typeof sha256Header === "string";
  const thumbprintText = bySha256 ? sha256Header : header["x5t"];
  let thumbprint = new Uint8Array(0);
  try {
    if (typeof thumbprintText === "string") thumbprint = decodeBase64(thumbprintText);
  } catch {
    // An undecodable thumbprint names no key.
  }
  const certificate =
    thumbprint.length > 0 ? findCertificate(context.app, thumbprint, bySha256) : undefined;
  if (!certificate) return fail(entraErrors.keyNotFound(hex(thumbprint), context.app.clientId));

  const alg = header["alg"];
  if (alg !== "RS256" && alg !== "PS256") {
    return fail(
      entraErrors.invalidSignature(
        `The algorithm '${String(alg)}' is not supported; sign the assertion with RS256 or PS256 and the certificate's RSA key.`,
        hex(thumbprint),
      ),
    );
  }
  if (alg === "PS256" && !bySha256) {
    return fail(
      entraErrors.invalidSignature(
        "PS256 assertions must name their key with the 'x5t#S256' header.",
        hex(thumbprint),
      ),
    );
  }
  if (context.now < certificate.notBefore || context.now > certificate.notAfter) {
    const reason =
      context.now > certificate.notAfter
        ? "The key used is expired."
        : "The key used is not yet valid.";
    return fail(entraErrors.invalidSignature(reason, hex(thumbprint)));
  }
  try {
    await compactVerify(assertion, alg === "RS256" ? certificate.rs256 : certificate.ps256, {
      algorithms: [alg],
    });
  } catch {
    return fail(
      entraErrors.invalidSignature(
        "The provided signature value did not match the expected signature value.",
        hex(thumbprint),
      ),
    );
  }

  const { aud, iss, sub } = claims;
  if (aud !== undefined && typeof aud !== "string") return fail(entraErrors.malformedAssertion());
  const missing = checkRequiredClaims(claims);
  if (!missing.ok) return missing;
  if (typeof iss !== "string" || typeof sub !== "string")
    return fail(entraErrors.malformedAssertion());
  if (iss.toLowerCase() !== context.clientId.toLowerCase())
    return fail(entraErrors.issuerMismatch());
  if (sub.toLowerCase() !== iss.toLowerCase()) return fail(entraErrors.subjectMismatch());
  if (aud !== context.tokenEndpoint) return fail(entraErrors.audienceMismatch());

  const window = checkValidityWindow(claims, context.now, context.clockSkewSeconds);
  if (!window.ok) return window;

  const jti = claims["jti"];
  if (context.replayCache && (typeof jti === "string" || typeof jti === "number")) {
    if (
      !context.replayCache.accept(
        context.app.clientId,
        String(jti),
        window.acceptedUntil,
        context.now,
      )
    ) {
      return fail(entraErrors.assertionReplayed(String(jti)));
    }
  }
  return { ok: true };
}
