// Fuzzing readTokenResponse: random bodies (text, JSON, near-token JSON), statuses and headers give
// a valid TokenResponse or a ServiceError (ThrottledError exactly when it should), never a crash,
// never an access token in the message, and retryAfterMs always within [0, 1 h].
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ServiceError, ThrottledError } from "../../src/errors";
import {
  maxRetryAfterMs,
  parseRetryAfter,
  readTokenResponse,
} from "../../src/acquisition/token-response";
import { anyCodeUnits, runs } from "./support";

const now = Date.parse("2026-11-22T10:00:00Z");
const context = {
  correlationId: "0f0f0f0f-0000-4000-8000-000000000001",
  tokenEndpoint: "https://login.microsoftonline.com/t/oauth2/v2.0/token",
  now,
};
const longToken =
  "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmdXp6In0.c2lnbmF0dXJlLWZ1enotdG9rZW4tdmFsdWUtMTIzNDU2";

const weirdNumbers = fc.constantFrom(
  "1e309",
  "-1e309",
  "-0",
  "0",
  "0.5",
  "3599.999",
  "31536000",
  "31536001",
  "1e21",
  "9007199254740993",
  "-1",
  "NaN",
  '"3599"',
  '" 3599 "',
  '"3599s"',
  '"0x10"',
  '"1e3"',
  '""',
  "null",
  "true",
  "[]",
  "{}",
);
const fieldValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
  weirdNumbers,
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
);
const tokenFields = [
  "access_token",
  "token_type",
  "expires_in",
  "ext_expires_in",
  "refresh_in",
  "error",
  "error_description",
  "error_codes",
  "trace_id",
  "correlation_id",
  "claims",
  "timestamp",
  "suberror",
  "__proto__",
  "constructor",
] as const;

/** A JSON object text built field by field, so that values like 1e309 survive as written. */
const nearTokenBody = fc
  .record({
    base: fc.constantFrom("valid", "empty"),
    overrides: fc.array(fc.tuple(fc.constantFrom(...tokenFields), fieldValue), { maxLength: 4 }),
    drop: fc.array(fc.constantFrom(...tokenFields), { maxLength: 2 }),
  })
  .map(({ base, overrides, drop }) => {
    const fields = new Map<string, string>(
      base === "valid"
        ? [
            ["access_token", JSON.stringify(longToken)],
            ["token_type", '"Bearer"'],
            ["expires_in", "3599"],
            ["ext_expires_in", "3599"],
          ]
        : [],
    );
    for (const [name, value] of overrides) fields.set(name, value);
    for (const name of drop) fields.delete(name);
    return `{${[...fields].map(([name, value]) => `${JSON.stringify(name)}:${value}`).join(",")}}`;
  });

const bodies = fc.oneof(
  { weight: 4, arbitrary: nearTokenBody },
  { weight: 1, arbitrary: fc.json() },
  { weight: 1, arbitrary: anyCodeUnits(60) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "",
      " ",
      "<html><body>502 Bad Gateway</body></html>",
      "Too Many Requests",
      "{",
      "[",
      "null",
      "0",
      '"x"',
      "\uFEFF{}",
    ),
  },
  { weight: 1, arbitrary: nearTokenBody.map((body) => body.slice(0, Math.floor(body.length / 2))) },
);
const statuses = fc.oneof(
  fc.constantFrom(200, 200, 200, 201, 202, 400, 401, 403, 404, 409, 429, 500, 502, 503, 504, 599),
  fc.integer({ min: 200, max: 599 }).filter((s) => ![204, 205, 304].includes(s)),
);
const retryAfter = fc.oneof(
  fc.nat({ max: 10_000 }).map(String),
  fc.constantFrom(
    "0",
    "3",
    " 3 ",
    "99999999999999999999",
    "-1",
    "1.5",
    "soon",
    "",
    "Fri, 31 Dec 1999 23:59:59 GMT",
    "Sun, 22 Nov 2026 10:00:30 GMT",
    "Wed, 21 Oct 2099 07:28:00 GMT",
  ),
  fc
    .date({ min: new Date(now - 86_400_000), max: new Date(now + 86_400_000), noInvalidDate: true })
    .map((d) => d.toUTCString()),
  fc.string({ maxLength: 20 }).filter((s) => !/[\r\n\0]/.test(s) && s === s.trim()),
);
const headers = fc.record(
  {
    "Retry-After": retryAfter,
    "content-type": fc.constantFrom(
      "application/json; charset=utf-8",
      "text/plain",
      "text/html; charset=utf-8",
      "application/problem+json",
      "",
    ),
    "x-ms-request-id": fc.uuid(),
  },
  { requiredKeys: [] },
);

