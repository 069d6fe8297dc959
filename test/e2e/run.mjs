// Runs the end-to-end suite (test/e2e/suite.ts) in one runtime, against the built package
// (`npm run build` first), plus that runtime's example, and prints one line per scenario and a
// summary line that scripts/test-all.mjs counts:
//
//   node test/e2e/run.mjs node | deno | bun | workerd | workerd-nodejs-compat | edge-runtime
//
// A runtime that fails to start, dies, hangs or reports fewer scenarios than the suite has counts
// as failed, never as skipped. Nothing here talks to the internet: the suite runs the emulator
// inside the runtime; the examples (separate processes, or isolates of their own) reach the
// emulator through a loopback HTTP server started here (AUTHORITY_HOST=http://127.0.0.1:<port>).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, transform } from "esbuild";
import { loadFixtures } from "./entries/fixtures.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = (name) => join(root, "node_modules", ".bin", name);
const SUMMARY_TYPE = "entra-edge:summary";
const RESULT_TYPE = "entra-edge:e2e-result";
const STORES_PER_RUNTIME = 2; // memory + the runtime's own store (see the entries)

const tenants = ["72f988bf-86f1-41af-91ab-2d7cd011db47", "f8cdef31-a31e-4b4a-93e4-5f571e91255a"];
const exampleApp = {
  clientId: "11111111-2222-3333-4444-555555555555",
  secret: "example-secret-value",
};

/** Imports a TypeScript module that has no package import (only `node:` ones) by transpiling it in memory. */
async function importTs(relative) {
  const result = await build({
    entryPoints: [join(root, relative)],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    logLevel: "silent",
  });
  return import(
    `data:text/javascript;base64,${Buffer.from(result.outputFiles[0].text).toString("base64")}`
  );
}

