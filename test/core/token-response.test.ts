import { describe, expect, it } from "vitest";
import { ServiceError, ThrottledError } from "../../src/errors";
import { parseRetryAfter, readTokenResponse } from "../../src/acquisition/token-response";

const context = {
  correlationId: "c0ffee00-0000-4000-8000-000000000000",
  tokenEndpoint: "https://login.microsoftonline.com/t/oauth2/v2.0/token",
  now: Date.parse("2026-11-22T00:00:00Z"),
};
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });

describe("token response", () => {
  it("reads a token response with numbers or numeric strings", async () => {
    await expect(
      readTokenResponse(
        json(200, {
          token_type: "Bearer",
          expires_in: 3599,
          ext_expires_in: 3599,
          access_token: "at",
        }),
        context,
      ),
    ).resolves.toEqual({
      accessToken: "at",
      tokenType: "Bearer",
      expiresIn: 3599,
      extExpiresIn: 3599,
      refreshIn: undefined,
    });
    const fromStrings = await readTokenResponse(
      json(200, {
        token_type: "Bearer",
        expires_in: "3600",
        refresh_in: "1800",
        access_token: "at",
      }),
      context,
    );
    expect(fromStrings.expiresIn).toBe(3600);
    expect(fromStrings.refreshIn).toBe(1800);
  });

  it.each([
    ["missing expires_in", { token_type: "Bearer", access_token: "secret-token-value" }],
    [
      "negative expires_in",
      { token_type: "Bearer", expires_in: -5, access_token: "secret-token-value" },
    ],
    [
      "huge expires_in",
      { token_type: "Bearer", expires_in: 1e12, access_token: "secret-token-value" },
    ],
    [
      "text expires_in",
      { token_type: "Bearer", expires_in: "soon", access_token: "secret-token-value" },
    ],
    ["no access_token", { token_type: "Bearer", expires_in: 3600 }],
  ])(
    "turns a 200 with %s into invalid_token_response without echoing the token",
    async (_name, body) => {
      const error = await readTokenResponse(json(200, body), context).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceError);
      expect((error as ServiceError).code).toBe("invalid_token_response");
      expect(JSON.stringify(error) + String(error)).not.toContain("secret-token-value");
    },
  );

  it("maps an Entra error body", async () => {
    const body = {
      error: "invalid_client",
      error_description:
        "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 6f6c\r\nCorrelation ID: 5fc8\r\nTimestamp: 2023-05-06 06:03:00Z",
      error_codes: [7000215],
      timestamp: "2023-05-06 06:03:00Z",
      trace_id: "6f6c",
      correlation_id: "5fc8",
    };
    const error = (await readTokenResponse(json(401, body), context).catch(
      (e: unknown) => e,
    )) as ServiceError;
    expect(error).toBeInstanceOf(ServiceError);
    expect(error).toMatchObject({
      code: "service_error",
      status: 401,
      error: "invalid_client",
      errorCodes: [7000215],
      traceId: "6f6c",
      correlationId: "5fc8",
      timestamp: "2023-05-06 06:03:00Z",
    });
    expect(error.errorDescription).toBe("AADSTS7000215: Invalid client secret provided.");
    expect(error.message).toContain("Secret ID");
  });

  it("turns a plain-text 429 into a ThrottledError with retryAfterMs", async () => {
    const response = new Response("Too Many Requests", {
      status: 429,
      headers: { "Retry-After": "60", "content-type": "text/plain" },
    });
    const error = (await readTokenResponse(response, context).catch(
      (e: unknown) => e,
    )) as ThrottledError;
    expect(error).toBeInstanceOf(ThrottledError);
    expect(error).toBeInstanceOf(ServiceError);
    expect(error.retryAfterMs).toBe(60_000);
    expect(error.status).toBe(429);
  });

  it("turns an HTML 502 or an empty 500 into a ServiceError", async () => {
    for (const response of [
      new Response("<html><body>Bad gateway</body></html>", {
        status: 502,
        headers: { "content-type": "text/html" },
      }),
      new Response("", { status: 500 }),
    ]) {
      const error = (await readTokenResponse(response, context).catch(
        (e: unknown) => e,
      )) as ServiceError;
      expect(error).toBeInstanceOf(ServiceError);
      expect(error.code).toBe("service_error");
      expect(error.retryAfterMs).toBeUndefined();
    }
  });

  it("reads Retry-After as seconds or an HTTP date, capped at one hour", () => {
    expect(parseRetryAfter("3", context.now)).toBe(3000);
    expect(parseRetryAfter(new Date(context.now + 10_000).toUTCString(), context.now)).toBe(10_000);
    expect(parseRetryAfter("999999", context.now)).toBe(3_600_000);
    expect(parseRetryAfter("soon", context.now)).toBeUndefined();
    expect(parseRetryAfter(null, context.now)).toBeUndefined();
  });
});
