// Scenario 6: an L2 hit (L1 empty, the token in the distributed store) through Workers KV
// (miniflare's local KV, from Node through miniflare's binding) and Redis (a real redis-server,
// ioredis), each against a bare `get` of the same key on the same client, interleaved call by
// call so both see the same store, connection and machine state.
import { join } from "node:path";
import {
  GRAPH,
  tenantId,
  emit,
  stats,
  buildDir,
  serverCounts,
  loadLib,
  startBenchRedis,
} from "../lib/common.mjs";
import { oursOptions } from "../lib/clients.mjs";

const scopes = [GRAPH];

async function interleaved(bare, ours, iterations, warmup) {
  for (let i = 0; i < warmup; i++) {
    await bare();
    await ours();
  }
  const a = [];
  const b = [];
  const time = async (run, into) => {
    const t0 = performance.now();
    await run();
    into.push((performance.now() - t0) * 1000);
  };
  // ABBA: which of the two goes first alternates, so neither always follows the other.
  for (let i = 0; i < iterations; i++) {
    if (i % 2 === 0) {
      await time(bare, a);
      await time(ours, b);
    } else {
      await time(ours, b);
      await time(bare, a);
    }
  }
  return { bare: stats(a), ours: stats(b) };
}

async function measureStore(store, origin, adapter, bareGet, listKeys, iterations) {
  const tenant = tenantId(store === "redis" ? 2950 : 2951);
  const lib = await loadLib();
  const l2app = new lib.ConfidentialClientApplication({
    ...oursOptions(origin),
    cache: adapter,
    memoryCache: { shared: false },
  });
  const known = new Set(await listKeys());
  const first = await l2app.acquireTokenForClient(scopes, { tenantId: tenant });
  if (first.authenticationResultMetadata.tokenSource !== "IdentityProvider")
    throw new Error("expected a token request first");
  // The key the library stored for this token (whatever its format): the one new key.
  const keys = (await listKeys()).filter((k) => !known.has(k));
  if (keys.length !== 1)
    throw new Error(`expected one new stored key, found ${keys.length}: ${keys.join(", ")}`);
  const [key] = keys;
  const bare = () => bareGet(key);
  const ours = () => {
    l2app.removeTokens();
    return l2app.acquireTokenForClient(scopes, { tenantId: tenant });
  };
  const check = await ours();
  if (check.authenticationResultMetadata.cacheLevel !== "L2Cache")
    throw new Error(`expected an L2 hit, got ${check.authenticationResultMetadata.cacheLevel}`);
  const before = await serverCounts(origin);
  const { bare: b, ours: o } = await interleaved(
    bare,
    ours,
    iterations,
    Math.min(300, iterations / 5),
  );
  const after = await serverCounts(origin);
  const stats1 = l2app.getCacheStatistics();
  emit({
    scenario: `l2-hit-${store}`,
    lib: "entra-edge",
    iterations,
    medianUs: o.median,
    p99Us: o.p99,
    bareGetMedianUs: b.median,
    bareGetP99Us: b.p99,
    overheadUs: o.median - b.median,
    overheadPct: ((o.median - b.median) / b.median) * 100,
    httpTokenRequests: after.token - before.token,
    l2Hits: stats1.l2Hits,
  });
}

export async function run(options) {
  const { origin } = options;
  const { workersKvCache } = await import(join(buildDir, "adapters/workers-kv.mjs"));

  const { redis, redisCache, stop } = await startBenchRedis();
  try {
    await measureStore(
      "redis",
      origin,
      redisCache(redis),
      (key) => redis.get(key),
      () => redis.keys("*"),
      Number(options.iterations ?? 5000),
    );
  } finally {
    await stop();
  }

  const { Miniflare } = await import("miniflare");
  const mf = new Miniflare({
    modules: true,
    script: "export default { fetch: () => new Response('ok') }",
    kvNamespaces: ["TOKENS"],
  });
  try {
    const kv = await mf.getKVNamespace("TOKENS");
    const options1 = { type: "text" };
    await measureStore(
      "workers-kv",
      origin,
      workersKvCache(kv),
      (key) => kv.get(key, options1),
      async () => (await kv.list()).keys.map((k) => k.name),
      Number(options.kvIterations ?? 1500),
    );
  } finally {
    await mf.dispose();
  }
}
