import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type EntraEmulator, faults } from "../../src/testing/index";
import {
  GUID,
  OTHER_TENANT,
  TENANT,
  TENANT_DOMAIN,
  TOKEN_URL,
  type TestCertificate,
  emulatorFor,
  generateCertificate,
  postForm,
  secretForm,
} from "./helpers";

let cert: TestCertificate;
let emulator: EntraEmulator;
beforeAll(async () => {
  cert = generateCertificate();
  emulator = await emulatorFor(cert);
});
beforeEach(() => emulator.reset());

const token = () => postForm(emulator, TOKEN_URL, secretForm());

describe("faults", () => {
  it("throttled(): 429 text/plain 'Too Many Requests' with Retry-After, once", async () => {
    emulator.injectFault(faults.throttled(60));
    const throttled = await token();
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("60");
    expect(throttled.headers.get("content-type")).toBe("text/plain");
    expect(throttled.headers.get("x-ms-request-id")).toMatch(GUID);
    expect(await throttled.text()).toBe("Too Many Requests");
    expect((await token()).status).toBe(200);
    expect(emulator.tokenRequests().map((record) => [record.status, record.fault])).toEqual([
      [429, "response"],
      [200, undefined],
    ]);
  });

  it("serverError(): an Entra-shaped 5xx body, with and without Retry-After", async () => {
    emulator.injectFault(faults.serverError(500));
    emulator.injectFault(faults.serverError(503, { retryAfter: 10 }));
    const first = await token();
    expect(first.status).toBe(500);
    expect(first.headers.get("retry-after")).toBeNull();
    const firstBody = (await first.json()) as {
      error: string;
      error_codes: number[];
      trace_id: string;
    };
    expect(firstBody).toMatchObject({ error: "server_error", error_codes: [50000] });
    expect(firstBody.trace_id).toBe(first.headers.get("x-ms-request-id"));
    const second = await token();
    expect(second.status).toBe(503);
    expect(second.headers.get("retry-after")).toBe("10");
    expect(((await second.json()) as { error: string }).error).toBe("temporarily_unavailable");
    expect((await token()).status).toBe(200);
  });

  it("html(): an HTML page from a gateway", async () => {
    emulator.injectFault(faults.html(502));
    const response = await token();
    expect(response.status).toBe(502);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await response.text()).toMatch(/^<!DOCTYPE html>/);
  });

  it("status faults with custom body, content type and headers; JSON bodies are sniffed", async () => {
    emulator.injectFault({
      status: 400,
      body: '{"error":"invalid_request"}',
      headers: { "x-custom": "1" },
    });
    emulator.injectFault({ status: 503, contentType: "application/problem+json", body: "{}" });
    emulator.injectFault({ status: 500 });
    const json = await token();
    expect([json.status, json.headers.get("content-type"), json.headers.get("x-custom")]).toEqual([
      400,
      "application/json; charset=utf-8",
      "1",
    ]);
    const custom = await token();
    expect(custom.headers.get("content-type")).toBe("application/problem+json");
    const empty = await token();
    expect([empty.status, await empty.text(), empty.headers.get("content-type")]).toEqual([
      500,
      "",
      null,
    ]);
  });

  it("body faults: a 200 with a malformed JSON body (truncated preset), or another status", async () => {
    emulator.injectFault(faults.truncated());
    emulator.injectFault({ type: "body", body: "not json", status: 400 });
    const truncated = await token();
    expect(truncated.status).toBe(200);
    expect(truncated.headers.get("content-type")).toBe("application/json; charset=utf-8");
    await expect(truncated.json()).rejects.toThrow(SyntaxError);
    const other = await token();
    expect([other.status, await other.text()]).toEqual([400, "not json"]);
  });

  it("error faults: any Entra error with the request's correlation id", async () => {
    emulator.injectFault({
      type: "error",
      status: 401,
      error: "invalid_client",
      code: 7000222,
      message: "The provided client secret keys are expired.",
    });
    const response = await postForm(
      emulator,
      `${TOKEN_URL}?client-request-id=5fc87507-4086-4e77-b415-cee677eb232e`,
      secretForm(),
    );
    const body = (await response.json()) as {
      error_description: string;
      correlation_id: string;
      error_codes: number[];
    };
    expect(response.status).toBe(401);
    expect(body.error_codes).toEqual([7000222]);
    expect(body.correlation_id).toBe("5fc87507-4086-4e77-b415-cee677eb232e");
    expect(body.error_description).toMatch(
      /^AADSTS7000222: The provided client secret keys are expired\.\r\nTrace ID: /,
    );
  });

  it("network faults reject like a connection reset", async () => {
    emulator.injectFault(faults.network({ times: 2 }));
    for (let i = 0; i < 2; i++) {
      const failure = await token().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(TypeError);
      expect((failure as TypeError).message).toBe("fetch failed");
      expect((failure as TypeError & { cause: { code: string } }).cause.code).toBe("ECONNRESET");
    }
    expect((await token()).status).toBe(200);
    expect(emulator.tokenRequests().map((record) => [record.status, record.fault])).toEqual([
      [undefined, "network"],
      [undefined, "network"],
      [200, undefined],
    ]);
  });

  it("delay faults answer normally after the delay", async () => {
    emulator.injectFault(faults.delay(150));
    const started = performance.now();
    const response = await token();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(response.status).toBe(200);
    expect(emulator.tokenRequests()[0]?.fault).toBe("delay");
  });

  it("delay faults honour the request's AbortSignal", async () => {
    emulator.injectFault({ type: "delay", ms: 10_000 });
    const controller = new AbortController();
    const pending = emulator.fetch(TOKEN_URL, {
      method: "POST",
      body: new URLSearchParams(secretForm()),
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    const failure = await pending.catch((error: unknown) => error);
    expect((failure as DOMException).name).toBe("AbortError");
    emulator.injectFault(faults.delay(10_000));
    const timedOut = await emulator
      .fetch(TOKEN_URL, {
        method: "POST",
        body: new URLSearchParams(secretForm()),
        signal: AbortSignal.timeout(1),
      })
      .catch((error: unknown) => error);
    expect((timedOut as DOMException).name).toBe("TimeoutError");
    expect(emulator.tokenRequests().at(-1)?.status).toBeUndefined();
  });

  it("an already aborted signal rejects before anything is recorded", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(
      emulator.fetch(TOKEN_URL, {
        method: "POST",
        body: new URLSearchParams(secretForm()),
        signal: controller.signal,
      }),
    ).rejects.toThrow("stop");
    expect(emulator.requests).toHaveLength(0);
  });

  it("match by tenant (segment or resolved id), kind and host; times: Infinity until cleared", async () => {
    emulator.injectFault({
      ...faults.throttled(5),
      times: Infinity,
      match: { tenant: TENANT, kind: "token", host: "login.microsoftonline.com" },
    });
    expect(
      (
        await postForm(
          emulator,
          `https://login.microsoftonline.com/${OTHER_TENANT}/oauth2/v2.0/token`,
          secretForm(),
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await postForm(
          emulator,
          `https://login.windows.net/${TENANT}/oauth2/v2.0/token`,
          secretForm(),
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await emulator.fetch(
          `https://login.microsoftonline.com/${TENANT}/v2.0/.well-known/openid-configuration`,
        )
      ).status,
    ).toBe(200);
    expect((await token()).status).toBe(429);
    expect(
      (
        await postForm(
          emulator,
          `https://login.microsoftonline.com/${TENANT_DOMAIN}/oauth2/v2.0/token`,
          secretForm(),
        )
      ).status,
    ).toBe(429);
    expect((await token()).status).toBe(429);
    emulator.clearFaults();
    expect((await token()).status).toBe(200);
  });

  it("applies at most one fault per request, first injected first", async () => {
    emulator.injectFault(faults.serverError(500));
    emulator.injectFault(faults.throttled(1));
    expect((await token()).status).toBe(500);
    expect((await token()).status).toBe(429);
    expect((await token()).status).toBe(200);
  });

  it("reset() drops queued faults and records", async () => {
    emulator.injectFault(faults.throttled());
    emulator.reset();
    expect((await token()).status).toBe(200);
  });

  it("refuses invalid faults", () => {
    expect(() => emulator.injectFault({ status: 99 })).toThrow(TypeError);
    expect(() => emulator.injectFault({ status: 500, times: 0 })).toThrow(/times/);
    expect(() => emulator.injectFault({ type: "delay", ms: -1 })).toThrow(/ms/);
  });
});
