// Input checked at the door, before any I/O: the application's tenant exactly like a request's,
// numeric options with an error that names the option, correlation ids a header can carry, and
// per-request authorities only on the application's own cloud.
import { describe, expect, it } from "vitest";
import { memoryCache } from "../../adapters/memory";
import {
  ClientError,
  ConfidentialClientApplication,
  ConfidentialClientApplicationBuilder,
  type ConfidentialClientApplicationOptions,
} from "../../src/index";
import { builder, clientId, emulator, graph, secret, tenantA } from "./setup";

/** A fetch that fails the test if anything is sent. */
const noRequest = (() => {
  throw new Error("no request may be sent");
}) as unknown as typeof fetch;

const build = (options: Partial<ConfidentialClientApplicationOptions>) => () =>
  new ConfidentialClientApplication({
    clientId,
    clientSecret: secret,
    tenantId: tenantA,
    ...options,
  });

describe("input checks", () => {
  it.each([
    "tenantA/../tenantB",
    "tenantA/..",
    "../tenantB",
    "a/b",
    "contoso.com?x=1",
    "tenant%2F..%2Fother",
  ])("refuses the application tenant %j instead of resolving it", (tenantId) => {
    expect(build({ tenantId })).toThrow(ClientError);
    expect(() =>
      ConfidentialClientApplicationBuilder.create(clientId)
        .withClientSecret(secret)
        .withTenantId(tenantId)
        .build(),
    ).toThrow(expect.objectContaining({ code: "invalid_tenant" }));
  });

  it.each([
    "https://login.microsoftonline.com/tenantA/../tenantB",
    "https://login.microsoftonline.com/tenantA/%2e%2e/tenantB",
    "https://login.microsoftonline.com/./tenantB",
    "https://login.microsoftonline.com\\tenantA\\..\\tenantB",
  ])("refuses the authority %s with dot segments", (authority) => {
    expect(
      () => new ConfidentialClientApplication({ clientId, clientSecret: secret, authority }),
    ).toThrow(expect.objectContaining({ code: "invalid_authority" }));
  });

  it("refuses a request authority with dot segments instead of taking its last tenant", () => {
    const app = builder(noRequest).withClientSecret(secret).withTenantId(tenantA).build();
    expect(() =>
      app
        .acquireTokenForClient(graph)
        .withTenantIdFromAuthority("https://login.microsoftonline.com/tenantA/../tenantB"),
    ).toThrow(ClientError);
  });

  it.each<[string, Partial<ConfidentialClientApplicationOptions>]>([
    ["expiryMarginSeconds", { expiryMarginSeconds: -1 }],
    ["expiryMarginSeconds", { expiryMarginSeconds: Number.NaN }],
    ["retry.maxRetries", { retry: { maxRetries: 1.5 } }],
    ["retry.maxRetries", { retry: { maxRetries: -1 } }],
    ["retry.maxRetries", { retry: { maxRetries: 1000 } }],
    ["retry.delayMs", { retry: { delayMs: Number.POSITIVE_INFINITY } }],
    ["retry.attemptTimeoutMs", { retry: { attemptTimeoutMs: 0 } }],
    ["timeoutMs", { timeoutMs: 0 }],
    ["timeoutMs", { timeoutMs: -5 }],
    ["timeoutMs", { timeoutMs: 2 ** 31 }],
    ["timeoutMs", { timeoutMs: Number.NaN }],
    ["cacheOptions.timeoutMs", { cache: memoryCache(), cacheOptions: { timeoutMs: 2 ** 31 } }],
    ["cacheOptions.lease.ttlMs", { cache: memoryCache(), cacheOptions: { lease: { ttlMs: -1 } } }],
    ["cacheOptions.timeoutMs", { cache: memoryCache(), timeoutMs: 500, cacheOptions: {} }],
  ])("refuses a bad %s with an error naming it", (name, options) => {
    expect(build(options)).toThrow(ClientError);
    expect(build(options)).toThrow(name);
  });

  it("accepts the edges: 2^31-1 ms timeouts, two retries, no margin", () => {
    expect(
      build({
        timeoutMs: 2 ** 31 - 1,
        retry: { maxRetries: 2, attemptTimeoutMs: 2 ** 31 - 1 },
        expiryMarginSeconds: 0,
        cache: memoryCache(),
        cacheOptions: { timeoutMs: 1000 },
      }),
    ).not.toThrow();
  });

  it("refuses a correlation id with control characters before any request", async () => {
    const app = builder(noRequest).withClientSecret(secret).withTenantId(tenantA).build();
    expect(() =>
      app.acquireTokenForClient(graph).withCorrelationId("abc\r\nx-injected: 1"),
    ).toThrow(ClientError);
    await expect(
      app.acquireTokenForClient(graph, { correlationId: "abc\u0000" }),
    ).rejects.toBeInstanceOf(ClientError);
  });

  it("refuses a per-request authority of another cloud (msal-node's authority mismatch)", async () => {
    const entra = await emulator();
    let requests = 0;
    const counting = ((input: RequestInfo | URL, init?: RequestInit) => {
      requests++;
      return entra.fetch(input, init);
    }) as typeof fetch;
    const app = builder(counting).withClientSecret(secret).withTenantId(tenantA).build();
    await expect(
      app.acquireTokenByClientCredential({
        scopes: [...graph],
        authority: `https://login.microsoftonline.us/${tenantA}`,
      }),
    ).rejects.toMatchObject({ code: "invalid_authority" });
    expect(requests).toBe(0);
    const sameCloud = await app.acquireTokenByClientCredential({
      scopes: [...graph],
      authority: `https://login.windows.net/${tenantA}`,
    });
    expect(sameCloud.accessToken).not.toBe("");
  });
});
