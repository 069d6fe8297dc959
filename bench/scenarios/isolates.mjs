// Scenario "isolates": K = 3 Workers (isolates) in one workerd (miniflare), bound to one
// SQLite-backed Durable Object namespace and one Workers KV namespace, each sent 30 concurrent
// requests over M = 10 tenants, all cold, against the loopback token server with its token
// responses held back 200 ms (so that the isolates overlap, as on a real cold start). Per store:
// token requests and wall time of the wave; for the Durable Object (lease on), a second wave with
// an empty L1 in every request (all from the Durable Object, 0 token requests); the latency a
// waiting isolate adds after the token lands, with waitForValue and with polling (the same
// adapter without waitForValue); a Durable Object hit against a bare stub call.
import { join } from "node:path";
import {
  CLIENT_ID,
  SECRET,
  tenantId,
  emit,
  buildDir,
  serverCounts,
  stats,
} from "../lib/common.mjs";

const K = 3;
const PER_ISOLATE = 30;
const M = 10;
const ROUNDS = 3;
const TOKEN_DELAY_MS = 200;

export async function run(options) {
  const { origin } = options;
  const { Miniflare } = await import("miniflare");
  const names = Array.from({ length: K }, (_, i) => `isolate-${i}`);
  const common = {
    modules: true,
    scriptPath: join(buildDir, "isolates-worker.mjs"),
    compatibilityDate: "2026-04-26",
    kvNamespaces: { TOKENS: "bench-isolates-tokens" },
    bindings: { CLIENT_ID, CLIENT_SECRET: SECRET, AUTHORITY: `${origin}/${tenantId(0)}` },
  };
  const mf = new Miniflare({
    workers: names.map((name, i) => ({
      ...common,
      name,
      durableObjects: {
        TOKEN_CACHE:
          i === 0
            ? { className: "TokenCacheDurableObject", useSQLite: true }
            : { className: "TokenCacheDurableObject", scriptName: names[0], useSQLite: true },
      },
    })),
  });
  await fetch(`${origin}/__bench/delay?ms=${TOKEN_DELAY_MS}`);
  try {
    await mf.ready;
    const workers = await Promise.all(names.map((name) => mf.getWorker(name)));
    const get = async (worker, path) => {
      const response = await worker.fetch(`http://bench${path}`);
      const text = await response.text();
      if (!response.ok) throw new Error(`${path}: ${response.status} ${text}`);
      return JSON.parse(text);
    };
    let nextTenant = 100;
    /** One wave: K × 30 concurrent requests over `tenants`; token requests, wall ms, answers. */
    const wave = async (store, tenants, fresh = false) => {
      const before = await serverCounts(origin);
      const t0 = performance.now();
      const answers = await Promise.all(
        workers.flatMap((worker, isolate) =>
          Array.from({ length: PER_ISOLATE }, async (_, i) => {
            const tenant = tenants[i % tenants.length];
            const path = `/acquire?store=${store}&tenant=${tenant}${fresh ? "&fresh=1" : ""}`;
            return { isolate, tenant, ...(await get(worker, path)) };
          }),
        ),
      );
      const wallMs = performance.now() - t0;
      const after = await serverCounts(origin);
      return { tokenRequests: after.token - before.token, wallMs, answers };
    };
    const coldTenants = () => Array.from({ length: M }, () => tenantId(nextTenant++));
    /** Latency after the token landed, of the requests in isolates that did not fetch it. */
    const waiterLatencies = async (answers) => {
      const landed = await Promise.all(workers.map((worker) => get(worker, "/landed")));
      const out = [];
      for (const a of answers) {
        if (landed[a.isolate][a.tenant] !== undefined) continue; // the holder's isolate (L1)
        const at = landed.find((l) => l[a.tenant] !== undefined)?.[a.tenant];
        if (at === undefined || a.source !== "Cache") continue;
        out.push(a.settled - at);
      }
      return out;
    };
    const summary = (list, field) => list.map((w) => Math.round(w[field] * 10) / 10);

    // Warm-up: the isolates, the objects and the connections, on tenants not measured.
    await wave("do", coldTenants());
    await wave("kv", coldTenants());

    for (const store of ["kv", "do", "do-poll"]) {
      const waves = [];
      const second = [];
      const latencies = [];
      const levels = {};
      for (let round = 0; round < ROUNDS; round++) {
        const tenants = coldTenants();
        const w = await wave(store, tenants);
        waves.push(w);
        if (store !== "kv") latencies.push(...(await waiterLatencies(w.answers)));
        // The same requests again, each with an empty L1: from L2 (or Entra) only.
        const again = await wave(store, tenants, true);
        second.push(again);
        for (const a of again.answers) levels[a.level] = (levels[a.level] ?? 0) + 1;
      }
      const lat = latencies.length > 0 ? stats(latencies) : undefined;
      emit({
        scenario: `isolates-${store}`,
        lib: "entra-edge",
        isolates: K,
        requestsPerIsolate: PER_ISOLATE,
        tenants: M,
        rounds: ROUNDS,
        tokenDelayMs: TOKEN_DELAY_MS,
        httpTokenRequests: summary(waves, "tokenRequests"),
        wallMs: summary(waves, "wallMs"),
        medianWallMs: stats(waves.map((w) => w.wallMs)).median,
        secondWaveTokenRequests: summary(second, "tokenRequests"),
        secondWaveWallMs: summary(second, "wallMs"),
        secondWaveLevels: levels,
        ...(lat
          ? {
              waiterSamples: lat.n,
              waiterMedianMs: lat.median,
              waiterP99Ms: lat.p99,
              waiterMaxMs: lat.max,
            }
          : {}),
        note: "waiter latency: workerd Date.now() at the end of an acquisition in an isolate that waited, minus the moment the holder isolate's write of the token to the store resolved",
      });
    }

    const hit = await get(workers[0], `/hitbench?tenant=${tenantId(nextTenant++)}&n=2000`);
    if (hit.levels.length !== 1 || hit.levels[0] !== "L2Cache")
      throw new Error(`/hitbench: not L2 hits: ${hit.levels}`);
    emit({
      scenario: "l2-hit-durable-object-in-workerd",
      lib: "entra-edge",
      iterations: hit.n,
      meanUs: hit.oursMeanUs,
      bareGetMeanUs: hit.bareMeanUs,
      overheadUs: hit.oursMeanUs - hit.bareMeanUs,
      overheadPct: ((hit.oursMeanUs - hit.bareMeanUs) / hit.bareMeanUs) * 100,
    });
  } finally {
    await fetch(`${origin}/__bench/delay?ms=0`);
    await mf.dispose();
  }
}
