// Shared throttle markers: an instance told by the identity provider to back off (429/503 with
// Retry-After) writes a marker to the L2 store, and the other instances honour it on a miss. A
// marker is capped at the writer's one-hour maximum on the reader's clock (from the first time
// the reader saw it, however long it stays in the store), a block read from a marker ends when
// the marker is gone, and with encryption on markers are sealed: an unsealed marker, one sealed
// under other keys or one moved from another key blocks nothing and is reported as invalid.
import { describe, expect, it } from "vitest";
import {
  ThrottledError,
  TokenSource,
  type CacheAdapter,
  type CacheErrorEvent,
  type DistributedCacheOptions,
} from "../../src/index";
import { faults } from "../../src/testing/index";
import { clock, failureOf, graph, makeApp, mapStore, tenantB, useEmulator } from "./helpers";

const env = useEmulator();
const hourMs = 3_600_000;
const keys = (fill: number) => ({ keys: [{ id: "k1", key: new Uint8Array(32).fill(fill) }] });

type Store = ReturnType<typeof mapStore>;

/** An instance on `store` (its own L1 and throttle state), its `onCacheError` events. */
function instance(store: CacheAdapter, options: DistributedCacheOptions = {}) {
  const events: CacheErrorEvent[] = [];
  const app = makeApp(env.entra, {
    cache: store,
    cacheOptions: { ...options, onCacheError: (event) => void events.push(event) },
  });
  return { app, events };
}

/** Has a first instance throttled (Retry-After: 60 s); returns the marker's store key. */
async function throttledBy(store: Store, options: DistributedCacheOptions = {}): Promise<string> {
  env.entra.injectFault(faults.throttled(60));
  const error = await failureOf(instance(store, options).app.acquireTokenForClient(graph));
  expect(error).toBeInstanceOf(ThrottledError);
  const key = [...store.map.keys()].find((k) => k.startsWith("throttle3:"));
  if (key === undefined) throw new Error("no marker was written");
  return key;
}

const requests = (): number => env.entra.tokenRequests().length;

describe("throttle markers shared through L2", () => {
  it("a marker from a clock 10 days ahead blocks another instance for one hour at most", async () => {
    const store = mapStore(); // keeps values for ever, like a store an attacker wrote with no TTL
    const markerKey = await throttledBy(store);
    store.map.set(markerKey, JSON.stringify({ until: clock.now + 10 * 24 * hourMs, status: 429 }));
    const { app } = instance(store);
    const error = await failureOf(app.acquireTokenForClient(graph));
    expect(error).toBeInstanceOf(ThrottledError);
    expect(error).toMatchObject({ retryAfterMs: hourMs });
    // The marker is still there; the hour counts from the first read, not from each read.
    clock.now += hourMs / 2;
    expect(await failureOf(app.acquireTokenForClient(graph))).toMatchObject({
      retryAfterMs: hourMs / 2,
    });
    const before = requests();
    clock.now += hourMs / 2;
    const result = await app.acquireTokenForClient(graph);
    expect(result.authenticationResultMetadata.tokenSource).toBe(TokenSource.IdentityProvider);
    expect(requests()).toBe(before + 1);
  });

  it("a fresh instance reading the same stored marker is capped at one hour from its own first read", async () => {
    const store = mapStore();
    const markerKey = await throttledBy(store);
    store.map.set(markerKey, JSON.stringify({ until: clock.now + 10 * 24 * hourMs, status: 503 }));
    clock.now += 5 * hourMs;
    const error = await failureOf(instance(store).app.acquireTokenForClient(graph));
    expect(error).toMatchObject({ name: "ThrottledError", status: 503, retryAfterMs: hourMs });
  });

  it("the block read from a marker ends when the marker is gone", async () => {
    const store = mapStore();
    const markerKey = await throttledBy(store);
    const { app } = instance(store);
    expect(await failureOf(app.acquireTokenForClient(graph))).toBeInstanceOf(ThrottledError);
    store.map.delete(markerKey); // expired, or removed by an operator
    const before = requests();
    const result = await app.acquireTokenForClient(graph);
    expect(result.authenticationResultMetadata.tokenSource).toBe(TokenSource.IdentityProvider);
    expect(requests()).toBe(before + 1);
  });

  it("a forced refresh follows the marker too", async () => {
    const store = mapStore();
    const markerKey = await throttledBy(store);
    const { app } = instance(store);
    expect(await failureOf(app.acquireTokenForClient(graph))).toBeInstanceOf(ThrottledError);
    expect(await failureOf(app.acquireTokenForClient(graph).withForceRefresh())).toBeInstanceOf(
      ThrottledError,
    );
    store.map.delete(markerKey);
    await expect(app.acquireTokenForClient(graph).withForceRefresh()).resolves.toBeDefined();
  });

  it("the instance that was throttled keeps its own block, marker or not", async () => {
    const store = mapStore();
    env.entra.injectFault(faults.throttled(60));
    const { app } = instance(store);
    expect(await failureOf(app.acquireTokenForClient(graph))).toBeInstanceOf(ThrottledError);
    for (const key of store.map.keys()) store.map.delete(key);
    const before = requests();
    expect(await failureOf(app.acquireTokenForClient(graph))).toBeInstanceOf(ThrottledError);
    expect(requests()).toBe(before);
  });
});

