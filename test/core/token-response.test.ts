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

const failureOf = (response: Response) =>
  readTokenResponse(response, context).then(
    () => {
      throw new Error("expected the answer to be refused");
    },
    (e: unknown) => e as ServiceError,
  );

describe("token response: token_type and header safety", () => {
  it.each(["Bearer", "bearer", "BEARER", "bEaReR"])("accepts token_type %s", async (type) => {
    await expect(
      readTokenResponse(
        json(200, { token_type: type, expires_in: 3599, access_token: "at" }),
        context,
      ),
    ).resolves.toMatchObject({ accessToken: "at", tokenType: type });
  });

  it.each(["pop", "PoP", "mac", "N_A", "ssh-cert", "Bearer ", " Bearer", "Bearerx", "Basic"])(
    "refuses token_type %j for a bearer request as invalid_token_response (token_type_mismatch), without echoing it",
    async (type) => {
      const error = await failureOf(
        json(200, { token_type: type, expires_in: 3599, access_token: "secret-token-value" }),
      );
      expect(error).toBeInstanceOf(ServiceError);
      expect(error).toMatchObject({ code: "invalid_token_response", status: 200 });
      expect(error.message).toContain("token_type");
      expect(error.message).toContain("token_type_mismatch");
      expect(JSON.stringify(error) + String(error)).not.toContain("secret-token-value");
    },
  );

  it.each([
    ["CR in access_token", { access_token: "abc\rdef" }],
    ["LF in access_token", { access_token: "abc\ndef" }],
    ["CRLF and a header in access_token", { access_token: "abc\r\nX-Injected: 1" }],
    ["a trailing LF in access_token", { access_token: "abc\n" }],
    ["NUL in access_token", { access_token: "abc\u0000" }],
    ["CR in token_type", { token_type: "Bearer\r" }],
    ["LF in token_type", { token_type: "Bearer\nX: y" }],
  ])("refuses %s as invalid_token_response", async (_name, fields) => {
    const error = await failureOf(
      json(200, { token_type: "Bearer", expires_in: 3599, access_token: "at", ...fields }),
    );
    expect(error).toMatchObject({ code: "invalid_token_response", status: 200 });
  });
});

describe("token response: body size cap", () => {
  const bigToken = "x".repeat(5 * 1024 * 1024);

  it("a 5 MB token response is an invalid response; the body is not read past 1 MiB", async () => {
    const text = JSON.stringify({ token_type: "Bearer", expires_in: 3599, access_token: bigToken });
    const bytes = new TextEncoder().encode(text);
    let pulled = 0;
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const offset = pulled * 65536;
        if (offset >= bytes.length) return controller.close();
        pulled++;
        controller.enqueue(bytes.subarray(offset, offset + 65536));
      },
      cancel() {
        cancelled = true;
      },
    });
    // No content-length: the cap holds while streaming.
    const error = await failureOf(new Response(stream, { status: 200 }));
    expect(error).toMatchObject({ code: "invalid_token_response", status: 200 });
    expect(error.message).toContain("1 MiB");
    expect(pulled * 65536).toBeLessThan(1.5 * 1024 * 1024);
    expect(cancelled).toBe(true);
    // With a content-length too.
    const declared = await failureOf(
      new Response(text, { status: 200, headers: { "content-length": String(bytes.length) } }),
    );
    expect(declared).toMatchObject({ code: "invalid_token_response" });
  });

  it("an oversized error answer keeps its status and throttling meaning", async () => {
    const huge = "<html>" + "x".repeat(2 * 1024 * 1024) + "</html>";
    const gateway = await failureOf(
      new Response(huge, { status: 502, headers: { "content-type": "text/html" } }),
    );
    expect(gateway).toMatchObject({ code: "service_error", status: 502 });
    expect(gateway.message).toContain("not read");
    const throttled = await failureOf(
      new Response(huge, { status: 429, headers: { "retry-after": "7" } }),
    );
    expect(throttled).toBeInstanceOf(ThrottledError);
    expect(throttled.retryAfterMs).toBe(7000);
  });

  it("a token response just under the cap is read", async () => {
    const token = "y".repeat(1024 * 1024 - 100);
    await expect(
      readTokenResponse(
        json(200, { token_type: "Bearer", expires_in: 3599, access_token: token }),
        context,
      ),
    ).resolves.toMatchObject({ accessToken: token });
  });
});
