#!/usr/bin/env node
// Diagnostic (not part of `npm run bench`): CPU-profiles one entra-edge path in-process with the
// V8 sampling profiler and prints the functions with the most self time, plus the allocation per
// call. Usage: node --expose-gc bench/profile.mjs hit|worker|miss|miss-new|miss-cert|miss-cert-new|sign|l2-memory|l2-redis|redis-bare
// [--calls N] [--top N] [--allocTop N]; PROFILE_OUT=file.cpuprofile also saves the profile (for
// Chrome DevTools). `sign` is a bare RSA-PSS signature, the reference of miss-cert-new.
import { Session } from "node:inspector/promises";
import { buildAll } from "./build.mjs";
import {
  GRAPH,
  tenantId,
  args,
  CLIENT_ID,
  SECRET,
  privateKeyPem,
  startBenchRedis,
} from "./lib/common.mjs";
import { oursApp, oursOptions, cannedFetch } from "./lib/clients.mjs";

const what = process.argv[2];
const options = args(process.argv.slice(3));
if (!process.env.ENTRA_EDGE_BENCH_BUILD) await buildAll();
const scopes = [GRAPH];
const origin = "http://127.0.0.1:9"; // never contacted: every path here uses a canned fetch or L1/L2
let call;
let calls = Number(options.calls ?? 0);
let cleanup = async () => {};
if (what === "hit" || what === "worker") {
  const { lib, app } = await oursApp(origin, { fetch: cannedFetch() });
  await app.acquireTokenForClient(scopes, { tenantId: tenantId(0) });
  const authority = oursOptions(origin).authority;
  call =
    what === "hit"
      ? () => app.acquireTokenForClient(scopes, { tenantId: tenantId0 })
      : () =>
          lib.ConfidentialClientApplicationBuilder.create(CLIENT_ID)
            .withClientSecret(SECRET)
            .withAuthority(authority)
            .build()
            .acquireTokenForClient(scopes, { tenantId: tenantId0 });
  calls ||= what === "hit" ? 3_000_000 : 500_000;
} else if (
  what === "miss" ||
  what === "miss-new" ||
  what === "miss-cert" ||
  what === "miss-cert-new"
) {
  const { app } = await oursApp(origin, {
    fetch: cannedFetch(),
    credential: what.startsWith("miss-cert") ? "certificate" : "secret",
    memoryCache: { shared: false },
  });
  let next = 1_000_000;
  call =
    what === "miss-cert-new" || what === "miss-new"
      ? () => app.acquireTokenForClient(scopes, { tenantId: tenantId(next++) })
      : () => app.acquireTokenForClient(scopes, { tenantId: tenantId0, forceRefresh: true });
  calls ||= 20_000;
} else if (what === "sign") {
  // The reference for miss-cert-new: one bare RSA-PSS signature of an assertion-sized input.
  const { webcrypto, createPrivateKey } = await import("node:crypto");
  const der = createPrivateKey(privateKeyPem).export({ format: "der", type: "pkcs8" });
  const key = await webcrypto.subtle.importKey(
    "pkcs8",
    der,
    { name: "RSA-PSS", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const data = new TextEncoder().encode("x".repeat(700));
  call = () => webcrypto.subtle.sign({ name: "RSA-PSS", saltLength: 32 }, key, data);
  calls ||= 3_000;
} else if (what === "l2-memory") {
  // The library's own CPU on an L2 hit, with a store that answers at once (no I/O).
  const { lib } = await oursApp(origin);
  const stored = new Map();
  const adapter = {
    name: "in-process map",
    get: async (key) => stored.get(key),
    set: async (key, value) => void stored.set(key, value),
    delete: async (key) => void stored.delete(key),
  };
  const app = new lib.ConfidentialClientApplication({
    ...oursOptions(origin, { fetch: cannedFetch() }),
    cache: adapter,
    memoryCache: { shared: false },
  });
  await app.acquireTokenForClient(scopes, { tenantId: tenantId0 });
  call = () => {
    app.removeTokens();
    return app.acquireTokenForClient(scopes, { tenantId: tenantId0 });
  };
  calls ||= 300_000;
} else if (what === "l2-redis" || what === "redis-bare") {
  const { redis, redisCache, stop } = await startBenchRedis();
  const { lib } = await oursApp(origin);
  const app = new lib.ConfidentialClientApplication({
    ...oursOptions(origin, { fetch: cannedFetch() }),
    cache: redisCache(redis),
    memoryCache: { shared: false },
  });
  await app.acquireTokenForClient(scopes, { tenantId: tenantId0 });
  const [storedKey] = await redis.keys("*");
  call =
    what === "redis-bare"
      ? () => redis.get(storedKey)
      : () => {
          app.removeTokens();
          return app.acquireTokenForClient(scopes, { tenantId: tenantId0 });
        };
  calls ||= 20_000;
  cleanup = stop;
} else {
  console.error(
    "usage: node --expose-gc bench/profile.mjs hit|worker|miss|miss-new|miss-cert|miss-cert-new|sign|l2-memory|l2-redis|redis-bare [--calls N]",
  );
  process.exit(2);
}
var tenantId0 = tenantId(0);

for (let i = 0; i < Math.min(calls, 50_000); i++) await call();

// Allocation per call: heap growth over a run short enough not to trigger a GC... V8 may still
// scavenge, so use the sampling heap profiler's total instead.
const session = new Session();
session.connect();
await session.post("HeapProfiler.startSampling", {
  samplingInterval: 64,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
const allocCalls = Math.min(calls, 200_000);
for (let i = 0; i < allocCalls; i++) await call();
const { profile: heapProfile } = await session.post("HeapProfiler.stopSampling");
let allocated = 0;
const allocBy = new Map();
(function walk(node) {
  const self = node.selfSize;
  allocated += self;
  if (self > 0) {
    const f = node.callFrame;
    const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").slice(-2).join("/")}:${f.lineNumber + 1}`;
    allocBy.set(key, (allocBy.get(key) ?? 0) + self);
  }
  for (const child of node.children) walk(child);
})(heapProfile.head);

await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 50 });
await session.post("Profiler.start");
const t0 = performance.now();
for (let i = 0; i < calls; i++) await call();
const elapsed = performance.now() - t0;
const { profile } = await session.post("Profiler.stop");
if (process.env.PROFILE_OUT)
  (await import("node:fs")).writeFileSync(process.env.PROFILE_OUT, JSON.stringify(profile));
session.disconnect();
await cleanup();

const self = new Map();
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const counts = new Map();
for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
const total = profile.samples.length;
for (const [id, count] of counts) {
  const f = byId.get(id).callFrame;
  const key = `${f.functionName || "(anonymous)"} ${f.url ? f.url.split("/").slice(-2).join("/") + ":" + (f.lineNumber + 1) : ""}`;
  self.set(key, (self.get(key) ?? 0) + count);
}
console.log(
  `${what}: ${calls.toLocaleString()} calls, ${((elapsed * 1000) / calls).toFixed(3)} µs per call under the profiler`,
);
console.log(
  `allocated ≈ ${Math.round(allocated / allocCalls)} B per call (sampling heap profiler, surviving-sample estimate)`,
);
for (const [key, size] of [...allocBy]
  .sort((a, b) => b[1] - a[1])
  .slice(0, Number(options.allocTop ?? 8)))
  console.log(`  alloc ${String(Math.round(size / allocCalls)).padStart(6)} B  ${key}`);
const idle = [...self].filter(([k]) => k.startsWith("(idle)")).reduce((sum, [, c]) => sum + c, 0);
console.log(
  `main thread busy ≈ ${((((total - idle) / total) * (elapsed * 1000)) / calls).toFixed(1)} µs per call (the rest idle, e.g. waiting for the crypto thread pool)`,
);
console.log("self time:");
for (const [key, count] of [...self]
  .sort((a, b) => b[1] - a[1])
  .slice(0, Number(options.top ?? 22))) {
  console.log(
    `  ${((count / total) * 100).toFixed(1).padStart(5)} %  ${(((count / total) * elapsed * 1000) / calls).toFixed(2).padStart(8)} µs/call  ${key}`,
  );
}
process.exit(0);
