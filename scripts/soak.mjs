// `npm run soak`: distinct tenants flow through one application backed by the emulator (opaque
// tokens of Graph-token size), with the default L1 bounds, in two runs:
// - "secret": 1,000,000 tenants with a client secret, each tenant twice (the second time 500
//   tenants later, an L1 hit);
// - "certificate": 200,000 tenants with a certificate credential (RSA-2048, PS256), each tenant for
//   Graph, then for ARM (the kept assertion is reused, the emulator refuses the replayed `jti` and
//   a fresh one is signed: every per-endpoint state of the credential is exercised), then Graph
//   again 500 tenants later. Fewer tenants: its two RSA signatures per tenant take ~3-4 ms on this
//   2-core machine (a million would take an hour), and 200,000 suffice to catch state that grows
//   per tenant: the old unbounded endpoint sets left ~130 B per tenant, 25 MiB here.
// Each run prints peak RSS, L1 bytes and entries, hit rate and leftover timers as one JSON line,
// and fails when L1 exceeds its bounds, memory is left over, or timers pile up.
// SOAK_TENANTS=N and SOAK_CERT_TENANTS=N run smaller soaks; SOAK_RUNS=secret or =certificate runs
// one of them.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const built = spawnSync("node_modules/.bin/unbuild", [], {
  stdio: ["ignore", "ignore", "inherit"],
});
if (built.status !== 0) process.exit(built.status ?? 1);
const { ConfidentialClientApplication, defaultMemoryCacheLimits } =
  await import("../dist/index.mjs");
const { createEntraEmulator } = await import("../dist/testing.mjs");

const concurrency = 32;
/** How far back the last request of each step looks: recent tenants should still be cached. */
const lookBack = 500;
const clientId = "11111111-2222-3333-4444-555555555555";
const secret = "soak-secret";
const fixture = (name) =>
  readFileSync(new URL(`../test/fixtures/keys/${name}`, import.meta.url), "utf8");
const certificate = { privateKey: fixture("rsa.pkcs8.pem"), certificate: fixture("rsa.crt.pem") };
const tenant = (i) => `${i.toString(16).padStart(8, "0")}-0000-4000-8000-000000000000`;
const graph = ["https://graph.microsoft.com/.default"];
const arm = ["https://management.azure.com/.default"];

const runs = {
  secret: {
    tenants: Number(process.env.SOAK_TENANTS ?? 1_000_000),
    credential: { clientSecret: secret },
    perTenant: [graph],
    maxLeftoverMiB: 32,
  },
  certificate: {
    tenants: Number(process.env.SOAK_CERT_TENANTS ?? 200_000),
    credential: { certificate },
    perTenant: [graph, arm],
    // A few MiB stay (the credential remembers 1,000 endpoints, ~2 MB): a tighter bound than the
    // secret run's, so that ~130 B per tenant (25 MiB at 200,000) fails it.
    maxLeftoverMiB: 16,
  },
};

const heapAfterGc = () => {
  globalThis.gc?.();
  return Math.round(process.memoryUsage().heapUsed / 2 ** 20);
};

