// `npm start`: builds entra-edge, bundles the example Worker, runs it in workerd (miniflare) with
// the bindings of wrangler.toml (a local SQLite-backed Durable Object namespace for
// TokenCacheDurableObject, and a Workers KV namespace), sends requests for two tenants, and prints
// where each token came from. `--kv` leaves the Durable Object binding out: the Worker then uses
// Workers KV as its L2, as it does wherever TOKEN_CACHE is not bound.
// With ENTRA_CLIENT_ID (+ ENTRA_TENANT_ID and ENTRA_CLIENT_SECRET, or ENTRA_CERTIFICATE_PEM and
// ENTRA_PRIVATE_KEY_PEM) in the environment it talks to the real Entra ID instead of the emulator.
// `--no-build` skips the build (scripts/test-all.mjs runs this right after its own build). Against
// the emulator, it exits 1 unless every token came from where it should.
import { spawnSync } from "node:child_process";
import { build } from "esbuild";
import { Miniflare } from "miniflare";

if (!process.argv.includes("--no-build")) {
  const step = spawnSync("node_modules/.bin/unbuild", [], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (step.status !== 0) process.exit(step.status ?? 1);
}

const bundle = await build({
  entryPoints: ["examples/worker/worker.ts"],
  bundle: true,
  format: "esm",
  // As wrangler bundles a Worker: esbuild's browser platform with the workerd conditions.
  conditions: ["workerd", "worker", "browser"],
  target: "es2022",
  write: false,
  minify: true,
  // Provided by workerd (the Durable Object base class), as wrangler leaves it.
  external: ["cloudflare:workers"],
  logLevel: "error",
});
const script = bundle.outputFiles[0].text;

const bindings = {};
for (const name of [
  "ENTRA_CLIENT_ID",
  "ENTRA_TENANT_ID",
  "ENTRA_CLIENT_SECRET",
  "ENTRA_CERTIFICATE_PEM",
  "ENTRA_PRIVATE_KEY_PEM",
  "DOWNSTREAM_SCOPE",
]) {
  if (process.env[name]) bindings[name] = process.env[name];
}
const real = bindings.ENTRA_CLIENT_ID !== undefined;
if (
  real &&
  (bindings.ENTRA_TENANT_ID === undefined ||
    (bindings.ENTRA_CLIENT_SECRET === undefined &&
      (bindings.ENTRA_CERTIFICATE_PEM === undefined ||
        bindings.ENTRA_PRIVATE_KEY_PEM === undefined)))
) {
  console.error(
    "With ENTRA_CLIENT_ID set, also set ENTRA_TENANT_ID and ENTRA_CLIENT_SECRET (or ENTRA_CERTIFICATE_PEM and ENTRA_PRIVATE_KEY_PEM); unset ENTRA_CLIENT_ID to use the built-in emulator.",
  );
  process.exit(1);
}
const kvOnly = process.argv.includes("--kv");
const store = kvOnly ? "KV" : "Durable Object";
const mf = new Miniflare({
  modules: true,
  script,
  compatibilityDate: "2026-04-26",
  kvNamespaces: ["TOKENS"],
  // As wrangler.toml: `[[durable_objects.bindings]]` + `new_sqlite_classes` in the migration.
  durableObjects: kvOnly
    ? {}
    : { TOKEN_CACHE: { className: "TokenCacheDurableObject", useSQLite: true } },
  bindings,
});

const tenants = real
  ? [bindings.ENTRA_TENANT_ID]
  : ["72f988bf-86f1-41af-91ab-2d7cd011db47", "f8cdef31-a31e-4b4a-93e4-5f571e91255a"];
const plan = [];
for (const tenant of tenants) plan.push({ tenant }, { tenant }, { tenant });
for (const tenant of tenants) plan.push({ tenant, isolated: true });

console.log(
  `entra-edge example Worker in workerd, ${real ? "against Entra ID" : "against the built-in Entra emulator"}, ${kvOnly ? "Workers KV" : "a Durable Object (TokenCacheDurableObject, lease on)"} as L2\n`,
);
console.log(
  "request  tenant                                token from          worker ms  http ms",
);
const rows = [];
try {
  for (const [index, { tenant, isolated }] of plan.entries()) {
    const url = `http://example.local/?tenant=${encodeURIComponent(tenant)}${isolated ? "&isolated=1" : ""}`;
    const response = await mf.dispatchFetch(url);
    const body = await response.json();
    if (!response.ok) {
      console.error(`request ${index + 1} failed: ${body.code ?? body.error}: ${body.message}`);
      process.exitCode = 1;
      break;
    }
    const source =
      body.tokenSource === "Cache"
        ? `cache ${body.cacheLevel === "L2Cache" ? `L2 (${store === "KV" ? "KV" : "DO"})` : "L1"}`
        : "identity provider";
    if (body.store !== (kvOnly ? "workers-kv" : "durable-object")) {
      console.error(`request ${index + 1}: the Worker used ${body.store}, not the ${store} store`);
      process.exitCode = 1;
    }
    rows.push({ ...body, isolated: isolated === true });
    console.log(
      `${String(index + 1).padEnd(9)}${tenant.padEnd(38)}${source.padEnd(20)}${String(body.workerMs).padStart(9)}${String(body.durationInHttpInMs ?? 0).padStart(9)}${isolated ? `   (another isolate: empty L1, same ${store === "KV" ? "KV" : "DO"})` : ""}`,
    );
  }
  if (!real && rows.length === plan.length) {
    // The gateway route: the demo API answers the first call with a claims challenge.
    const response = await mf.dispatchFetch(
      `http://example.local/gateway/v1.0/users?tenant=${tenants[0]}`,
      { method: "POST", body: "hello" },
    );
    const body = await response.json();
    const ok = response.status === 200 && body.acrs?.[0] === "c1" && body.body === "hello";
    console.log(
      `\ngateway  POST /gateway/v1.0/users -> ${response.status}: the API's claims challenge answered with one retry (token acrs ${JSON.stringify(body.acrs)}, body ${JSON.stringify(body.body)})`,
    );
    if (!ok) process.exitCode = 1;
  }
} finally {
  await mf.dispose();
}
if (rows.length === plan.length) {
  const hits = rows.filter((row) => row.tokenSource === "Cache").length;
  const l2 = rows.filter((row) => row.cacheLevel === "L2Cache").length;
  console.log(
    `\n${rows.length} requests: ${rows.length - hits} from the identity provider, ${hits} from cache (${hits - l2} L1, ${l2} L2); hit rate ${Math.round((hits / rows.length) * 100)} %.`,
  );
  if (!real) {
    // Each tenant: identity provider, then L1 twice; the other isolate's application: L2.
    const expected = plan.map(({ isolated }, index) =>
      isolated ? "Cache/L2Cache" : index % 3 === 0 ? "IdentityProvider/None" : "Cache/L1Cache",
    );
    const seen = rows.map((row) => `${row.tokenSource}/${row.cacheLevel}`);
    if (seen.join() !== expected.join()) {
      console.error(
        `unexpected token sources: ${seen.join(", ")}; expected ${expected.join(", ")}`,
      );
      process.exitCode = 1;
    }
  }
} else {
  process.exitCode = 1;
}
