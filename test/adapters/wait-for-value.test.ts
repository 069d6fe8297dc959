// The optional `CacheAdapter.waitForValue` in the refresh lease: a waiting instance learns of the
// holder's token when it is written instead of reading the store every 50 ms; a failing or hanging
// wait never holds an acquisition back; adapters without it keep polling.
import { describe, expect, it } from "vitest";
import { memoryCache } from "../../adapters/memory";
import type { CacheAdapter } from "../../src/cache/cache-adapter";
import type { CacheErrorEvent } from "../../src/index";
import { faults } from "../../src/testing/index";
import { builder, emulator, graph, secret, tenantA } from "../app/setup";

type Wait = NonNullable<CacheAdapter["waitForValue"]>;

/** A memory store with a waiter list (like the Durable Object's), counting reads of token keys. */
function waitingStore(wait?: (key: string, timeoutMs: number, real: Wait) => ReturnType<Wait>) {
  const base = memoryCache({ prefix: `wait-${crypto.randomUUID()}:` });
  const waiters = new Map<string, Set<(value: string) => void>>();
  const stats = { tokenReads: 0, waits: 0 };
  const wake = (key: string, value: string): void => {
    const set = waiters.get(key);
    waiters.delete(key);
    for (const resolve of set ?? []) resolve(value);
  };
  const real: Wait = (key, timeoutMs) =>
    new Promise((resolve) => {
      const set = waiters.get(key) ?? new Set();
      waiters.set(key, set);
      const done = (value: string | null | undefined): void => {
        clearTimeout(timer);
        set.delete(done as (value: string) => void);
        resolve(value);
      };
      const timer = setTimeout(() => void base.get(key).then(done), timeoutMs);
      set.add(done as (value: string) => void);
    });
  const adapter: CacheAdapter = {
    name: "waiting-memory",
    get: async (key) => {
      if (key.startsWith("at")) stats.tokenReads++;
      return base.get(key);
    },
    set: async (key, value, ttl) => (await base.set(key, value, ttl), wake(key, value)),
    delete: (key) => base.delete(key),
    setIfAbsent: async (key, value, ttl) =>
      (await base.setIfAbsent(key, value, ttl)) && (wake(key, value), true),
    setIfEquals: async (key, expected, value, ttl) =>
      (await base.setIfEquals(key, expected, value, ttl)) && (wake(key, value), true),
    deleteIfEquals: (key, expected) => base.deleteIfEquals(key, expected),
    waitForValue: (key, timeoutMs) => {
      stats.waits++;
      return wait === undefined ? real(key, timeoutMs) : wait(key, timeoutMs, real);
    },
  };
  return { adapter, stats };
}

async function race(
  adapter: CacheAdapter,
  delayMs: number,
  onCacheError?: (e: CacheErrorEvent) => void,
) {
  const entra = await emulator();
  entra.injectFault(faults.delay(delayMs));
  const app = () =>
    builder(entra.fetch)
      .withClientSecret(secret)
      .withTenantId(tenantA)
      .withCache(adapter, { lease: true, ...(onCacheError ? { onCacheError } : {}) })
      .build();
  const [holder, waiter] = [app(), app()];
  const started = performance.now();
  const first = holder.acquireTokenForClient(graph).then((r) => ({ r, at: performance.now() }));
  await new Promise((resolve) => setTimeout(resolve, 20));
  const second = waiter.acquireTokenForClient(graph).then((r) => ({ r, at: performance.now() }));
  const [a, b] = await Promise.all([first, second]);
  return { entra, a, b, started };
}

describe("refresh lease with waitForValue", () => {
  it("the waiter is woken by the holder's write: one token request, no 50 ms polling", async () => {
    const { adapter, stats } = waitingStore();
    const { entra, a, b } = await race(adapter, 300);
    expect(entra.tokenRequests()).toHaveLength(1);
    expect(b.r.accessToken).toBe(a.r.accessToken);
    expect(stats.waits).toBeGreaterThanOrEqual(1);
    // Polling would read the token key about 6 times in 300 ms; woken, the waiter reads it once
    // or twice (plus the holder's and the waiter's first misses).
    expect(stats.tokenReads, `token reads: ${stats.tokenReads}`).toBeLessThanOrEqual(5);
    expect(b.at - a.at).toBeLessThan(25);
  });

  it("the waiter serves the token the wait hands back, without reading the store again", async () => {
    let readsAtWake: number | undefined;
    const { adapter, stats } = waitingStore(async (key, timeoutMs, real) => {
      const value = await real(key, timeoutMs);
      readsAtWake ??= stats.tokenReads;
      return value;
    });
    const { entra, a, b } = await race(adapter, 200);
    expect(entra.tokenRequests()).toHaveLength(1);
    expect(b.r.accessToken).toBe(a.r.accessToken);
    expect(readsAtWake).toBeDefined();
    expect(stats.tokenReads).toBe(readsAtWake);
  });

  it("a wait that hands back no token record is reported; the waiter reads the store", async () => {
    const errors: CacheErrorEvent[] = [];
    const { adapter } = waitingStore(async (key, timeoutMs, real) => {
      await real(key, timeoutMs);
      return "not a token record";
    });
    const { entra, a, b } = await race(adapter, 200, (event) => errors.push(event));
    expect(entra.tokenRequests()).toHaveLength(1);
    expect(b.r.accessToken).toBe(a.r.accessToken);
    expect(errors.some((e) => e.operation === "get" && e.reason === "invalid")).toBe(true);
  });

  it("a failing wait is reported and the waiter falls back to reading the store", async () => {
    const errors: CacheErrorEvent[] = [];
    const { adapter } = waitingStore(async () => {
      throw new TypeError("wait failed");
    });
    const { entra, a, b } = await race(adapter, 200, (event) => errors.push(event));
    expect(entra.tokenRequests()).toHaveLength(1);
    expect(b.r.accessToken).toBe(a.r.accessToken);
    expect(errors.some((e) => e.operation === "lease" && e.reason === "threw")).toBe(true);
    // Its name only, never its message (see onCacheError).
    expect(errors.find((e) => e.operation === "lease")?.error).toEqual({ name: "TypeError" });
  });

  it("a wait that never answers holds the waiter at most its slice and grace (1.5 s)", async () => {
    const { adapter } = waitingStore(() => new Promise(() => {}));
    const { entra, a, b, started } = await race(adapter, 100);
    expect(entra.tokenRequests()).toHaveLength(1);
    expect(b.r.accessToken).toBe(a.r.accessToken);
    expect(b.at - started).toBeLessThan(2500);
  });

  it("without waitForValue the waiter polls as before", async () => {
    const { adapter, stats } = waitingStore();
    const polling: CacheAdapter = { ...adapter };
    delete (polling as { waitForValue?: unknown }).waitForValue;
    const { entra, a, b } = await race(polling, 300);
    expect(entra.tokenRequests()).toHaveLength(1);
    expect(b.r.accessToken).toBe(a.r.accessToken);
    expect(stats.waits).toBe(0);
    expect(stats.tokenReads).toBeGreaterThanOrEqual(5);
  });
});