async function soak(scenario, { tenants: tenantCount, credential, perTenant, maxLeftoverMiB }) {
  const started = performance.now();
  const emulator = await createEntraEmulator({
    tenants: Array.from({ length: tenantCount }, (_, i) => tenant(i)),
    apps: [{ clientId, secrets: [secret], certificates: [certificate.certificate] }],
    accessTokenFormat: "opaque",
  });
  const baselineHeapMiB = heapAfterGc();
  const app = new ConfidentialClientApplication({
    clientId,
    tenantId: tenant(0),
    ...credential,
    fetch: emulator.fetch,
  });

  let peakRss = 0;
  let peakL1Bytes = 0;
  const sample = () => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    peakL1Bytes = Math.max(peakL1Bytes, app.getCacheStatistics().l1Bytes ?? 0);
  };
  const sampler = setInterval(sample, 250);

  let next = 0;
  let acquisitions = 0;
  async function worker() {
    while (next < tenantCount) {
      const i = next++;
      for (const scopes of perTenant)
        await app.acquireTokenForClient(scopes, { tenantId: tenant(i) });
      await app.acquireTokenForClient(graph, { tenantId: tenant(Math.max(0, i - lookBack)) });
      acquisitions += perTenant.length + 1;
      // The emulator answers in-process, so nothing here would ever yield to the event loop the
      // way real network I/O does; Node frees each fetch's abort wiring in a FinalizationRegistry
      // task, which needs such turns. Yield now and then, as a real network would.
      if (i % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
      // The emulator records every request; forget them so the soak measures the library.
      if (i % 10_000 === 0) {
        emulator.reset();
        sample();
      }
      if (i % 100_000 === 0 && i > 0)
        console.error(
          `${scenario}: ${i} tenants, ${Math.round((performance.now() - started) / 1000)} s`,
        );
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  clearInterval(sampler);
  sample();

  const stats = app.getCacheStatistics();
  emulator.reset();
  // Let Node run the finalizers of the run's fetches (see above), then measure what stays.
  for (let round = 0; round < 3; round++) {
    heapAfterGc();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const finalHeapMiB = heapAfterGc();
  // L1's real footprint: the heap it frees when emptied (the estimate it bounds is l1Bytes).
  app.removeTokens();
  const l1RealMiB = finalHeapMiB - heapAfterGc();
  const activeTimers = process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
  // What the run left behind, L1 aside, must not grow with the tenants that passed through.
  const leftoverMiB = finalHeapMiB - l1RealMiB - baselineHeapMiB;
  const result = {
    scenario,
    tenants: tenantCount,
    acquisitions,
    hitRate: Number(((stats.l1Hits + stats.l2Hits) / acquisitions).toFixed(4)),
    tokenRequests: stats.networkRequests,
    peakRssMiB: Math.round(peakRss / 2 ** 20),
    // Live heap after GC: before the run (the emulator's directory of tenants) and after it (+ L1).
    baselineHeapMiB,
    finalHeapMiB,
    l1RealMiB,
    leftoverMiB,
    l1Bytes: stats.l1Bytes,
    peakL1Bytes,
    l1MaxBytes: defaultMemoryCacheLimits.maxBytes,
    l1Entries: stats.l1Entries,
    l1MaxEntries: defaultMemoryCacheLimits.maxEntries,
    activeTimers,
    seconds: Math.round((performance.now() - started) / 1000),
  };
  console.log(JSON.stringify(result));
  console.log(
    `${scenario}: L1 real ${l1RealMiB} MiB for an estimate of ${Math.round((stats.l1Bytes ?? 0) / 2 ** 20)} MiB; left over beyond L1: ${leftoverMiB} MiB`,
  );
  const ok =
    leftoverMiB < maxLeftoverMiB &&
    l1RealMiB <= 1.25 * (defaultMemoryCacheLimits.maxBytes / 2 ** 20) &&
    peakL1Bytes <= defaultMemoryCacheLimits.maxBytes &&
    (stats.l1Entries ?? 0) <= defaultMemoryCacheLimits.maxEntries &&
    activeTimers <= concurrency;
  console.log(
    ok
      ? `${scenario} soak passed: L1 stayed within its bounds, nothing grew with the tenants, no timers piled up`
      : `${scenario} soak FAILED`,
  );
  return ok;
}

const selected = (process.env.SOAK_RUNS ?? "secret,certificate").split(",");
let passed = true;
for (const scenario of selected) {
  const run = runs[scenario];
  if (run === undefined)
    throw new Error(`SOAK_RUNS: unknown run "${scenario}" (secret, certificate)`);
  if (!(await soak(scenario, run))) passed = false;
  heapAfterGc();
}
process.exit(passed ? 0 : 1);
