/**
 * A Worker that runs the cache adapter conformance cases for `workersKvCache` inside workerd, on
 * its own `TOKENS` binding, and answers `fetch` with the results as JSON. Bundled with esbuild and
 * served by miniflare from `test/adapters/workers-kv.test.ts` (no `nodejs_compat`).
 *
 * @module
 */

import { workersKvCache, type KvNamespaceLike } from "../../../adapters/workers-kv";
import { failingStore, uniqueKey, type AdapterHarness } from "../cases";
import { runAdapterCases } from "./run-cases";
import { workersKvSuite } from "./suites";

interface Env {
  TOKENS: KvNamespaceLike & {
    list(options: {
      prefix: string;
    }): Promise<{ keys: Array<{ name: string; expiration?: number }> }>;
  };
}

export default {
  async fetch(_request: Request, env: Env): Promise<Response> {
    const kv = env.TOKENS;
    const create = async (): Promise<AdapterHarness> => ({
      adapter: workersKvCache(kv),
      defaultPrefix: "entra-edge:",
      withPrefix: (prefix) => workersKvCache(kv, { prefix }),
      failing: (mode, error) => workersKvCache(failingStore(kv, mode, error)),
      storedTtlMs: async (key) => {
        const storeKey = `entra-edge:${key}`;
        const entry = (await kv.list({ prefix: storeKey })).keys.find((k) => k.name === storeKey);
        return entry?.expiration === undefined ? undefined : entry.expiration * 1000 - Date.now();
      },
      cleanup: async () => {},
    });
    const [hashing] = workersKvSuite.extraCases;
    const results = await runAdapterCases(
      create,
      workersKvSuite.capabilities,
      [
        {
          name: hashing,
          async run() {
            const cache = workersKvCache(kv, { prefix: "long-workerd:" });
            const key = `${uniqueKey("k")}-${"é".repeat(300)}`;
            await cache.set(key, "v", 60);
            const names = (await kv.list({ prefix: "long-workerd:#sha256:" })).keys.map(
              (k) => k.name,
            );
            if ((await cache.get(key)) !== "v" || names.length !== 1) {
              throw new Error(
                `assertion failed: hashed key round trip; stored keys ${JSON.stringify(names)}`,
              );
            }
          },
        },
      ],
      () => {},
    );
    return Response.json(results);
  },
};