async function read(status: number, body: string, headerValues: Record<string, string>) {
  let response: Response;
  try {
    response = new Response(body, { status, headers: headerValues });
  } catch {
    return { skipped: true as const };
  }
  try {
    return { token: await readTokenResponse(response, context) };
  } catch (error) {
    return { error };
  }
}

describe("readTokenResponse", () => {
  it("random bodies, statuses and headers: a valid TokenResponse or the right ServiceError", async () => {
    await fc.assert(
      fc.asyncProperty(statuses, bodies, headers, async (status, body, headerValues) => {
        const outcome = await read(status, body, headerValues);
        if ("skipped" in outcome) return;
        if ("token" in outcome) {
          const token = outcome.token;
          expect(status).toBe(200);
          expect(typeof token.accessToken).toBe("string");
          expect(token.accessToken).not.toBe("");
          expect(token.tokenType).not.toBe("");
          for (const value of [token.expiresIn, token.extExpiresIn ?? 0, token.refreshIn ?? 0]) {
            expect(Number.isInteger(value)).toBe(true);
            expect(value).toBeGreaterThanOrEqual(0);
            expect(value).toBeLessThanOrEqual(365 * 24 * 3600);
          }
          return;
        }
        const error = outcome.error;
        if (!(error instanceof ServiceError))
          throw new Error(`threw ${String(error)} instead of a ServiceError`, { cause: error });
        expect(error.status).toBe(status);
        expect(Array.isArray(error.errorCodes)).toBe(true);
        const wait = error.retryAfterMs;
        if (wait !== undefined) {
          expect(Number.isFinite(wait)).toBe(true);
          expect(wait).toBeGreaterThanOrEqual(0);
          expect(wait).toBeLessThanOrEqual(maxRetryAfterMs);
        }
        const throttled = status === 429 || (status >= 500 && wait !== undefined);
        expect(error instanceof ThrottledError, `status ${status}, retryAfterMs ${wait}`).toBe(
          throttled,
        );
        if (throttled) expect(error.code).toBe("throttled");
        else
          expect(error.code).toBe(
            status === 200 && error.code === "invalid_token_response"
              ? "invalid_token_response"
              : "service_error",
          );
        // Never the token itself, from any field of the body.
        expect(error.message).not.toContain(longToken.slice(0, 24));
        expect(JSON.stringify(error)).not.toContain(longToken.slice(0, 24));
      }),
      { numRuns: runs.cheap },
    );
  });

  it("a valid token response is always accepted, whatever the extra fields and header values", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: 365 * 24 * 3600 }),
        fc.dictionary(
          fc.string({ maxLength: 10 }).filter((k) => !tokenFields.includes(k as never)),
          fc.jsonValue({ maxDepth: 1 }),
          { maxKeys: 4 },
        ),
        headers,
        async (expiresIn, extra, headerValues) => {
          const body = JSON.stringify({
            ...extra,
            access_token: longToken,
            token_type: "Bearer",
            expires_in: expiresIn,
          });
          const outcome = await read(200, body, headerValues);
          expect(outcome).toMatchObject({ token: { accessToken: longToken, expiresIn } });
        },
      ),
      { numRuns: runs.cheap },
    );
  });
});

describe("parseRetryAfter", () => {
  it("delta-seconds and HTTP dates give milliseconds in [0, 1 h]; everything else gives undefined or a value in range", () => {
    fc.assert(
      fc.property(retryAfter, (header) => {
        const ms = parseRetryAfter(header, now);
        if (/^\s*\d+\s*$/.test(header))
          expect(ms).toBe(Math.min(Number(header.trim()) * 1000, maxRetryAfterMs));
        if (ms !== undefined) {
          expect(Number.isFinite(ms)).toBe(true);
          expect(ms).toBeGreaterThanOrEqual(0);
          expect(ms).toBeLessThanOrEqual(maxRetryAfterMs);
        }
      }),
      { numRuns: runs.cheap },
    );
  });

  it.each(["1.5", "-5", "abc 2030", "12/31", "soon", "5 minutes"].map((value) => [value]))(
    "a value that is neither delta-seconds nor an HTTP date (%j) is unreadable (undefined), not a wait",
    (value) => {
      // V8's Date.parse guesses at such strings: "1.5" and "-5" become dates in 2001 (a wait of 0),
      // "abc 2030" a date in 2030 (a one-hour block).
      expect(parseRetryAfter(value, now), `Retry-After: ${value}`).toBeUndefined();
    },
  );
});
