// The cross-instance refresh lease against a slow identity provider. Each "instance" is a
// separate application object with its own L1 and state (`memoryCache: { shared: false }`), all
// over one shared store, as separate processes would be. What is counted is token requests: at
// most one per lease period (one in all when the holder renews its lease), a lease released only
// by its owner, handed over at once when its holder fails, and never held for ever by a value
// nobody renews.
import { describe, expect, it } from "vitest";
import { memoryCache } from "../../adapters/memory";
import {
  ThrottledError,
  type AuthenticationResult,
  type CacheAdapter,
  type DistributedCacheOptions,
} from "../../src/index";
import { faults } from "../../src/testing/index";
import { graph, makeApp, tenantB, useEmulator } from "./helpers";

const env = useEmulator();
const requests = (): number => env.entra.tokenRequests().length;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A store that records the keys written, and can hide the lease methods a store may lack. */
function sharedStore(
  without: ReadonlyArray<"setIfEquals" | "deleteIfEquals"> = [],
): CacheAdapter & { readonly keys: Set<string>; readonly base: ReturnType<typeof memoryCache> } {
  const base = memoryCache(); // real clock: leases expire in real time
  const keys = new Set<string>();
  const adapter: CacheAdapter & { keys: Set<string>; base: typeof base } = {
    name: "shared",
    keys,
    base,
    get: (key) => base.get(key),
    set: (key, value, ttl) => (keys.add(key), base.set(key, value, ttl)),
    delete: (key) => base.delete(key),
    setIfAbsent: (key, value, ttlMs) => (keys.add(key), base.setIfAbsent(key, value, ttlMs)),
    setIfEquals: (key, expected, value, ttlMs) => base.setIfEquals(key, expected, value, ttlMs),
    deleteIfEquals: (key, expected) => base.deleteIfEquals(key, expected),
  };
  for (const method of without) delete adapter[method];
  return adapter;
}

/** `count` instances over `store`, each with its own L1 and throttle state. */
function instances(count: number, store: CacheAdapter, options: DistributedCacheOptions) {
  return Array.from({ length: count }, () =>
    makeApp(env.entra, { cache: store, cacheOptions: options }),
  );
}

const slowProvider = (ms: number) =>
  env.entra.injectFault(faults.delay(ms, { times: Infinity, match: { kind: "token" } }));

function settle(promises: Promise<AuthenticationResult>[]) {
  return Promise.allSettled(promises);
}

describe("lease with a slow identity provider (8 instances, 300 ms lease, 700 ms answers)", () => {
  it("one token request: the holder renews its lease while its request runs", async () => {
    slowProvider(700);
    const apps = instances(8, sharedStore(), { lease: { ttlMs: 300 } });
    const results = await Promise.all(apps.map((app) => app.acquireTokenForClient(graph)));
    expect(requests()).toBe(1);
    expect(new Set(results.map((result) => result.accessToken)).size).toBe(1);
  });

  it("a store that cannot renew: at most one token request per lease period", async () => {
    slowProvider(700);
    const apps = instances(8, sharedStore(["setIfEquals"]), { lease: { ttlMs: 300 } });
    const results = await Promise.all(apps.map((app) => app.acquireTokenForClient(graph)));
    expect(requests()).toBeGreaterThanOrEqual(1);
    expect(requests()).toBeLessThanOrEqual(Math.ceil(700 / 300));
    expect(results.every((result) => result.accessToken !== "")).toBe(true);
  });

  it("a store that can neither renew nor compare-and-delete (a user adapter of an earlier version) still works", async () => {
    slowProvider(700);
    const apps = instances(8, sharedStore(["setIfEquals", "deleteIfEquals"]), {
      lease: { ttlMs: 300 },
    });
    await Promise.all(apps.map((app) => app.acquireTokenForClient(graph)));
    expect(requests()).toBeLessThanOrEqual(Math.ceil(700 / 300));
  });
});

