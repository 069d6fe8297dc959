import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, expect, it } from "vitest";
import { workersKvCache, type KvNamespaceLike } from "../../adapters/workers-kv";
import {
  failingStore,
  testCacheAdapter,
  testCacheAdapterResults,
  uniqueKey,
  type CaseResult,
} from "./conformance";
import { runtimeEntry } from "./runtime/spawn";
import { workersKvSuite } from "./runtime/suites";

/**
 * The binding as this file uses it. (Miniflare's own return type needs @cloudflare/workers-types,
 * which this repo does not install; the adapter is typed structurally for that very reason.)
 */
interface TestKvNamespace extends KvNamespaceLike {
  list(options: {
    prefix: string;
  }): Promise<{ keys: Array<{ name: string; expiration?: number }> }>;
}

/** A real local KV namespace, served by workerd through miniflare. */
let mf: Miniflare;
let kv: TestKvNamespace;

beforeAll(async () => {
  // The worker runs the same cases inside workerd (see testCacheAdapterResults below); from Node,
  // getKVNamespace gives a proxy to the very same local KV namespace.
  const bundle = await build({
    entryPoints: [runtimeEntry("workerd-kv.entry.ts")],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    write: false,
  });
  mf = new Miniflare({
    modules: true,
    script: bundle.outputFiles[0]?.text ?? "",
    kvNamespaces: ["TOKENS"],
    compatibilityDate: "2026-04-26",
  });
  kv = (await mf.getKVNamespace("TOKENS")) as unknown as TestKvNamespace;
});

afterAll(async () => {
  await mf?.dispose();
});

/** The TTL KV holds for a key, from the absolute `expiration` (seconds) that `list()` reports. */
async function storedTtlMs(storeKey: string): Promise<number | undefined> {
  const { keys } = await kv.list({ prefix: storeKey });
  const entry = keys.find((k) => k.name === storeKey);
  return entry?.expiration === undefined ? undefined : entry.expiration * 1000 - Date.now();
}

testCacheAdapterResults({
  ...workersKvSuite,
  run: async () => (await (await mf.dispatchFetch("http://localhost/")).json()) as CaseResult[],
});

testCacheAdapter({
  name: "workers-kv (from Node, through miniflare's binding proxy)",
  capabilities: workersKvSuite.capabilities,
  create: async () => ({
    adapter: workersKvCache(kv),
    defaultPrefix: "entra-edge:",
    withPrefix: (prefix) => workersKvCache(kv, { prefix }),
    failing: (mode, error) => workersKvCache(failingStore(kv, mode, error)),
    storedTtlMs: (key) => storedTtlMs(`entra-edge:${key}`),
    cleanup: async () => {},
  }),
  additionalTests() {
    it("hashes a key longer than 512 UTF-8 bytes (KV's limit) under the prefix", async () => {
      const cache = workersKvCache(kv, { prefix: "long:" });
      const key = `${uniqueKey("k")}-${"é".repeat(300)}`; // 600+ bytes
      await cache.set(key, "v", 60);
      expect(await cache.get(key)).toBe("v");
      const { keys } = await kv.list({ prefix: "long:" });
      expect(keys.map((k) => k.name)).toContainEqual(
        expect.stringMatching(/^long:#sha256:[\w-]{43}$/),
      );
      await cache.delete(key);
      expect(await cache.get(key)).toBeUndefined();
    });

    it("passes cacheTtl to get() and validates it", async () => {
      const calls: unknown[] = [];
      const spy: KvNamespaceLike = {
        get: async (key, options) => (calls.push(options), kv.get(key, options)),
        put: (key, value, options) => kv.put(key, value, options),
        delete: (key) => kv.delete(key),
      };
      await workersKvCache(spy, { cacheTtl: 30 }).get(uniqueKey("c"));
      await workersKvCache(spy).get(uniqueKey("c"));
      expect(calls).toEqual([{ type: "text", cacheTtl: 30 }, { type: "text" }]);
      expect(() => workersKvCache(kv, { cacheTtl: 29 })).toThrow(RangeError);
      expect(() => workersKvCache(kv, { cacheTtl: 30.5 })).toThrow(RangeError);
    });

    it("rounds a fractional TTL up and rejects a non-positive one", async () => {
      const cache = workersKvCache(kv, { prefix: "frac:" });
      const key = uniqueKey("f");
      await cache.set(key, "v", 90.2);
      const ttl = await storedTtlMs(`frac:${key}`);
      expect(ttl).toBeGreaterThan(88_000);
      expect(ttl).toBeLessThanOrEqual(92_000);
      await expect(cache.set(key, "v", 0)).rejects.toThrow(RangeError);
    });

    it("rejects something that is not a KV binding", () => {
      expect(() => workersKvCache({} as KvNamespaceLike)).toThrow(TypeError);
    });
  },
});
