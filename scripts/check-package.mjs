// Packaging checks, run by scripts/test-all.mjs after the build (`node scripts/check-package.mjs`):
//
// - publint (strict: warnings count) and @arethetypeswrong/cli (`attw --pack`, ESM-only profile)
//   are clean;
// - every subpath in package.json `exports` points at files that exist (types and code);
// - the version in src/internal/platform.ts (`libraryVersion`) and jsr.json is package.json's;
// - no dist/**/*.mjs has a bare side-effect import (`import "valibot";`): with `"sideEffects":
//   false` esbuild warns about each one in a user's build;
// - the core bundle (esbuild of dist/index.mjs: platform neutral, minified, valibot bundled in)
//   has no `node:` import, no adapter or emulator code, and no import of jose or @opentelemetry/api
//   from dist/index.mjs or any chunk it imports; its gzipped size is printed;
// - entra-edge/opentelemetry imports @opentelemetry/api (left to the user) and nothing else;
// - a minimal user Worker importing the built package bundles with esbuild as wrangler would
//   (workerd conditions, minified) without any warning; its minified and gzipped sizes are printed;
// - a Worker using entra-edge/adapters/durable-object bundles under the workerd, worker, browser
//   and import conditions ("cloudflare:workers" external) with no warning and no other import;
// - a Worker using entra-edge/federation bundles under the workerd conditions with no warning and
//   no import left (no `node:` module: the subpath loads without nodejs_compat);
// - a Deno project that installs the packed tarball from npm type-checks examples/deno.ts.
//
// Prints one line per check and a summary line that test-all counts.
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, formatMessages } from "esbuild";

const root = fileURLToPath(new URL("../", import.meta.url));
const bin = (name) => join(root, "node_modules", ".bin", name);
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const results = [];

function record(name, ok, detail) {
  results.push({ name, ok });
  console.log(`${ok ? "✓" : "✗"} ${name}${detail ? `\n${detail.replace(/^/gm, "    ")}` : ""}`);
}

function command(name, file, args, options = {}) {
  const run = spawnSync(file, args, {
    cwd: options.cwd ?? root,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    maxBuffer: 64 * 1024 * 1024,
  });
  const output =
    `${run.stdout ?? ""}${run.stderr ?? ""}${run.error ? `\n${run.error.message}` : ""}`.trim();
  const ok = run.status === 0 && (options.accept?.(output) ?? true);
  record(name, ok, ok && !options.showOutput ? undefined : output);
  return ok;
}

// --- publint and attw ---

command("publint --strict: no errors, warnings or suggestions", bin("publint"), ["--strict"], {
  accept: (output) => /All good!/.test(output),
});
command(
  "attw --pack . --profile esm-only: no problems",
  bin("attw"),
  ["--pack", ".", "--profile", "esm-only", "--format", "ascii"],
  {
    showOutput: false,
  },
);

// --- exports ---

/** Every file path a conditional `exports` value points at. */
function targets(value) {
  if (typeof value === "string") return [value];
  if (value === null || typeof value !== "object") return [];
  return Object.values(value).flatMap(targets);
}
for (const [subpath, value] of Object.entries(pkg.exports)) {
  const files = targets(value);
  const missing = files.filter((file) => !existsSync(join(root, file)));
  const hasCode = subpath === "./package.json" || files.some((file) => file.endsWith(".mjs"));
  const hasTypes = subpath === "./package.json" || files.some((file) => file.endsWith(".d.mts"));
  record(
    `exports["${subpath}"] is built (${files.join(", ")})`,
    missing.length === 0 && files.length > 0 && hasCode && hasTypes,
    missing.length > 0
      ? `missing: ${missing.join(", ")}`
      : !hasCode || !hasTypes
        ? "needs both code (.mjs) and types (.d.mts)"
        : undefined,
  );
}

// --- One version ---

