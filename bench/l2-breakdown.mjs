#!/usr/bin/env node
// Diagnostic (not part of `npm run bench`): where the time of an L2 hit through Redis goes above
// a bare GET. Starts a real redis-server and times, interleaved in rotating order on one
// connection, a bare GET and a ladder of partial L2 reads built from the library's own pieces,
// each adding one step, up to the full acquisition. Each line is the median minus the bare GET's
// median. Usage: node bench/l2-breakdown.mjs [--iterations 6000]
//
// What it showed on the reference VM (BENCHMARKS.md): a hand-written minimal read (GET,
// JSON.parse of the header, a Map insert) costs +4-5 µs; the record parse +1, the adapter +1,
// building the key +1.5, hashing it +3, the L1 insert and result +2.5, and the acquisition around
// it (validation, single flight, timeout, promise hops, the request builder) the rest, to +20-24.
// The same pieces cost 2-3x less in a tight loop: after each round trip the process has been
// idle and its caches are cold.
import { build } from "esbuild";
import { join } from "node:path";
import { buildAll } from "./build.mjs";
import {
  GRAPH,
  tenantId,
  stats,
  args,
  buildDir,
  root,
  loadLib,
  CLIENT_ID,
  startBenchRedis,
} from "./lib/common.mjs";
import { oursOptions, cannedFetch } from "./lib/clients.mjs";

const options = args();
const iterations = Number(options.iterations ?? 6000);
await buildAll();
// The library's internal pieces, bundled from src/ like the rest of the bench build.
await build({
  absWorkingDir: root,
  stdin: {
    contents: [
      'export { MemoryTokenCache } from "./src/cache/memory-token-cache";',
      'export { parseTokenRecord } from "./src/cache/token-record";',
      'export { prefixedHash128 } from "./src/internal/fast-hash";',
      'export { CachedAuthenticationResult } from "./src/cache/cached-result";',
      'export { tokenCacheKey, cacheKeyPrefix } from "./src/cache/cache-key";',
      'export { scopesCacheKey } from "./src/request/scopes";',
    ].join("\n"),
    resolveDir: root,
    loader: "ts",
  },
  outfile: join(buildDir, "diag", "internals.mjs"),
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  logLevel: "warning",
});
const I = await import(join(buildDir, "diag", "internals.mjs"));
const lib = await loadLib();
const { redis, redisCache, stop } = await startBenchRedis();
try {
  const origin = "http://127.0.0.1:9"; // never contacted: the one token request is canned
  const tenant = tenantId(7);
  const scopes = [GRAPH];
  const adapter = redisCache(redis);
  const app = new lib.ConfidentialClientApplication({
    ...oursOptions(origin, { fetch: cannedFetch() }),
    cache: adapter,
    memoryCache: { shared: false },
  });
  await app.acquireTokenForClient(scopes, { tenantId: tenant });
  const [fullKey] = await redis.keys("*");
  const storeKey = fullKey.slice(fullKey.indexOf("at3:"));
  const prefix = I.cacheKeyPrefix(new URL(origin).host, CLIENT_ID);
  const l1Key = I.tokenCacheKey("", tenant, I.scopesCacheKey(scopes));
  const hash = I.prefixedHash128(prefix);
  if (`at3:${hash(l1Key)}` !== storeKey)
    throw new Error(`the store key is not at3:hash(prefix + L1 key): ${storeKey}`);
  const l1 = new I.MemoryTokenCache({}, () => "");
  const plain = new Map();
  const steps = {
    "bare GET": () => redis.get(fullKey),
    "GET + JSON.parse + Map.set": async () => {
      const value = await redis.get(fullKey);
      const end = value.indexOf("\n");
      const header = JSON.parse(value.slice(0, end));
      plain.clear();
      plain.set(l1Key, { header, token: value.slice(end + 1) });
    },
    "+ parseTokenRecord": async () => {
      const token = I.parseTokenRecord(prefix + l1Key, await redis.get(fullKey));
      plain.clear();
      plain.set(l1Key, token);
    },
    "+ adapter": async () => {
      const token = I.parseTokenRecord(prefix + l1Key, await adapter.get(storeKey));
      plain.clear();
      plain.set(l1Key, token);
    },
    "+ key": async () => {
      const key = I.tokenCacheKey("", tenant, I.scopesCacheKey(scopes));
      const token = I.parseTokenRecord(prefix + key, await adapter.get(storeKey));
      plain.clear();
      plain.set(key, token);
    },
    "+ hash": async () => {
      const key = I.tokenCacheKey("", tenant, I.scopesCacheKey(scopes));
      const token = I.parseTokenRecord(prefix + key, await adapter.get(`at3:${hash(key)}`));
      plain.clear();
      plain.set(key, token);
    },
    "+ L1 insert + result": async () => {
      const key = I.tokenCacheKey("", tenant, I.scopesCacheKey(scopes));
      const token = I.parseTokenRecord(prefix + key, await adapter.get(`at3:${hash(key)}`));
      l1.clear();
      l1.set(key, token, Date.now());
      return new I.CachedAuthenticationResult(token, "L2Cache", undefined, 0);
    },
    "acquireTokenForClient (L1 emptied)": async () => {
      app.removeTokens();
      const result = await app.acquireTokenForClient(scopes, { tenantId: tenant });
      if (result.authenticationResultMetadata.cacheLevel !== "L2Cache")
        throw new Error("expected an L2 hit");
    },
  };
  const names = Object.keys(steps);
  const samples = new Map(names.map((name) => [name, []]));
  const warmup = 500;
  for (let i = 0; i < warmup + iterations; i++) {
    // Rotate the order and reverse it every other round, so no step always follows another.
    const rotation = i % names.length;
    let order = [...names.slice(rotation), ...names.slice(0, rotation)];
    if (Math.floor(i / names.length) % 2 === 1) order = order.reverse();
    for (const name of order) {
      const t0 = performance.now();
      await steps[name]();
      if (i >= warmup) samples.get(name).push((performance.now() - t0) * 1000);
    }
  }
  const bare = stats(samples.get("bare GET")).median;
  for (const name of names) {
    const median = stats(samples.get(name)).median;
    const line = {
      step: name,
      medianUs: Number(median.toFixed(2)),
      overBareUs: Number((median - bare).toFixed(2)),
      overBarePct: Number((((median - bare) / bare) * 100).toFixed(1)),
    };
    console.log(JSON.stringify(line));
  }
} finally {
  await stop();
}
