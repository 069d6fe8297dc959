// Scenario "isolates": K = 3 Workers (isolates) in one workerd (miniflare), bound to one
// SQLite-backed Durable Object namespace and one Workers KV namespace, each sent 30 concurrent
// requests over M = 10 tenants, all cold, against the loopback token server with its token
// responses held back 200 ms (so that the isolates overlap, as on a real cold start). Per store:
// token requests and wall time of the wave; for the Durable Object (lease on), a second wave with
// an empty L1 in every request (all from the Durable Object, 0 token requests); the latency a
// waiting isolate adds after the token lands, with waitForValue and with polling (the same
// adapter without waitForValue); a Durable Object hit against a bare stub call (on the same
// object, and on a minimal Durable Object class holding the same record).
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
        // The hit comparison's baseline (worker 0 only): a minimal class holding the record.
        ...(i === 0 ? { MINIMAL: { className: "MinimalStore", useSQLite: true } } : {}),
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
    /**
     * Latency after the token landed, of the requests in isolates that did not fetch it: `waiter`,
     * per isolate and tenant the request that started first (it ran the lease wait on the store;
     * the isolate's later requests for the tenant joined it in-process), and `joined`, the others.
     */
    const waiterLatencies = async (answers) => {
      const landed = await Promise.all(workers.map((worker) => get(worker, "/landed")));
      const waiting = new Map();
      for (const a of answers) {
        if (landed[a.isolate][a.tenant] !== undefined) continue; // the holder's isolate (L1)
        const at = landed.find((l) => l[a.tenant] !== undefined)?.[a.tenant];
        if (at === undefined || a.source !== "Cache") continue;
        const group = `${a.isolate}|${a.tenant}`;
        waiting.set(group, [...(waiting.get(group) ?? []), { ...a, after: a.settled - at }]);
      }
      const out = { waiter: [], joined: [] };
      for (const group of waiting.values()) {
        group.sort((x, y) => x.started - y.started || x.settled - y.settled);
        group.forEach((a, i) => (i === 0 ? out.waiter : out.joined).push(a.after));
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
      const latencies = { waiter: [], joined: [] };
      const levels = {};
      for (let round = 0; round < ROUNDS; round++) {
        const tenants = coldTenants();
        const w = await wave(store, tenants);
        waves.push(w);
        if (store !== "kv") {
          const { waiter, joined } = await waiterLatencies(w.answers);
          latencies.waiter.push(...waiter);
          latencies.joined.push(...joined);
        }
        // The same requests again, each with an empty L1: from L2 (or Entra) only.
        const again = await wave(store, tenants, true);
        second.push(again);
        for (const a of again.answers) levels[a.level] = (levels[a.level] ?? 0) + 1;
      }
      const lat = latencies.waiter.length > 0 ? stats(latencies.waiter) : undefined;
      const joined = latencies.joined.length > 0 ? stats(latencies.joined) : undefined;
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
        ...(lat && joined
          ? {
              waiterSamples: lat.n,
              waiterMedianMs: lat.median,
              waiterP90Ms: lat.p90,
              waiterMaxMs: lat.max,
              joinedSamples: joined.n,
              joinedMedianMs: joined.median,
              joinedP90Ms: joined.p90,
              joinedMaxMs: joined.max,
            }
          : {}),
        note: "latency after the token lands: workerd Date.now() at the end of an acquisition in an isolate that waited, minus the moment the holder isolate's write of the token to the store resolved; waiter: the isolate's request that waited on the lease (first started per isolate and tenant), joined: the isolate's other requests for the tenant, which share that wait in-process",
      });
    }

    const hit = await get(workers[0], `/hitbench?tenant=${tenantId(nextTenant++)}&n=8000`);
    if (hit.levels.length !== 1 || hit.levels[0] !== "L2Cache")
      throw new Error(`/hitbench: not L2 hits: ${hit.levels}`);
    const pct = (a, b) => ((a - b) / b) * 100;
    emit({
      scenario: "l2-hit-durable-object-in-workerd",
      lib: "entra-edge",
      iterations: hit.n,
      block: hit.block,
      medianUs: hit.ours.medianUs,
      p90Us: hit.ours.p90Us,
      adapterGetMedianUs: hit.adapter.medianUs,
      adapterGetP90Us: hit.adapter.p90Us,
      bareGetMedianUs: hit.bare.medianUs,
      bareGetP90Us: hit.bare.p90Us,
      minimalGetMedianUs: hit.minimal.medianUs,
      minimalGetP90Us: hit.minimal.p90Us,
      overheadUs: hit.ours.medianUs - hit.bare.medianUs,
      overheadPct: pct(hit.ours.medianUs, hit.bare.medianUs),
      adapterOverheadPct: pct(hit.adapter.medianUs, hit.bare.medianUs),
      overMinimalPct: pct(hit.ours.medianUs, hit.minimal.medianUs),
      note: `medians (p90) over blocks of ${hit.block} calls of the mean per call; bare: stub.get on the same TokenCacheDurableObject; minimal: stub.get on a minimal class holding the record through storage.get; adapter: durableObjectCache(ns).get`,
    });
  } finally {
    await fetch(`${origin}/__bench/delay?ms=0`);
    await mf.dispose();
  }
}