{
  const platform = readFileSync(join(root, "src/internal/platform.ts"), "utf8");
  const constant = /export const libraryVersion = "([^"]*)"/.exec(platform)?.[1];
  const jsr = JSON.parse(readFileSync(join(root, "jsr.json"), "utf8")).version;
  record(
    `version: src/internal/platform.ts libraryVersion and jsr.json equal package.json's (${pkg.version})`,
    constant === pkg.version && jsr === pkg.version,
    constant === pkg.version && jsr === pkg.version
      ? undefined
      : `package.json ${pkg.version}, libraryVersion ${constant ?? "(not found)"}, jsr.json ${jsr}`,
  );
}

// --- No bare side-effect import in dist/ ---

{
  const dist = join(root, "dist");
  const files = (existsSync(dist) ? readdirSync(dist, { recursive: true }) : [])
    .map(String)
    .filter((file) => file.endsWith(".mjs"));
  const bare = files.flatMap((file) =>
    readFileSync(join(dist, file), "utf8")
      .split("\n")
      .flatMap((line, index) =>
        /^\s*import\s*["'][^"']+["']\s*;?\s*$/.test(line)
          ? [`dist/${file}:${index + 1}: ${line.trim()}`]
          : [],
      ),
  );
  record(
    `no bare side-effect import (import "x";) in dist/**/*.mjs (${files.length} files)`,
    files.length > 0 && bare.length === 0,
    bare.length ? bare.join("\n") : files.length === 0 ? "no .mjs file in dist/" : undefined,
  );
}

// --- The core bundle, and a minimal user Worker ---

/** An esbuild build, or undefined after recording a failed `name` row. */
async function bundleOrRecord(name, options) {
  try {
    return await build({
      bundle: true,
      minify: true,
      format: "esm",
      metafile: true,
      write: false,
      logLevel: "silent",
      ...options,
    });
  } catch (error) {
    const messages = [...(error?.errors ?? []), ...(error?.warnings ?? [])];
    record(
      name,
      false,
      messages.length
        ? (await formatMessages(messages, { kind: "error" })).join("").trim()
        : error instanceof Error
          ? error.message
          : String(error),
    );
    return undefined;
  }
}

/** Prints a bundle's minified and gzipped sizes, and how much of it is entra-edge, jose and valibot. */
function printSizes(label, bundle) {
  const text = bundle.outputFiles[0].text;
  const inputs = Object.keys(bundle.metafile.inputs);
  const output = Object.values(bundle.metafile.outputs)[0];
  const minified = Buffer.byteLength(text);
  const gzipped = gzipSync(text, { level: 9 }).length;
  const bytesOf = (test) =>
    inputs.filter(test).reduce((sum, input) => sum + (output.inputs[input]?.bytesInOutput ?? 0), 0);
  const part = (name, test) => `${name} ${(bytesOf(test) / 1024).toFixed(1)} KiB`;
  console.log(
    `  ${label}: ${(minified / 1024).toFixed(1)} KiB minified (${minified} bytes), ${(gzipped / 1024).toFixed(1)} KiB gzipped (${gzipped} bytes)`,
  );
  console.log(
    `  minified input: ${part("entra-edge", (i) => !i.includes("node_modules/"))}, ${part("jose", (i) => i.includes("node_modules/jose/"))}, ${part("valibot", (i) => i.includes("node_modules/valibot/"))}`,
  );
}

