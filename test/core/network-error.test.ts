// networkErrorOf and the safe description of a thrown value: a fetch error's text (which a
// wrapping fetch may fill with the request body) never reaches a message, a cause or a log; only
// its class name and system code do.
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { NetworkError } from "../../src/errors";
import { networkErrorOf } from "../../src/internal/network-error";
import { describeThrown, errorIdentity, sanitizedCause } from "../../src/internal/safe-error";

const endpoint = "https://login.microsoftonline.com/t/oauth2/v2.0/token";
const correlationId = "c0ffee00-0000-4000-8000-000000000000";
const secret = "Ab1~emulator.secret-value_0123456789";
const body = `client_id=x&scope=s&grant_type=client_credentials&client_secret=${encodeURIComponent(secret)}`;
const live = new AbortController().signal;

/** Every way the error can be printed. */
const surfaces = (error: Error): string =>
  [
    error.message,
    String(error),
    JSON.stringify(error),
    inspect(error, { depth: 10, showHidden: true }),
    error.stack ?? "",
  ].join("\n");

describe("networkErrorOf", () => {
  it("names only the error's class and code, never its text or its cause's", () => {
    const thrown = new TypeError(`fetch failed: POST ${endpoint} body=${body}`, {
      cause: Object.assign(new Error(`connect ECONNREFUSED while sending ${body}`), {
        code: "ECONNREFUSED",
        body,
      }),
    });
    const error = networkErrorOf(thrown, live, endpoint, correlationId);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ code: "network_error", correlationId });
    expect(error.message).toContain("could not be reached (TypeError, ECONNREFUSED)");
    expect(error.cause).toMatchObject({ name: "TypeError", code: "ECONNREFUSED" });
    const printed = surfaces(error);
    expect(printed).not.toContain(secret);
    expect(printed).not.toContain(encodeURIComponent(secret));
    expect(printed).not.toContain("client_secret");
  });

  it("the raw text is gone even when the name or code is a secret-carrying string", () => {
    const thrown = Object.assign(new Error(body), { name: body, code: body });
    const error = networkErrorOf(thrown, live, endpoint, correlationId);
    expect(error.message).toContain("(Error)");
    expect(surfaces(error)).not.toContain(secret);
    for (const value of [body, `x ${secret}`, { toString: () => body }, 42, undefined, null]) {
      const printed = surfaces(networkErrorOf(value, live, endpoint, correlationId));
      expect(printed).not.toContain(secret);
      expect(printed).not.toContain("client_secret");
    }
  });

  it("the deadline is request_timeout; the caller's abort is aborted with the caller's own reason", () => {
    const timeout = new AbortController();
    timeout.abort(new DOMException("The operation timed out.", "TimeoutError"));
    expect(networkErrorOf(new Error(body), timeout.signal, endpoint, correlationId)).toMatchObject({
      code: "request_timeout",
    });
    const caller = new AbortController();
    const reason = new Error("client went away");
    caller.abort(reason);
    const aborted = networkErrorOf(new Error(body), caller.signal, endpoint, correlationId);
    expect(aborted).toMatchObject({ code: "aborted", cause: reason });
    expect(surfaces(aborted)).not.toContain(secret);
  });
});

describe("errorIdentity", () => {
  it.each<[unknown, string]>([
    [new TypeError("fetch failed"), "TypeError"],
    [
      new TypeError("fetch failed", {
        cause: Object.assign(new Error("x"), { code: "ENOTFOUND" }),
      }),
      "TypeError, ENOTFOUND",
    ],
    [Object.assign(new Error("x"), { code: "UND_ERR_SOCKET" }), "Error, UND_ERR_SOCKET"],
    [new DOMException("x", "AbortError"), "AbortError"],
    [Object.assign(new Error("x"), { name: "ConnectionRefused" }), "ConnectionRefused"],
    [Object.assign(new Error("x"), { code: 20 }), "Error"],
    [Object.assign(new Error("x"), { name: "client_secret=abc" }), "Error"],
    [Object.assign(new Error("x"), { code: "econnrefused while sending body" }), "Error"],
    ["a thrown string", "string"],
    [undefined, "undefined"],
  ])("%s is described as %s", (thrown, expected) => {
    expect(describeThrown(thrown)).toBe(expected);
  });

  it("never throws, even on hostile objects", () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error(secret);
        },
      },
    );
    expect(errorIdentity(hostile)).toEqual({ name: "Error", code: undefined });
    const cause = sanitizedCause(hostile);
    expect(surfaces(cause)).not.toContain(secret);
  });
});
