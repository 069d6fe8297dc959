// Equal applications share their per-isolate state (L1, requests in flight, key), and only equal
// ones: a different fetch, different client capabilities, or another L2 store or encryption key
// gets state of its own, so no token crosses to where the other application would not put it.
import { describe, expect, it } from "vitest";
import { memoryCache } from "../../adapters/memory";
import { workersKvCache } from "../../adapters/workers-kv";
import { CacheLevel, ConfidentialClientApplication, TokenSource } from "../../src/index";
import type { ConfidentialClientApplicationOptions } from "../../src/index";
import { clientId, emulator, graph, secret, tenantA } from "./setup";

/** A unique client secret per test, so that no other test's applications share state with these. */
let serial = 0;

async function pair(
  first: Partial<ConfidentialClientApplicationOptions>,
  second: Partial<ConfidentialClientApplicationOptions>,
) {
  const entra = await emulator({
    apps: [{ clientId, secrets: [`${secret}-${++serial}`] }],
  });
  const base = { clientId, tenantId: tenantA, clientSecret: `${secret}-${serial}` };
  const a = new ConfidentialClientApplication({ ...base, fetch: entra.fetch, ...first });
  const b = new ConfidentialClientApplication({ ...base, fetch: entra.fetch, ...second });
  await a.acquireTokenForClient(graph);
  const fromB = await b.acquireTokenForClient(graph);
  return {
    source: fromB.authenticationResultMetadata.tokenSource,
    level: fromB.authenticationResultMetadata.cacheLevel,
  };
}

describe("sharing of per-isolate state", () => {
  it("shares between equal applications (the Worker pattern)", async () => {
    const store = memoryCache();
    const { level } = await pair({ cache: store }, { cache: store });
    expect(level).toBe(CacheLevel.L1Cache);
  });

  it("shares between applications built per request over one store binding (Worker pattern)", async () => {
    const values = new Map<string, string>();
    const binding = {
      get: async (key: string) => values.get(key) ?? null,
      put: async (key: string, value: string) => void values.set(key, value),
      delete: async (key: string) => void values.delete(key),
    };
    expect(workersKvCache(binding)).toBe(workersKvCache(binding));
    expect(workersKvCache(binding, { prefix: "other:" })).not.toBe(workersKvCache(binding));
    const { level } = await pair(
      { cache: workersKvCache(binding) },
      { cache: workersKvCache(binding) },
    );
    expect(level).toBe(CacheLevel.L1Cache);
  });

  it("does not share across different fetch functions", async () => {
    const entra = await emulator({ apps: [{ clientId, secrets: [`${secret}-${++serial}`] }] });
    const base = { clientId, tenantId: tenantA, clientSecret: `${secret}-${serial}` };
    let viaSecond = 0;
    const second: typeof fetch = (input, init) => {
      viaSecond++;
      return entra.fetch(input, init);
    };
    await new ConfidentialClientApplication({ ...base, fetch: entra.fetch }).acquireTokenForClient(
      graph,
    );
    const result = await new ConfidentialClientApplication({
      ...base,
      fetch: second,
    }).acquireTokenForClient(graph);
    expect(result.authenticationResultMetadata.tokenSource).toBe(TokenSource.IdentityProvider);
    expect(viaSecond).toBe(1);
  });

  it("does not share across client capabilities", async () => {
    const { source } = await pair({}, { clientCapabilities: ["cp1"] });
    expect(source).toBe(TokenSource.IdentityProvider);
  });

  it("does not share across L2 stores", async () => {
    const { source } = await pair({ cache: memoryCache() }, { cache: memoryCache() });
    expect(source).toBe(TokenSource.IdentityProvider);
  });

  it("does not share across L2 encryption keys", async () => {
    const store = memoryCache();
    const key = (byte: number) => ({ id: "k1", key: new Uint8Array(32).fill(byte) });
    const { source } = await pair(
      { cache: store, cacheOptions: { encryption: { keys: [key(1)] } } },
      { cache: store, cacheOptions: { encryption: { keys: [key(2)] } } },
    );
    expect(source).toBe(TokenSource.IdentityProvider);
  });
});
