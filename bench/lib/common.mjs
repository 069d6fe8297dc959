// Shared constants and helpers of the benchmark scenarios (plain ESM, runs in Node).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { X509Certificate, createHash } from "node:crypto";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
// ENTRA_EDGE_BENCH_BUILD points the scenarios at another build (to compare a patched copy).
export const buildDir = process.env.ENTRA_EDGE_BENCH_BUILD ?? join(root, "bench", ".build");

export const CLIENT_ID = "b3c1e2d4-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
export const SECRET = "bench~client~secret~value~0123456789";
export const GRAPH = "https://graph.microsoft.com/.default";
export const certificatePem = readFileSync(join(root, "test/fixtures/keys/rsa.crt.pem"), "utf8");
export const privateKeyPem = readFileSync(join(root, "test/fixtures/keys/rsa.pkcs8.pem"), "utf8");
export const thumbprintSha256 = new X509Certificate(certificatePem).fingerprint256.replaceAll(
  ":",
  "",
);

/** Deterministic tenant GUIDs: tenant 0 is the measured one. */
export function tenantId(i) {
  return `7e57a000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;
}
/** Deterministic resources for "N scopes in one tenant". Scope 0 is Graph. */
export function scopeOf(i) {
  return i === 0 ? GRAPH : `api://bench-resource-${i}/.default`;
}

export function loadLib() {
  return import(join(buildDir, "index.mjs"));
}
export function loadTesting() {
  return import(join(buildDir, "testing.mjs"));
}
/**
 * A real redis-server on a free loopback port (the test suite's helper), an ioredis client to it
 * and the bundled Redis adapter; `stop()` closes the client and the server.
 */
export async function startBenchRedis() {
  const { redisCache } = await import(join(buildDir, "adapters/redis.mjs"));
  const { startRedisServer } = await import(join(buildDir, "support/redis-server.mjs"));
  const { default: Redis } = await import("ioredis");
  const server = await startRedisServer();
  const redis = new Redis(server.url);
  const stop = async () => {
    redis.disconnect();
    await server.stop();
  };
  return { redis, redisCache, stop };
}

/** Reads `--name value` / `--flag` from argv. */
export function args(argv = process.argv.slice(2)) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) continue;
    const name = a.slice(2);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith("--")) out[name] = true;
    else {
      out[name] = next;
      i++;
    }
  }
  return out;
}

/** Sorted-sample statistics, in the unit of the samples. */
export function stats(samples) {
  const sorted = Float64Array.from(samples).sort();
  const n = sorted.length;
  const q = (p) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))];
  let sum = 0;
  for (const x of sorted) sum += x;
  return {
    n,
    median: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
    mean: sum / n,
    min: sorted[0],
    max: sorted[n - 1],
  };
}

/**
 * Times `call` one call at a time with performance.now(): median and p99 per call (µs), plus
 * the mean over back-to-back batches (µs), which does not include the timer's own cost.
 */
export async function timeCalls(
  call,
  { iterations, warmup = Math.min(iterations, 200), batch = 0, maxMs = 20_000 },
) {
  for (let i = 0; i < warmup; i++) await call(i);
  const samples = [];
  const deadline = performance.now() + maxMs;
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await call(i);
    samples.push((performance.now() - t0) * 1000);
    if (performance.now() > deadline && samples.length >= 3) break;
  }
  const result = stats(samples);
  const out = {
    iterations: result.n,
    medianUs: result.median,
    p99Us: result.p99,
    meanUs: result.mean,
    minUs: result.min,
  };
  if (batch > 0) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) await call(i);
    out.batchMeanUs = ((performance.now() - t0) * 1000) / batch;
  }
  return out;
}

/** Cost of the timer itself (µs), to read sub-microsecond medians. */
export function timerOverheadUs() {
  const samples = [];
  for (let i = 0; i < 100_000; i++) {
    const t0 = performance.now();
    samples.push(performance.now() - t0);
  }
  return stats(samples).median * 1000;
}

/** CPU (user + system) of this process spent running `fn`, in µs, and its wall time in µs. */
export async function cpuOf(fn) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wall = (performance.now() - t0) * 1000;
  const c = process.cpuUsage(c0);
  return { cpuUs: c.user + c.system, wallUs: wall, value };
}

export function gc() {
  if (typeof globalThis.gc !== "function") throw new Error("run with --expose-gc");
  for (let i = 0; i < 4; i++) globalThis.gc();
}

/** One JSON result line on stdout; the orchestrator collects lines that start with `{"scenario"`. */
export function emit(result) {
  process.stdout.write(JSON.stringify(result) + "\n");
}

/** Asks the loopback token server for its counters (token requests, other requests). */
export async function serverCounts(origin) {
  const response = await fetch(`${origin}/__bench/counts`);
  return response.json();
}
export async function serverReset(origin) {
  await fetch(`${origin}/__bench/reset`, { method: "POST" });
}

/**
 * msal-node's `system.networkClient`: its own default client (native fetch, headers to a plain
 * object, JSON body) except that `https://{host}/{path}` goes to the loopback token server as
 * `http://127.0.0.1:{port}/{path}` with the real host in `x-bench-host`. So msal-node makes real
 * HTTP round trips to the same server as entra-edge, through the same HTTP stack (undici).
 */
export function msalNetworkClient(origin, counter = { get: 0, post: 0 }) {
  async function send(url, method, options) {
    const target = new URL(url);
    const headers = new Headers();
    if (options?.headers)
      for (const [k, v] of Object.entries(options.headers)) headers.append(k, v);
    headers.set("x-bench-host", target.host);
    const init = { method, headers };
    if (method === "POST") init.body = options?.body || "";
    if (method === "POST") counter.post++;
    else counter.get++;
    const response = await fetch(`${origin}${target.pathname}${target.search}`, init);
    const dict = {};
    response.headers.forEach((value, key) => (dict[key] = value));
    return { headers: dict, body: await response.json(), status: response.status };
  }
  return {
    counter,
    sendGetRequestAsync: (url, options) => send(url, "GET", options),
    sendPostRequestAsync: (url, options) => send(url, "POST", options),
  };
}

export function sha256Hex(text) {
  return createHash("sha256").update(text).digest("hex");
}

export const fmtUs = (us) =>
  us === undefined || us === null || Number.isNaN(us)
    ? "—"
    : us < 1
      ? `${(us * 1000).toFixed(0)} ns`
      : us < 1000
        ? `${us.toFixed(us < 10 ? 2 : 1)} µs`
        : us < 1_000_000
          ? `${(us / 1000).toFixed(us < 10_000 ? 2 : 1)} ms`
          : `${(us / 1_000_000).toFixed(2)} s`;