describe("lease ownership", () => {
  it("a lease taken just after the holder wrote its token and released: the token is read again, not requested", async () => {
    const store = sharedStore();
    const [a] = instances(1, store, { lease: true });
    await a!.acquireTokenForClient(graph); // written to the store, lease released
    // B's read of the token key happened before A's write (a stale miss); its take comes after.
    let stale = true;
    const late: CacheAdapter = {
      ...store,
      get: (key) =>
        stale && key.startsWith("at3:") ? ((stale = false), Promise.resolve(null)) : store.get(key),
    };
    const [b] = instances(1, late, { lease: true });
    const result = await b!.acquireTokenForClient(graph);
    expect(stale, "B's first read was the stale one").toBe(false);
    expect(requests()).toBe(1);
    expect(result.authenticationResultMetadata.cacheLevel).toBe("L2Cache");
    const leaseKey = [...store.keys].find((key) => key.startsWith("lease3:")) as string;
    expect(await store.get(leaseKey), "B released the lease it took").toBeUndefined();
  });

  it("a holder whose lease expired does not release the next holder's lease", async () => {
    slowProvider(700);
    const store = sharedStore(["setIfEquals"]); // no renewal: A's 300 ms lease expires
    const [a] = instances(1, store, { lease: { ttlMs: 300 } });
    const [c] = instances(1, store, { lease: { ttlMs: 5000 } });
    const first = a!.acquireTokenForClient(graph).executeAsync();
    await sleep(400);
    const second = c!.acquireTokenForClient(graph).executeAsync(); // takes the expired lease
    await first;
    await sleep(30); // A has written its token and released (or not) the lease
    const leaseKey = [...store.keys].find((key) => key.startsWith("lease3:")) as string;
    expect(await store.get(leaseKey), "C's lease is still there").toEqual(expect.any(String));
    await second;
    expect(await store.get(leaseKey), "C released its own lease").toBeUndefined();
    expect(requests()).toBe(2);
  });

  it("a holder that fails hands the lease over at once (no wait for it to expire)", async () => {
    env.entra.injectFault({
      type: "error",
      status: 401,
      error: "invalid_client",
      code: 7000222,
      message: "The provided client secret keys are expired.",
      match: { kind: "token" },
    });
    const apps = instances(8, sharedStore(), { lease: { ttlMs: 5000 } });
    const started = Date.now();
    const settled = await settle(
      apps.map((app) => app.acquireTokenForClient(graph).executeAsync()),
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(settled.filter((s) => s.status === "rejected")).toHaveLength(1);
    expect(requests()).toBe(2);
  });

  it("a throttled holder: the waiters honour its marker and send nothing", async () => {
    env.entra.injectFault(faults.throttled(60, { match: { kind: "token" } }));
    const apps = instances(8, sharedStore(), { lease: { ttlMs: 5000 } });
    const started = Date.now();
    const settled = await settle(
      apps.map((app) => app.acquireTokenForClient(graph).executeAsync()),
    );
    expect(Date.now() - started).toBeLessThan(2000);
    for (const outcome of settled) {
      expect(outcome.status).toBe("rejected");
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(ThrottledError);
    }
    expect(requests()).toBe(1);
  });
});

describe("a lease nobody renews or releases", () => {
  /** The store key of tenant B's lease, found from the token key an acquisition wrote. */
  async function leaseKeyOfTenantB(store: ReturnType<typeof sharedStore>): Promise<string> {
    await makeApp(env.entra, { cache: store }).acquireTokenForClient(graph, { tenantId: tenantB });
    const tokenKey = [...store.keys].find((key) => key.startsWith("at3:")) as string;
    await store.delete(tokenKey);
    return tokenKey.replace("at3:", "lease3:");
  }

  it("a value that never changes is taken over (by one instance) after two lease periods and a second", async () => {
    const store = sharedStore();
    const leaseKey = await leaseKeyOfTenantB(store);
    await store.base.set(leaseKey, "written-by-nobody", 3600);
    const before = requests();
    const started = Date.now();
    const apps = instances(4, store, { lease: { ttlMs: 300 } });
    await Promise.all(apps.map((app) => app.acquireTokenForClient(graph, { tenantId: tenantB })));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(requests() - before).toBe(1);
  });

  it("with encryption on, an unsealed lease value is taken over at once", async () => {
    const encryption = { keys: [{ id: "k1", key: new Uint8Array(32).fill(5) }] };
    const store = sharedStore();
    const leaseKey = await leaseKeyOfTenantB(store);
    await store.base.set(leaseKey, "forged", 3600);
    const before = requests();
    const started = Date.now();
    const apps = instances(4, store, { lease: { ttlMs: 5000 }, encryption });
    await Promise.all(apps.map((app) => app.acquireTokenForClient(graph, { tenantId: tenantB })));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(requests() - before).toBe(1);
  });
});