/** Spawns a process in the repository root; resolves with its output (never rejects). */
function run(command, args, { env = {}, timeoutMs = 60_000 } = {}) {
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const child = spawn(command, args, {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({
        code: null,
        stdout,
        stderr: `${stderr}\ncould not start ${command}: ${error.message}`,
        timedOut,
      });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

function tail(text, max = 3000) {
  return text.length > max ? `…${text.slice(-max)}` : text;
}

/** The scenario results in JSON lines. */
function parseResults(text) {
  const results = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const parsed = JSON.parse(line);
      if (parsed.type === RESULT_TYPE)
        results.push({
          name: parsed.name,
          ok: parsed.ok === true,
          ms: parsed.ms,
          error: parsed.error,
        });
    } catch {
      // not one of ours
    }
  }
  return results;
}

/**
 * Failures for an unclean run: one per scenario the runtime did not report (a runtime that fails
 * to start fails every scenario), or one if it reported everything but then failed to exit cleanly.
 */
function completeness(label, outcome, results, expected) {
  const problems = [];
  if (outcome.timedOut) problems.push("timed out");
  else if (outcome.code !== 0)
    problems.push(
      `exited with code ${String(outcome.code)}${outcome.signal ? `, signal ${outcome.signal}` : ""}`,
    );
  const missing = Math.max(0, expected - results.length);
  if (missing > 0) problems.push(`reported ${results.length} of ${expected} scenarios`);
  if (problems.length === 0) return [];
  const error = `${problems.join("; ")}\n--- stdout ---\n${tail(outcome.stdout ?? "")}\n--- stderr ---\n${tail(outcome.stderr ?? "")}`;
  if (missing === 0) return [{ name: `${label} exited cleanly`, ok: false, error }];
  return Array.from({ length: missing }, (_, index) => ({
    name: `${label}: scenario ${results.length + index + 1} of ${expected} not reported`,
    ok: false,
    ...(index === 0 ? { error } : {}),
  }));
}

/** A loopback HTTP server in front of an emulator's `fetch`, for the example programs. */
async function startEmulatorServer() {
  const { createEntraEmulator } = await import("entra-edge/testing");
  const emulator = await createEntraEmulator({
    tenants,
    apps: [{ clientId: exampleApp.clientId, secrets: [exampleApp.secret] }],
  });
  const server = createServer(async (req, res) => {
    try {
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
      }
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      const response = await emulator.fetch(
        new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, body }),
      );
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (error) {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(error));
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    emulator,
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** The result row of the scenario `name`: passed when `body()` resolves, with how long it took. */
async function scenarioResult(name, body) {
  const started = Date.now();
  try {
    await body();
    return { name, ok: true, ms: Date.now() - started };
  } catch (error) {
    return {
      name,
      ok: false,
      ms: Date.now() - started,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

/**
 * Runs the scenario `name` against a fresh emulator server: `collect(server)` returns the
 * `tokenSource/cacheLevel` of four token acquisitions, which must come from the identity provider
 * then L1, then (a new process or isolate sharing the store) from L2 then L1, with one token request.
 */
async function l2ExampleScenario(name, collect) {
  const server = await startEmulatorServer();
  try {
    return await scenarioResult(name, async () => {
      const seen = await collect(server);
      const expected = ["IdentityProvider/None", "Cache/L1Cache", "Cache/L2Cache", "Cache/L1Cache"];
      if (seen.join() !== expected.join())
        throw new Error(`token sources ${seen.join(", ")}; expected ${expected.join(", ")}`);
      const requests = server.emulator.tokenRequests();
      if (requests.length !== 1 || requests[0].status !== 200)
        throw new Error(
          `${requests.length} token requests (statuses ${requests.map((r) => r.status).join()}); expected 1`,
        );
    });
  } finally {
    await server.close();
  }
}

/**
 * Runs an example program twice against the emulator server: the first run gets its token from
 * the identity provider then from L1, the second (a new process, same store) from L2 then L1.
 */
function exampleScenario(label, command, args, env) {
  const name = `example ${label}: identity provider then L1; a second process gets it from L2`;
  return l2ExampleScenario(name, async (server) => {
    const common = {
      CLIENT_ID: exampleApp.clientId,
      CLIENT_SECRET: exampleApp.secret,
      TENANT_ID: tenants[0],
      AUTHORITY_HOST: server.url,
      ...env,
    };
    const seen = [];
    for (const round of [1, 2]) {
      const outcome = await run(command, args, { env: common, timeoutMs: 30_000 });
      const lines = [...outcome.stdout.matchAll(/token from (\w+) \(cache level (\w+)\)/g)].map(
        (m) => `${m[1]}/${m[2]}`,
      );
      if (outcome.code !== 0 || lines.length !== 2) {
        throw new Error(
          `run ${round} exited with ${String(outcome.code)}${outcome.timedOut ? " (timed out)" : ""}\n--- stdout ---\n${tail(outcome.stdout)}\n--- stderr ---\n${tail(outcome.stderr)}`,
        );
      }
      seen.push(...lines);
    }
    return seen;
  });
}

async function suiteScenarioCount() {
  const source = readFileSync(join(root, "test/e2e/suite.ts"), "utf8");
  const { code } = await transform(source, { loader: "ts", format: "esm", target: "es2022" });
  const { scenarios } = await import(
    `data:text/javascript;base64,${Buffer.from(code).toString("base64")}`
  );
  return scenarios.length + STORES_PER_RUNTIME;
}

async function withRedis(body) {
  const { startRedisServer } = await importTs("test/support/redis-server.ts");
  const server = await startRedisServer();
  try {
    return await body(server.url, server.port);
  } finally {
    await server.stop();
  }
}

/** A redis-server behind a local endpoint that speaks Upstash's REST protocol. */
async function withUpstash(body) {
  const { startUpstashRest } = await importTs("test/support/upstash-rest.ts");
  return withRedis(async (_url, port) => {
    const rest = await startUpstashRest({ redisPort: port });
    try {
      return await body({ url: rest.url, token: rest.token });
    } finally {
      await rest.stop();
    }
  });
}

// --- Runtimes ---

async function runNode(expected) {
  return withRedis(async (redisUrl) => {
    const outcome = await run(process.execPath, ["test/e2e/entries/node.mjs"], {
      env: { REDIS_URL: redisUrl },
    });
    const results = parseResults(outcome.stdout);
    results.push(...completeness("node", outcome, results, expected));
    results.push(
      await exampleScenario(
        "examples/node.mjs (node-redis)",
        process.execPath,
        ["examples/node.mjs"],
        { REDIS_URL: redisUrl },
      ),
    );
    return results;
  });
}

async function runDeno(expected) {
  const dir = mkdtempSync(join(tmpdir(), "entra-edge-e2e-deno-"));
  try {
    const deno = bin("deno");
    if (!existsSync(deno)) throw new Error(`${deno} is missing: run npm ci`);
    const outcome = await run(deno, [
      "run",
      "--unstable-kv",
      "--allow-all",
      "--no-lock",
      "test/e2e/entries/deno.mjs",
      join(dir, "suite.sqlite3"),
    ]);
    const results = parseResults(outcome.stdout);
    results.push(...completeness("deno", outcome, results, expected));
    // The example with the permissions its header comment gives, plus read/write of its KV file.
    const kvPath = join(dir, "example.sqlite3");
    results.push(
      await exampleScenario(
        "examples/deno.ts (Deno KV)",
        deno,
        [
          "run",
          "--no-lock",
          "--unstable-kv",
          "--allow-net=127.0.0.1",
          "--allow-env",
          `--allow-read=${dir}`,
          `--allow-write=${dir}`,
          "examples/deno.ts",
        ],
        { DENO_KV_PATH: kvPath },
      ),
    );
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runBun(expected) {
  return withRedis(async (redisUrl) => {
    const bun = bin("bun");
    if (!existsSync(bun)) throw new Error(`${bun} is missing: run npm ci`);
    const outcome = await run(bun, ["test/e2e/entries/bun.mjs"], { env: { REDIS_URL: redisUrl } });
    const results = parseResults(outcome.stdout);
    results.push(...completeness("bun", outcome, results, expected));
    results.push(
      await exampleScenario("examples/bun.ts (Bun RedisClient)", bun, ["examples/bun.ts"], {
        REDIS_URL: redisUrl,
      }),
    );
    return results;
  });
}

/** Bundles like wrangler: conditions workerd, worker, browser; `node:*` left to the runtime only with nodejs_compat. */
async function bundleForWorkerd(entry, nodejsCompat) {
  const result = await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    format: "esm",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    // As wrangler does, the runtime provides `cloudflare:*` modules (the Durable Object base class).
    external: nodejsCompat ? ["cloudflare:*", "node:*"] : ["cloudflare:*"],
    write: false,
    absWorkingDir: root,
    metafile: true,
    logLevel: "silent",
  });
  return builtPackageBundle(entry, result);
}

/**
 * The bundle's text, once checked that the package came from dist/ through its `exports`, never
 * from the TypeScript sources.
 */
function builtPackageBundle(entry, result) {
  const inputs = Object.keys(result.metafile.inputs);
  const sources = inputs.filter((input) => /^(src|adapters)\//.test(input));
  if (sources.length > 0 || !inputs.includes("dist/index.mjs"))
    throw new Error(`${entry} was bundled from the sources, not dist/: ${sources.join(", ")}`);
  return result.outputFiles[0].text;
}

async function runWorkerd(expected, nodejsCompat) {
  const { Miniflare } = await import("miniflare");
  const runtime = nodejsCompat ? "workerd (nodejs_compat)" : "workerd";
  const results = [];
  const keys = (name) => readFileSync(join(root, "test/fixtures/keys", name), "utf8");
  const fixtures = {
    rsaPkcs8Pem: keys("rsa.pkcs8.pem"),
    rsaEncryptedPkcs8Pem: keys("rsa.enc-default.pem"),
    rsaEncryptedPassword: "secret",
    rsaCertificatePem: keys("rsa.crt.pem"),
    rsaX5tS256: JSON.parse(keys("expected.json"))["rsa.crt.pem"].x5tS256,
  };

  // The suite.
  let mf;
  const outcome = { code: 0, stdout: "", stderr: "" };
  try {
    mf = await startWorker(Miniflare, "test/e2e/entries/workerd.mjs", nodejsCompat, {
      FIXTURES: fixtures,
      E2E_RUNTIME: runtime,
    });
    const response = await mf.dispatchFetch("http://e2e.local/");
    outcome.stdout = await response.text();
    if (!response.ok) outcome.code = response.status;
  } catch (error) {
    outcome.code = 1;
    outcome.stderr = error instanceof Error ? `${error.stack}` : String(error);
  } finally {
    await mf?.dispose().catch(() => {});
  }
  results.push(...parseResults(outcome.stdout));
  results.push(...completeness(runtime, outcome, [...results], expected));
  const info = infoLine(outcome.stdout);
  const globalsOk =
    info !== undefined && info.hasBuffer === nodejsCompat && info.hasProcess === nodejsCompat;
  results.push({
    name: `the Worker ran ${nodejsCompat ? "with" : "without"} nodejs_compat (Buffer and process ${nodejsCompat ? "present" : "absent"})`,
    ok: globalsOk,
    ms: 0,
    ...(globalsOk
      ? {}
      : { error: info === undefined ? "no runtime info reported" : JSON.stringify(info) }),
  });

  // The example Worker, as `npm start` runs it (Workers KV as L2, ctx.waitUntil for the writes).
  results.push(await exampleWorkerScenario(Miniflare, nodejsCompat));
  return results;
}

/** `entry` bundled for workerd, in a Miniflare with a TOKENS KV namespace and `bindings`. */
async function startWorker(Miniflare, entry, nodejsCompat, bindings = {}) {
  return new Miniflare({
    modules: true,
    script: await bundleForWorkerd(entry, nodejsCompat),
    compatibilityDate: "2026-04-26",
    compatibilityFlags: nodejsCompat ? ["nodejs_compat"] : [],
    kvNamespaces: ["TOKENS"],
    bindings,
  });
}

async function exampleWorkerScenario(Miniflare, nodejsCompat) {
  const name =
    "example examples/worker/worker.ts: identity provider, then L1; a new isolate's app gets L2 from KV; the gateway route retries a claims challenge";
  let mf;
  try {
    return await scenarioResult(name, async () => {
      mf = await startWorker(Miniflare, "examples/worker/worker.ts", nodejsCompat);
      const seen = [];
      for (const [tenant, isolated] of [
        [tenants[0], false],
        [tenants[0], false],
        [tenants[1], false],
        [tenants[1], false],
        [tenants[0], true],
        [tenants[1], true],
      ]) {
        const response = await mf.dispatchFetch(
          `http://example.local/?tenant=${tenant}${isolated ? "&isolated=1" : ""}`,
        );
        const body = await response.json();
        if (!response.ok) throw new Error(`status ${response.status}: ${JSON.stringify(body)}`);
        seen.push(`${body.tokenSource}/${body.cacheLevel}`);
      }
      const expected = [
        "IdentityProvider/None",
        "Cache/L1Cache",
        "IdentityProvider/None",
        "Cache/L1Cache",
        "Cache/L2Cache",
        "Cache/L2Cache",
      ];
      if (seen.join() !== expected.join())
        throw new Error(`token sources ${seen.join(", ")}; expected ${expected.join(", ")}`);
      // The gateway route: the demo API's claims challenge is answered with one retry.
      const gateway = await mf.dispatchFetch(
        `http://example.local/gateway/v1.0/users?tenant=${tenants[0]}`,
        {
          method: "POST",
          body: "forwarded",
          headers: { authorization: "Bearer the-caller's-own" },
        },
      );
      const answer = await gateway.json();
      if (gateway.status !== 200 || answer.acrs?.[0] !== "c1" || answer.body !== "forwarded")
        throw new Error(`gateway: status ${gateway.status}, ${JSON.stringify(answer)}`);
    });
  } finally {
    await mf?.dispose().catch(() => {});
  }
}

/**
 * Bundles as Vercel bundles an Edge Function (conditions edge-light, worker, browser, no `node:*`)
 * into a script for an `EdgeRuntime`, which evaluates scripts, not modules. `globalName` exposes
 * the module's exports (the default handler and `config` of an Edge Function).
 */
async function bundleForEdge(entry, globalName) {
  const result = await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    format: "iife",
    ...(globalName ? { globalName } : {}),
    target: "es2022",
    platform: "browser",
    conditions: ["edge-light", "worker", "browser"],
    write: false,
    absWorkingDir: root,
    metafile: true,
    logLevel: "silent",
  });
  return builtPackageBundle(entry, result);
}

async function runEdgeRuntime(expected) {
  const { EdgeRuntime } = await import("edge-runtime");
  return withUpstash(async (upstash) => {
    const fixtures = await loadFixtures(async (url) => readFileSync(url, "utf8"));
    const outcome = { code: 0, stdout: "", stderr: "" };
    try {
      const runtime = new EdgeRuntime({
        initialCode: await bundleForEdge("test/e2e/entries/edge-runtime.mjs"),
      });
      const response = await runtime.dispatchFetch("http://e2e.local/", {
        method: "POST",
        body: JSON.stringify({ fixtures, upstash }),
      });
      outcome.stdout = await response.text();
      await response.waitUntil();
      if (!response.ok) outcome.code = response.status;
    } catch (error) {
      outcome.code = 1;
      outcome.stderr = error instanceof Error ? `${error.stack}` : String(error);
    }
    const results = parseResults(outcome.stdout);
    results.push(...completeness("edge-runtime", outcome, [...results], expected));
    const info = infoLine(outcome.stdout);
    const globalsOk =
      info !== undefined && !info.hasBuffer && !info.hasProcess && info.edgeRuntime === true;
    results.push({
      name: "the suite ran in an EdgeRuntime (EdgeRuntime global present; Buffer and process absent)",
      ok: globalsOk,
      ms: 0,
      ...(globalsOk
        ? {}
        : { error: info === undefined ? "no runtime info reported" : JSON.stringify(info) }),
    });
    results.push(await vercelEdgeExampleScenario(EdgeRuntime, upstash));
    return results;
  });
}

/**
 * Runs examples/vercel-edge.ts as Vercel runs an Edge Function: its default export answers each
 * request, with a context whose `waitUntil` outlives the response, and `process.env` (the only
 * `process` Vercel's Edge runtime has) holding its settings. Two requests to one isolate (identity
 * provider, then L1), then two to a new isolate sharing the Upstash store (L2, then L1).
 */
function vercelEdgeExampleScenario(EdgeRuntime, upstash) {
  const name =
    "example examples/vercel-edge.ts: identity provider then L1; a new isolate gets it from L2 (Upstash)";
  return l2ExampleScenario(name, async (server) => {
    const code = await bundleForEdge("examples/vercel-edge.ts", "edgeFunction");
    const glue = `
      if (edgeFunction.config?.runtime !== "edge") throw new Error("config.runtime is not edge");
      addEventListener("fetch", (event) =>
        event.respondWith(edgeFunction.default(event.request, { waitUntil: (p) => event.waitUntil(p) })),
      );`;
    const processEnv = {
      CLIENT_ID: exampleApp.clientId,
      CLIENT_SECRET: exampleApp.secret,
      TENANT_ID: tenants[0],
      AUTHORITY_HOST: server.url,
      UPSTASH_REDIS_REST_URL: upstash.url,
      UPSTASH_REDIS_REST_TOKEN: upstash.token,
      UPSTASH_DISABLE_TELEMETRY: "1",
    };
    const seen = [];
    for (let isolate = 0; isolate < 2; isolate++) {
      const runtime = new EdgeRuntime({
        extend: (context) => Object.assign(context, { process: { env: { ...processEnv } } }),
        initialCode: `${code}\n${glue}`,
      });
      for (let call = 0; call < 2; call++) {
        const response = await runtime.dispatchFetch("https://example.vercel.app/api/token");
        const body = await response.text();
        await response.waitUntil();
        if (!response.ok) throw new Error(`status ${response.status}: ${body}`);
        const { tokenSource, cacheLevel } = JSON.parse(body);
        seen.push(`${tokenSource}/${cacheLevel}`);
      }
    }
    return seen;
  });
}

/** The `entra-edge:e2e-info` line of a runtime's output, if any. */
function infoLine(stdout) {
  return stdout
    .split("\n")
    .map((line) => {
      try {
        return JSON.parse(line);
      } catch {
        return undefined;
      }
    })
    .find((value) => value?.type === "entra-edge:e2e-info");
}

// --- Main ---

const runners = {
  node: (expected) => runNode(expected),
  deno: (expected) => runDeno(expected),
  bun: (expected) => runBun(expected),
  workerd: (expected) => runWorkerd(expected, false),
  "workerd-nodejs-compat": (expected) => runWorkerd(expected, true),
  "edge-runtime": (expected) => runEdgeRuntime(expected),
};

const names = process.argv.slice(2);
if (names.length === 0 || names.some((name) => !(name in runners))) {
  console.error(`usage: node test/e2e/run.mjs ${Object.keys(runners).join(" | ")} [...]`);
  process.exit(2);
}

let anyFailed = false;
for (const name of names) {
  const started = Date.now();
  let results;
  let expected = 1;
  try {
    expected = (await suiteScenarioCount()) + 1; // + the example
    if (!existsSync(join(root, "dist/index.mjs")))
      throw new Error("dist/ is missing: build first (node_modules/.bin/unbuild)");
    results = await runners[name](expected - 1);
  } catch (error) {
    // Could not run at all (a missing binary or build, a store that did not start): every scenario fails.
    const detail = error instanceof Error ? error.stack : String(error);
    results = Array.from({ length: expected }, (_, index) => ({
      name: `${name}: scenario ${index + 1} of ${expected} could not run`,
      ok: false,
      ms: 0,
      ...(index === 0 ? { error: detail } : {}),
    }));
  }
  console.log(`\ne2e ${name}`);
  for (const result of results) {
    console.log(
      `  ${result.ok ? "✓" : "✗"} ${result.name}${result.ms ? ` (${result.ms} ms)` : ""}`,
    );
    if (!result.ok && result.error)
      console.log(
        result.error
          .split("\n")
          .map((line) => `      ${line}`)
          .join("\n"),
      );
  }
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  anyFailed ||= failed > 0;
  console.log(
    `e2e ${name}: ${passed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  console.log(JSON.stringify({ type: SUMMARY_TYPE, name: `e2e ${name}`, passed, failed }));
}
process.exit(anyFailed ? 1 : 0);
