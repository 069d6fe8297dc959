import { describe, expect, it, vi } from "vitest";
import { memoryCache } from "../../adapters/memory";
import {
  CacheLevel,
  ConfidentialClientApplication,
  TokenSource,
  type CacheAdapter,
  type CacheErrorEvent,
} from "../../src/index";
import { faults } from "../../src/testing/index";
import {
  arm,
  builder,
  clientId,
  emulator,
  graph,
  otherClientId,
  rejectionOf,
  secret,
  tenantA,
  tenantB,
  appWithClock,
} from "./setup";

const source = (r: { authenticationResultMetadata: { tokenSource: string } }) =>
  r.authenticationResultMetadata.tokenSource;

describe("L1 cache", () => {
  it("never shares a token across tenants, scopes or clients", async () => {
    const entra = await emulator();
    const app = builder(entra.fetch).withClientSecret(secret).withTenantId(tenantA).build();
    const other = builder(entra.fetch, otherClientId)
      .withClientSecret(secret)
      .withTenantId(tenantA)
      .build();
    const a = await app.acquireTokenForClient(graph);
    const b = await app.acquireTokenForClient(graph).withTenantId(tenantB);
    const c = await app.acquireTokenForClient(arm);
    const d = await other.acquireTokenForClient(graph);
    expect(new Set([a, b, c, d].map((r) => r.accessToken)).size).toBe(4);
    expect([a, b, c, d].map(source)).toEqual(Array(4).fill(TokenSource.IdentityProvider));
    expect((await entra.verifyAccessToken(b.accessToken)).tid).toBe(tenantB);
    expect((await app.acquireTokenForClient(graph, { tenantId: tenantB })).accessToken).toBe(
      b.accessToken,
    );
    expect(entra.tokenRequests()).toHaveLength(4);
  });

  it("renews 5 minutes before expiry (injected clock)", async () => {
    let now = Date.parse("2026-11-22T10:00:00Z");
    const entra = await emulator({ now: () => now });
    const app = appWithClock(entra.fetch, () => now);
    const first = await app.acquireTokenForClient(graph);
    expect(first.expiresOn.getTime()).toBe(now + 3599_000);
    now += 3599_000 - 301_000;
    expect(source(await app.acquireTokenForClient(graph))).toBe(TokenSource.Cache);
    now += 2_000;
    const renewed = await app.acquireTokenForClient(graph);
    expect(source(renewed)).toBe(TokenSource.IdentityProvider);
    expect(renewed.authenticationResultMetadata.cacheRefreshReason).toBe("Expired");
  });

  it("forceRefresh and claims skip the cache", async () => {
    const entra = await emulator();
    const app = builder(entra.fetch).withClientSecret(secret).withTenantId(tenantA).build();
    await app.acquireTokenForClient(graph);
    const forced = await app.acquireTokenForClient(graph).withForceRefresh(true);
    expect(forced.authenticationResultMetadata.cacheRefreshReason).toBe("ForceRefreshOrClaims");
    const claims = '{"access_token":{"xms_cc":{"values":["cp1"]}}}';
    await app.acquireTokenForClient(graph).withClaims(claims);
    expect(entra.tokenRequests().map((r) => r.form["claims"])).toEqual([
      undefined,
      undefined,
      claims,
    ]);
  });

  it("1,000 concurrent cold acquisitions make one request", async () => {
    const entra = await emulator();
    entra.injectFault(faults.delay(50));
    const app = builder(entra.fetch).withClientSecret(secret).withTenantId(tenantA).build();
    const results = await Promise.all(
      Array.from({ length: 1000 }, () => app.acquireTokenForClient(graph)),
    );
    expect(entra.tokenRequests()).toHaveLength(1);
    expect(new Set(results.map((r) => r.accessToken)).size).toBe(1);
    expect(app.getCacheStatistics()).toMatchObject({
      networkRequests: 1,
      coalescedWaits: 999,
      misses: 1,
    });
  });

  it("shares an error with every waiter, and an aborted waiter does not cancel the others", async () => {
    const entra = await emulator();
    entra.injectFault({
      type: "error",
      status: 400,
      error: "unauthorized_client",
      code: 700016,
      message: "Application not found.",
    });
    const app = builder(entra.fetch).withClientSecret(secret).withTenantId(tenantA).build();
    const failures = await Promise.allSettled(
      Array.from({ length: 10 }, () => app.acquireTokenForClient(graph)),
    );
    expect(
      failures.every(
        (f) =>
          f.status === "rejected" &&
          (f.reason as { errorCodes: number[] }).errorCodes[0] === 700016,
      ),
    ).toBe(true);
    expect(entra.tokenRequests()).toHaveLength(1);

    entra.injectFault(faults.delay(200));
    const controller = new AbortController();
    const aborted = app
      .acquireTokenForClient(graph)
      .withAbortSignal(controller.signal)
      .executeAsync();
    const patient = app.acquireTokenForClient(graph).executeAsync();
    setTimeout(() => controller.abort(), 20);
    await expect(aborted).rejects.toMatchObject({ name: "NetworkError", code: "aborted" });
    await expect(patient).resolves.toMatchObject({ tokenType: "Bearer" });
    expect(entra.tokenRequests()).toHaveLength(2);
  });

  it("refuses reserved or missing tenants before any request", async () => {
    const entra = await emulator();
    const app = builder(entra.fetch).withClientSecret(secret).build();
    await expect(app.acquireTokenForClient(graph)).rejects.toMatchObject({
      name: "ClientError",
      code: "invalid_tenant",
    });
    for (const tenant of ["common", "organizations", "consumers"]) {
      await expect(app.acquireTokenForClient(graph).withTenantId(tenant)).rejects.toMatchObject({
        name: "ClientError",
        code: "invalid_tenant",
      });
    }
    await expect(
      app.acquireTokenForClient(["https://graph.microsoft.com/User.Read"]).withTenantId(tenantA),
    ).rejects.toMatchObject({ code: "invalid_scopes" });
    expect(entra.requests).toHaveLength(0);
  });

  it("refuses a configured tenantId that is not a string, even one that cannot become a string", async () => {
    const entra = await emulator();
    for (const tenantId of [{ toString: 0 }, Object.create(null), 42]) {
      for (const where of [{}, { authority: "https://login.microsoftonline.com/organizations" }]) {
        expect(
          () =>
            new ConfidentialClientApplication({
              clientId,
              tenantId: tenantId as string,
              ...where,
              clientSecret: secret,
              fetch: entra.fetch,
            }),
        ).toThrow(expect.objectContaining({ name: "ClientError", code: "invalid_tenant" }));
      }
    }
  });

  it("uses the regional endpoint and falls back to the global one when it cannot be reached", async () => {
    const entra = await emulator();
    const app = builder(entra.fetch)
      .withClientSecret(secret)
      .withTenantId(tenantA)
      .withAzureRegion("westus")
      .build();
    const regional = await app.acquireTokenForClient(graph);
    expect(regional.authenticationResultMetadata.tokenEndpoint).toBe(
      `https://westus.login.microsoft.com/${tenantA}/oauth2/v2.0/token`,
    );
    expect(regional.authenticationResultMetadata.regionDetails).toMatchObject({
      regionOutcome: "UserProvided",
      regionUsed: "westus",
    });
    entra.injectFault(faults.network({ match: { host: "westus.login.microsoft.com" } }));
    const fallback = await app.acquireTokenForClient(arm);
    expect(fallback.authenticationResultMetadata.tokenEndpoint).toBe(
      `https://login.microsoftonline.com/${tenantA}/oauth2/v2.0/token`,
    );
    expect(fallback.authenticationResultMetadata.regionDetails.regionOutcome).toBe(
      "FallbackToGlobal",
    );
  });

  it("a 429 blocks that request key until Retry-After passes; other tenants go on", async () => {
    let now = Date.parse("2026-11-22T10:00:00Z");
    const entra = await emulator({ now: () => now });
    const app = appWithClock(entra.fetch, () => now);
    entra.injectFault(faults.throttled(3));
    await expect(app.acquireTokenForClient(graph)).rejects.toMatchObject({
      name: "ThrottledError",
      status: 429,
      retryAfterMs: 3000,
    });
    now += 1000;
    await expect(app.acquireTokenForClient(graph)).rejects.toMatchObject({
      name: "ThrottledError",
      retryAfterMs: 2000,
    });
    expect(entra.tokenRequests()).toHaveLength(1);
    await expect(app.acquireTokenForClient(graph, { tenantId: tenantB })).resolves.toMatchObject({
      tenantId: tenantB,
    });
    now += 2000;
    await expect(app.acquireTokenForClient(graph)).resolves.toMatchObject({ tenantId: tenantA });
    expect(entra.tokenRequests()).toHaveLength(3);
  });

  it("refreshes in the background after refreshOn and keeps serving the cached token", async () => {
    let now = Date.parse("2026-11-22T10:00:00Z");
    const entra = await emulator({ now: () => now, refreshInSeconds: 1800 });
    const app = appWithClock(entra.fetch, () => now);
    const first = await app.acquireTokenForClient(graph);
    expect(first.refreshOn?.getTime()).toBe(now + 1800_000);
    now += 1801_000;
    const pending: Promise<unknown>[] = [];
    const served = await app.acquireTokenForClient(graph).withWaitUntil((p) => pending.push(p));
    expect(served.accessToken).toBe(first.accessToken);
    expect(pending).toHaveLength(1);
    await Promise.all(pending);
    expect(entra.tokenRequests()).toHaveLength(2);
    const after = await app.acquireTokenForClient(graph);
    expect(after.accessToken).not.toBe(first.accessToken);
    expect(source(after)).toBe(TokenSource.Cache);

    // A failing background refresh never reaches the caller.
    now += 1801_000;
    entra.injectFault(faults.serverError(500, { times: 5 }));
    const stillServed = await app
      .acquireTokenForClient(graph)
      .withWaitUntil((p) => pending.push(p));
    expect(stillServed.accessToken).toBe(after.accessToken);
    await Promise.all(pending);
  });

  it("schedules refresh at about half the life of long-lived tokens", async () => {
    const now = Date.parse("2026-11-22T10:00:00Z");
    const entra = await emulator({ now: () => now, tokenLifetimeSeconds: 86_400 });
    const app = appWithClock(entra.fetch, () => now);
    const result = await app.acquireTokenForClient(graph);
    const refreshIn = (result.refreshOn as Date).getTime() - now;
    expect(refreshIn).toBeGreaterThan(86_400_000 * 0.45);
    expect(refreshIn).toBeLessThanOrEqual(86_400_000 * 0.5);
  });

  it("shares L1 and the credential between equal applications built per request", async () => {
    const entra = await emulator();
    const build = () => buildShared(entra.fetch);
    const first = await build().acquireTokenForClient(graph);
    const second = await build().acquireTokenForClient(graph);
    expect(source(first)).toBe(TokenSource.IdentityProvider);
    expect(source(second)).toBe(TokenSource.Cache);
    expect(build().removeTokens({ tenantId: tenantA })).toBe(1);
    expect(source(await build().acquireTokenForClient(graph))).toBe(TokenSource.IdentityProvider);
  });
});

