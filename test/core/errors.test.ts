// EntraEdgeError.clone(): callers who joined one failed request each get their own error object,
// of the same class and with the same code, message, fields, cause and correlation id.
import { inspect, types } from "node:util";
import { describe, expect, it } from "vitest";
import {
  ClientError,
  EntraEdgeError,
  NetworkError,
  ServiceError,
  ThrottledError,
} from "../../src/errors";

const correlationId = "c0ffee00-0000-4000-8000-000000000000";

describe("EntraEdgeError.clone", () => {
  const cases: [string, EntraEdgeError][] = [
    ["ClientError", new ClientError("invalid_scopes", "Fix the scopes.", { correlationId })],
    [
      "NetworkError with a cause",
      new NetworkError("network_error", "x could not be reached (TypeError).", {
        correlationId,
        cause: Object.assign(new Error("withheld"), { code: "ECONNRESET" }),
      }),
    ],
    [
      "ServiceError",
      new ServiceError("service_error", "AADSTS7000215: Invalid client secret provided.", {
        status: 401,
        error: "invalid_client",
        errorDescription: "AADSTS7000215: Invalid client secret provided.",
        errorCodes: [7000215],
        traceId: "trace",
        timestamp: "2023-05-06 06:03:00Z",
        correlationId,
        claims: '{"access_token":{}}',
      }),
    ],
    [
      "ThrottledError",
      new ThrottledError("Throttled.", { status: 429, retryAfterMs: 60_000, correlationId }),
    ],
  ];

  it.each(cases)("%s: a distinct object of the same class with the same contents", (_, error) => {
    const copy = error.clone();
    expect(copy).not.toBe(error);
    expect(Object.getPrototypeOf(copy)).toBe(Object.getPrototypeOf(error));
    expect(copy).toBeInstanceOf(EntraEdgeError);
    expect(copy).toBeInstanceOf(Error);
    expect(copy.constructor).toBe(error.constructor);
    expect(copy.name).toBe(error.name);
    expect(copy.code).toBe(error.code);
    expect(copy.message).toBe(error.message);
    expect(copy.correlationId).toBe(correlationId);
    expect(copy.cause).toBe(error.cause);
    expect(copy.stack).toBe(error.stack);
    expect(copy.toJSON()).toEqual(error.toJSON());
    expect(JSON.stringify(copy)).toBe(JSON.stringify(error));
    expect(Object.keys(copy)).toEqual(Object.keys(error));
    // A real Error (what util.inspect and error trackers look for), printed like the original.
    expect(types.isNativeError(copy)).toBe(true);
    expect(Object.prototype.toString.call(copy)).toBe("[object Error]");
    expect(inspect(copy)).toBe(inspect(error));
  });

  it("keeps ServiceError fields, with its own errorCodes array", () => {
    const error = cases[2]?.[1] as ServiceError;
    const copy = error.clone();
    expect(copy).toBeInstanceOf(ServiceError);
    expect(copy).toMatchObject({
      status: 401,
      error: "invalid_client",
      errorCodes: [7000215],
      traceId: "trace",
      claims: '{"access_token":{}}',
    });
    expect(copy.errorCodes).not.toBe(error.errorCodes);
    const throttled = (cases[3]?.[1] as ThrottledError).clone();
    expect(throttled).toBeInstanceOf(ThrottledError);
    expect(throttled).toBeInstanceOf(ServiceError);
    expect(throttled.retryAfterMs).toBe(60_000);
  });

  it("changing one copy leaves the original and the other copies alone", () => {
    const error = new ServiceError("service_error", "m", { status: 500, errorCodes: [1] });
    const [a, b] = [error.clone(), error.clone()];
    (a as { message: string }).message = "annotated by caller a";
    (a.errorCodes as number[]).push(2);
    expect(error.message).toBe("m");
    expect(b.message).toBe("m");
    expect(error.errorCodes).toEqual([1]);
    expect(b.errorCodes).toEqual([1]);
  });
});