describe("throttle markers with encryption on", () => {
  const sealed: DistributedCacheOptions = { encryption: keys(3) };

  it("are sealed, and block the instances that share the keys", async () => {
    const store = mapStore();
    const markerKey = await throttledBy(store, sealed);
    const value = store.map.get(markerKey) as string;
    expect(value.startsWith("e1.")).toBe(true);
    expect(value).not.toMatch(/until|status|429/);
    const error = await failureOf(instance(store, sealed).app.acquireTokenForClient(graph));
    expect(error).toMatchObject({ name: "ThrottledError", retryAfterMs: 60_000 });
  });

  it("ignore an unsealed marker and report it as invalid", async () => {
    const store = mapStore();
    const markerKey = await throttledBy(store, sealed);
    store.map.set(markerKey, JSON.stringify({ until: clock.now + 60_000, status: 429 }));
    const { app, events } = instance(store, sealed);
    const result = await app.acquireTokenForClient(graph);
    expect(result.authenticationResultMetadata.tokenSource).toBe(TokenSource.IdentityProvider);
    expect(events).toContainEqual(expect.objectContaining({ operation: "get", reason: "invalid" }));
  });

  it("ignore a marker sealed under other keys and report it as invalid", async () => {
    const store = mapStore();
    await throttledBy(store, { encryption: keys(4) });
    const { app, events } = instance(store, sealed);
    const result = await app.acquireTokenForClient(graph);
    expect(result.authenticationResultMetadata.tokenSource).toBe(TokenSource.IdentityProvider);
    expect(events).toContainEqual(expect.objectContaining({ operation: "get", reason: "invalid" }));
  });

  it("ignore a marker moved from another tenant's key", async () => {
    const store = mapStore();
    const markerKey = await throttledBy(store, sealed);
    const { app, events } = instance(store, sealed);
    await app.acquireTokenForClient(graph, { tenantId: tenantB });
    const tokenKeyB = [...store.map.keys()].find((k) => k.startsWith("at3:")) as string;
    store.map.set(tokenKeyB.replace("at3:", "throttle3:"), store.map.get(markerKey) as string);
    store.map.delete(tokenKeyB);
    const other = instance(store, sealed);
    const result = await other.app.acquireTokenForClient(graph, { tenantId: tenantB });
    expect(result.authenticationResultMetadata.tokenSource).toBe(TokenSource.IdentityProvider);
    expect(other.events).toContainEqual(
      expect.objectContaining({ operation: "get", reason: "invalid" }),
    );
    expect(events).toEqual([]);
  });
});