function buildShared(fetcher: typeof fetch) {
  return new ConfidentialClientApplication({
    clientId,
    tenantId: tenantA,
    clientSecret: secret,
    fetch: fetcher,
  });
}

describe("L2 cache", () => {
  const l2App = (fetcher: typeof fetch, cache: CacheAdapter, options = {}) =>
    builder(fetcher)
      .withClientSecret(secret)
      .withTenantId(tenantA)
      .withCache(cache, options)
      .build();

  it("fills L1 from L2 in another instance", async () => {
    const entra = await emulator();
    const store = memoryCache();
    const first = await l2App(entra.fetch, store).acquireTokenForClient(graph);
    const second = await l2App(entra.fetch, store).acquireTokenForClient(graph);
    expect(second.authenticationResultMetadata).toMatchObject({
      tokenSource: TokenSource.Cache,
      cacheLevel: CacheLevel.L2Cache,
    });
    expect(second.accessToken).toBe(first.accessToken);
    expect(entra.tokenRequests()).toHaveLength(1);
  });

  it("counts the L2 read that missed and the awaited write in an issued token's durationInCacheInMs", async () => {
    const entra = await emulator();
    const store = memoryCache();
    const pause = () => new Promise((resolve) => setTimeout(resolve, 40));
    const slow: CacheAdapter = {
      get: async (key) => (await pause(), store.get(key)),
      set: async (key, value, ttlMs) => (await pause(), store.set(key, value, ttlMs)),
      delete: (key) => store.delete(key),
    };
    const { authenticationResultMetadata: issued } = await l2App(entra.fetch, slow, {
      timeoutMs: 5_000,
    }).acquireTokenForClient(graph);
    expect(issued.tokenSource).toBe(TokenSource.IdentityProvider);
    // Two store calls of at least 40 ms each (timers may fire a millisecond early).
    expect(issued.durationInCacheInMs).toBeGreaterThanOrEqual(70);
    expect(issued.durationInCacheInMs).toBeLessThanOrEqual(issued.durationTotalInMs);
    const noL2 = await builder(entra.fetch)
      .withClientSecret(secret)
      .withTenantId(tenantA)
      .build()
      .acquireTokenForClient(graph);
    expect(noL2.authenticationResultMetadata.durationInCacheInMs).toBe(0);
  });

  it.each([
    [
      "throws",
      {
        get: async () => {
          throw new Error("store down");
        },
        set: async () => {
          throw new Error("store down");
        },
        delete: async () => undefined,
      } as CacheAdapter,
      "threw",
    ],
    [
      "hangs",
      {
        get: () => new Promise<undefined>(() => undefined),
        set: () => new Promise<void>(() => undefined),
        delete: async () => undefined,
      } as CacheAdapter,
      "timeout",
    ],
    [
      "returns garbage",
      {
        get: async () => "{not json",
        set: async () => undefined,
        delete: async () => undefined,
      } as CacheAdapter,
      "invalid",
    ],
  ])(
    "an L2 that %s is a miss: the token is still served and the failure reported",
    async (_name, adapter, reason) => {
      const entra = await emulator();
      const events: CacheErrorEvent[] = [];
      const app = l2App(entra.fetch, adapter as CacheAdapter, {
        timeoutMs: 50,
        onCacheError: (e: CacheErrorEvent) => events.push(e),
      });
      const result = await app.acquireTokenForClient(graph);
      expect(result.authenticationResultMetadata.tokenSource).toBe(TokenSource.IdentityProvider);
      expect(events[0]).toMatchObject({ operation: "get", reason });
    },
  );

  it("encrypts values at rest, rotates keys, and treats a wrong key as a miss", async () => {
    const entra = await emulator();
    const stored = new Map<string, string>();
    const store = mapStore(stored);
    const k1 = crypto.getRandomValues(new Uint8Array(32));
    const k2 = crypto.getRandomValues(new Uint8Array(32));
    const first = await l2App(entra.fetch, store, {
      encryption: { keys: [{ id: "k1", key: k1 }] },
    }).acquireTokenForClient(graph);
    const [[storeKey, value]] = [...stored.entries()] as [[string, string]];
    expect(storeKey).not.toContain(tenantA);
    expect(value).not.toContain(first.accessToken);
    expect(value).not.toContain(first.accessToken.split(".")[1]);
    expect(value).not.toContain(tenantA);
    const rotated = await l2App(entra.fetch, store, {
      encryption: {
        keys: [
          { id: "k2", key: k2 },
          { id: "k1", key: k1 },
        ],
      },
    }).acquireTokenForClient(graph);
    expect(rotated.authenticationResultMetadata.cacheLevel).toBe(CacheLevel.L2Cache);
    const onCacheError = vi.fn();
    const wrong = await l2App(entra.fetch, store, {
      encryption: { keys: [{ id: "k1", key: k2 }] },
      onCacheError,
    }).acquireTokenForClient(graph);
    expect(wrong.authenticationResultMetadata.tokenSource).toBe(TokenSource.IdentityProvider);
    expect(onCacheError).toHaveBeenCalledWith(expect.objectContaining({ reason: "invalid" }));
  });

  it("refuses a record copied under another tenant's key", async () => {
    const entra = await emulator();
    const stored = new Map<string, string>();
    const store = mapStore(stored);
    await l2App(entra.fetch, store).acquireTokenForClient(graph);
    const [value] = [...stored.values()];
    const victim = builder(entra.fetch)
      .withClientSecret(secret)
      .withTenantId(tenantB)
      .withCache(store)
      .build();
    await victim.acquireTokenForClient(graph); // writes tenant B's key
    for (const key of stored.keys()) stored.set(key, value as string); // attacker copies A's record everywhere
    const b = await builder(entra.fetch)
      .withClientSecret(secret)
      .withTenantId(tenantB)
      .withCache(store)
      .build()
      .acquireTokenForClient(graph);
    expect(b.authenticationResultMetadata.tokenSource).toBe(TokenSource.IdentityProvider);
    expect((await entra.verifyAccessToken(b.accessToken)).tid).toBe(tenantB);
  });

  it("shares a throttling block with other instances through the store", async () => {
    const entra = await emulator();
    const store = memoryCache();
    entra.injectFault(faults.throttled(30));
    await expect(l2App(entra.fetch, store).acquireTokenForClient(graph)).rejects.toMatchObject({
      name: "ThrottledError",
      retryAfterMs: 30_000,
    });
    const other = l2App(entra.fetch, store);
    const error = await rejectionOf(() => other.acquireTokenForClient(graph));
    expect(error).toMatchObject({ name: "ThrottledError", status: 429 });
    expect((error as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(25_000);
    expect(entra.tokenRequests()).toHaveLength(1);
    await expect(other.acquireTokenForClient(graph).withTenantId(tenantB)).resolves.toMatchObject({
      tenantId: tenantB,
    });
  });

  it("with a lease, two instances sharing one store make one request for 1,000 concurrent cold calls", async () => {
    const entra = await emulator();
    entra.injectFault(faults.delay(100));
    const store = memoryCache();
    const one = l2App(entra.fetch, store, { lease: true });
    const two = l2App(entra.fetch, store, { lease: true });
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        (i % 2 === 0 ? one : two).acquireTokenForClient(graph),
      ),
    );
    expect(entra.tokenRequests()).toHaveLength(1);
    expect(new Set(results.map((r) => r.accessToken)).size).toBe(1);
  });
});

function mapStore(stored: Map<string, string>): CacheAdapter {
  return {
    get: async (key: string): Promise<string | undefined> => stored.get(key),
    set: async (key: string, value: string): Promise<void> => {
      stored.set(key, value);
    },
    delete: async (key: string): Promise<void> => {
      stored.delete(key);
    },
  };
}
