// What a store's `get` may return: a string, or `null`/`undefined` for no value (Workers KV and
// every Redis client answer `null` for a missing key). Anything else (a number, an object, bytes)
// is a miss too, reported as `invalid`. This holds for the three reads the core makes: the token
// record, the throttle marker and the refresh lease; with encryption on or off.
import { describe, expect, it } from "vitest";
import {
  TokenSource,
  type CacheAdapter,
  type CacheErrorEvent,
  type DistributedCacheOptions,
} from "../../src/index";
import { graph, makeApp, useEmulator } from "./helpers";

const env = useEmulator();

const encryption = { keys: [{ id: "k1", key: new Uint8Array(32).fill(7) }] };

/**
 * A store whose `get` answers `value` for the keys of `kind` (`at3:`, `throttle3:`, `lease3:`)
 * and `null` for the others; the lease is held by someone else at first, then free.
 */
function storeAnswering(value: unknown, kind: "at" | "throttle" | "lease"): CacheAdapter {
  let leaseAttempts = 0;
  return {
    name: "odd-values",
    get: async (key) => (key.startsWith(`${kind}3:`) ? value : null) as string | null,
    set: async () => undefined,
    delete: async () => undefined,
    setIfAbsent: async () => leaseAttempts++ > 0,
  };
}

const kinds = ["at", "throttle", "lease"] as const;
const modes = [
  ["plain", {}],
  ["sealed", { encryption }],
] as const;

describe("a store's get answering no value", () => {
  for (const [mode, options] of modes) {
    it.each(kinds.flatMap((kind) => [null, undefined].map((value) => [kind, value] as const)))(
      `${mode}: %s read answering %s is a miss, not a failure, and not reported`,
      async (kind, value) => {
        const { result, events } = await acquireThrough(storeAnswering(value, kind), options);
        expect(result.authenticationResultMetadata.tokenSource).toBe(TokenSource.IdentityProvider);
        expect(env.entra.tokenRequests()).toHaveLength(1);
        expect(events).toEqual([]);
      },
    );
  }
});

/** One acquisition through `store` (lease on), with the cache errors it reported. */
async function acquireThrough(store: CacheAdapter, options: DistributedCacheOptions) {
  const events: CacheErrorEvent[] = [];
  const app = makeApp(env.entra, {
    cache: store,
    cacheOptions: {
      ...options,
      lease: { ttlMs: 200 },
      onCacheError: (event) => void events.push(event),
    },
  });
  return { result: await app.acquireTokenForClient(graph), events };
}

describe("a store's get answering something other than a string", () => {
  const odd: [string, unknown][] = [
    ["a number", 42],
    ["zero", 0],
    ["false", false],
    ["an object", { v: 2 }],
    ["an array", ["x"]],
    ["bytes", new TextEncoder().encode("not a string")],
    ["a bigint", 10n],
  ];
  for (const [mode, options] of modes) {
    it.each(kinds.flatMap((kind) => odd.map(([label, value]) => [kind, label, value] as const)))(
      `${mode}: %s read answering %s is a miss, reported as invalid`,
      async (kind, _label, value) => {
        const { result, events } = await acquireThrough(storeAnswering(value, kind), options);
        expect(result.authenticationResultMetadata.tokenSource).toBe(TokenSource.IdentityProvider);
        expect(env.entra.tokenRequests()).toHaveLength(1);
        expect(events.length).toBeGreaterThan(0);
        expect(events.every((event) => event.reason === "invalid")).toBe(true);
        expect(events[0]).toMatchObject({
          operation: kind === "lease" ? "lease" : "get",
          adapter: "odd-values",
          error: undefined,
        });
      },
    );
  }
});