const bundle = await bundleOrRecord(
  "the core bundle builds (esbuild, platform neutral, minified)",
  {
    entryPoints: [join(root, "dist/index.mjs")],
    platform: "neutral",
    mainFields: ["module", "main"],
    // Left external only so that a `node:` import is reported below instead of failing the build.
    external: ["node:*"],
    absWorkingDir: root,
  },
);
if (bundle) {
  const text = bundle.outputFiles[0].text;
  const inputs = Object.keys(bundle.metafile.inputs);
  const output = Object.values(bundle.metafile.outputs)[0];
  const nodeImports = [
    ...output.imports
      .map((i) => i.path)
      .filter(
        (path) =>
          path.startsWith("node:") ||
          /^(?:crypto|buffer|http|https|fs|path|os|util|stream|events|net|tls|zlib|url)$/.test(
            path,
          ),
      ),
    ...[...text.matchAll(/(?:from|import|require)\s*\(?\s*["'`](node:[^"'`]+)["'`]/g)].map(
      (m) => m[1],
    ),
  ];
  record(
    "the core bundle has no node: import",
    nodeImports.length === 0,
    nodeImports.length ? `imports: ${[...new Set(nodeImports)].join(", ")}` : undefined,
  );
  const foreign = inputs.filter((input) =>
    /(^|\/)dist\/(adapters\/|testing\.mjs)|(^|\/)(adapters|src\/testing)\//.test(input),
  );
  const bundled = (name) => inputs.some((input) => input.includes(`node_modules/${name}/`));
  record(
    "the core bundle has no adapter or emulator code (and bundles valibot)",
    foreign.length === 0 && bundled("valibot") && output.imports.length === 0,
    foreign.length || output.imports.length
      ? `unexpected inputs: ${foreign.join(", ")}; left imports: ${output.imports.map((i) => i.path).join(", ")}`
      : undefined,
  );
  // Every file esbuild loaded from dist/ was reached from dist/index.mjs: the entry and the chunks
  // it imports, transitively (static and dynamic imports alike).
  const joseImports = Object.entries(bundle.metafile.inputs)
    .filter(([input]) => !input.includes("node_modules/"))
    .flatMap(([input, { imports }]) =>
      imports
        .filter(({ path, original }) => /^jose(?:\/|$)/.test(original ?? path))
        .map(({ original, path }) => `${input} imports "${original ?? path}"`),
    );
  record(
    "the core entry (dist/index.mjs and the chunks it imports) does not import jose",
    joseImports.length === 0 && !bundled("jose"),
    joseImports.length || bundled("jose")
      ? joseImports.join("\n") || "jose is in the bundle's inputs"
      : undefined,
  );
  const otel = [
    ...inputs.filter(
      (input) => input.includes("@opentelemetry/") || /opentelemetry\.mjs$/.test(input),
    ),
    ...Object.values(bundle.metafile.inputs).flatMap(({ imports }) =>
      imports
        .map(({ original, path }) => original ?? path)
        .filter((path) => path.startsWith("@opentelemetry/")),
    ),
    ...(/@opentelemetry\//.test(text) ? ["the bundle's text names @opentelemetry/"] : []),
  ];
  record(
    "the core entry (dist/index.mjs and the chunks it imports) does not import @opentelemetry/api",
    otel.length === 0,
    otel.length ? otel.join("\n") : undefined,
  );
  printSizes("core bundle", bundle);
}

{
  // entra-edge/opentelemetry: @opentelemetry/api stays the user's (external, not bundled), and
  // nothing else is imported from outside the package.
  const name =
    "entra-edge/opentelemetry bundles with @opentelemetry/api as its only outside import (no node:)";
  const otel = await bundleOrRecord(name, {
    entryPoints: [join(root, "dist/opentelemetry.mjs")],
    platform: "neutral",
    mainFields: ["module", "main"],
    external: ["@opentelemetry/api", "node:*"],
    absWorkingDir: root,
  });
  if (otel) {
    const imports = Object.values(otel.metafile.outputs)[0].imports.map((i) => i.path);
    const bundledApi = Object.keys(otel.metafile.inputs).filter((input) =>
      input.includes("node_modules/@opentelemetry/"),
    );
    const ok =
      imports.length > 0 &&
      imports.every((path) => path === "@opentelemetry/api") &&
      bundledApi.length === 0;
    record(
      name,
      ok,
      ok ? undefined : `imports: ${imports.join(", ")}; bundled: ${bundledApi.join(", ")}`,
    );
  }
}

/**
 * Runs `check(dir)` in a temporary project whose worker.js is `source` and whose
 * node_modules/entra-edge links to this repository (so its files are outside node_modules, as with
 * `npm link` or a workspace, and esbuild does not hide warnings about them); removes it after.
 */
async function inLinkedProject(prefix, source, check) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(root, join(dir, "node_modules", "entra-edge"), "dir");
    writeFileSync(join(dir, "worker.js"), source);
    await check(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * worker.js of `dir` bundled as wrangler would (browser platform, minified), or undefined after
 * recording a failed `name` row.
 */
function bundleWorker(name, dir, conditions, external = []) {
  return bundleOrRecord(name, {
    entryPoints: ["worker.js"],
    absWorkingDir: dir,
    platform: "browser",
    conditions,
    external,
  });
}

/** A Worker bundle's warnings, its imports other than `allowed`, and `distFile` if not in it. */
async function workerBundleProblems(worker, distFile, allowed = []) {
  const imports = Object.values(worker.metafile.outputs)[0].imports.map((i) => i.path);
  const fromDist = Object.keys(worker.metafile.inputs).some((input) => input.includes(distFile));
  return [
    ...(await formatMessages(worker.warnings, { kind: "warning" })),
    ...imports.filter((path) => !allowed.includes(path)).map((path) => `imports ${path}`),
    ...(fromDist ? [] : [`${distFile} is not in the bundle`]),
  ];
}

// What a user's `wrangler deploy` does with a Worker that uses only the core: esbuild with
// wrangler's default platform (browser) and conditions, the package resolved through
// node_modules/entra-edge -> this repository.
await inLinkedProject(
  "entra-edge-worker-",
  `import { ConfidentialClientApplicationBuilder } from "entra-edge";

export default {
  async fetch(request, env) {
    const app = ConfidentialClientApplicationBuilder.create(env.CLIENT_ID)
      .withTenantId(env.TENANT_ID)
      .withClientSecret(env.CLIENT_SECRET)
      .build();
    const result = await app.acquireTokenForClient(["https://graph.microsoft.com/.default"]);
    return new Response(\`token until \${result.expiresOn.toISOString()}\`);
  },
};
`,
  async (dir) => {
    const name =
      'a minimal Worker (import { ConfidentialClientApplicationBuilder } from "entra-edge") bundles with esbuild as wrangler would (workerd conditions, minified): no warning or error';
    const worker = await bundleWorker(name, dir, ["workerd", "worker", "browser"]);
    if (!worker) return;
    const { warnings } = worker;
    record(
      name,
      warnings.length === 0,
      warnings.length
        ? (await formatMessages(warnings, { kind: "warning" })).join("").trim()
        : undefined,
    );
    printSizes("minimal Worker bundle", worker);
  },
);

// A Worker that uses the Durable Object cache, as wrangler bundles it ("cloudflare:workers" is
// provided by workerd), under each condition set a bundler may use: the subpath resolves to the
// built file, and the bundle has no warning and no `node:` import (no nodejs_compat needed).
await inLinkedProject(
  "entra-edge-do-worker-",
  `import { ConfidentialClientApplicationBuilder } from "entra-edge";
import { TokenCacheDurableObject, durableObjectCache } from "entra-edge/adapters/durable-object";
export { TokenCacheDurableObject };

export default {
  async fetch(request, env) {
    const app = ConfidentialClientApplicationBuilder.create(env.CLIENT_ID)
      .withClientSecret(env.CLIENT_SECRET)
      .withCache(durableObjectCache(env.TOKEN_CACHE), { lease: true })
      .build();
    const result = await app.acquireTokenForClient(["https://graph.microsoft.com/.default"]).withTenantId(env.TENANT_ID);
    return new Response(result.expiresOn.toISOString());
  },
};
`,
  async (dir) => {
    for (const conditions of [
      ["workerd", "worker", "browser"],
      ["worker"],
      ["browser"],
      ["import"],
    ]) {
      const name = `a Worker importing entra-edge/adapters/durable-object bundles (conditions ${conditions.join(", ")}; cloudflare:workers external): no warning, no node: import`;
      const worker = await bundleWorker(name, dir, conditions, ["cloudflare:workers"]);
      if (!worker) continue;
      const problems = await workerBundleProblems(worker, "dist/adapters/durable-object.mjs", [
        "cloudflare:workers",
      ]);
      record(name, problems.length === 0, problems.join("\n").trim() || undefined);
    }
  },
);

// A Worker (no nodejs_compat) using entra-edge/federation: the subpath resolves to the built
// file and bundles with no warning and no import left (no `node:` module; the token file is
// read through the runtime's own API, never an import).
await inLinkedProject(
  "entra-edge-federation-worker-",
  `import { ConfidentialClientApplicationBuilder } from "entra-edge";
import { kubernetesTokenFile, vercelOidcToken } from "entra-edge/federation";

export default {
  async fetch(request, env) {
    const app = ConfidentialClientApplicationBuilder.create(env.CLIENT_ID)
      .withTenantId(env.TENANT_ID)
      .withClientAssertion(
        env.TOKEN_FILE ? kubernetesTokenFile(env.TOKEN_FILE) : vercelOidcToken(() => request.headers.get("x-vercel-oidc-token")),
      )
      .build();
    const result = await app.acquireTokenForClient(["https://graph.microsoft.com/.default"]);
    return new Response(result.expiresOn.toISOString());
  },
};
`,
  async (dir) => {
    const name =
      "a Worker importing entra-edge/federation bundles (workerd conditions, minified): no warning, no import left";
    const worker = await bundleWorker(name, dir, ["workerd", "worker", "browser"]);
    if (!worker) return;
    const problems = await workerBundleProblems(worker, "dist/federation.mjs");
    record(name, problems.length === 0, problems.join("\n").trim() || undefined);
  },
);

// --- A Deno user installing from npm ---

{
  const dir = mkdtempSync(join(tmpdir(), "entra-edge-pack-"));
  try {
    const pack = spawnSync("npm", ["pack", "--silent", "--pack-destination", dir], {
      cwd: root,
      encoding: "utf8",
    });
    const tarball = pack.stdout?.trim().split("\n").pop();
    if (pack.status !== 0 || !tarball) throw new Error(`npm pack failed: ${pack.stderr}`);
    const app = join(dir, "app");
    const installed = join(app, "node_modules", "entra-edge");
    mkdirSync(installed, { recursive: true });
    const untar = spawnSync(
      "tar",
      ["-xzf", join(dir, tarball), "-C", installed, "--strip-components=1"],
      { encoding: "utf8" },
    );
    if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
    // Its dependencies, as npm would have installed them (no network here).
    for (const dependency of Object.keys(pkg.dependencies ?? {}))
      symlinkSync(
        join(root, "node_modules", dependency),
        join(app, "node_modules", dependency),
        "dir",
      );
    writeFileSync(
      join(app, "package.json"),
      JSON.stringify({ type: "module", dependencies: { "entra-edge": pkg.version } }),
    );
    writeFileSync(join(app, "app.ts"), readFileSync(join(root, "examples/deno.ts"), "utf8"));
    command(
      `deno check of examples/deno.ts in a project that installed the packed ${tarball}`,
      bin("deno"),
      ["check", "--no-lock", "app.ts"],
      { cwd: app },
    );
  } catch (error) {
    record(
      "deno check of examples/deno.ts against the packed tarball",
      false,
      error instanceof Error ? error.message : String(error),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`package checks: ${passed} passed, ${failed} failed`);
console.log(JSON.stringify({ type: "entra-edge:summary", name: "package checks", passed, failed }));
process.exit(failed === 0 ? 0 : 1);
