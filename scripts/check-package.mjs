// Packaging checks, run by scripts/test-all.mjs after the build (`node scripts/check-package.mjs`):
//
// - publint (strict: warnings count) and @arethetypeswrong/cli (`attw --pack`, ESM-only profile)
//   are clean;
// - every subpath in package.json `exports` points at files that exist (types and code);
// - the core bundle (esbuild of dist/index.mjs: platform neutral, minified, jose and valibot
//   bundled in) has no `node:` import and no adapter or emulator code; its gzipped size is printed;
// - a Deno project that installs the packed tarball from npm type-checks examples/deno.ts.
//
// Prints one line per check and a summary line that test-all counts.
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

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

// --- The core bundle ---

let bundle;
try {
  bundle = await build({
    entryPoints: [join(root, "dist/index.mjs")],
    bundle: true,
    minify: true,
    platform: "neutral",
    format: "esm",
    mainFields: ["module", "main"],
    // Left external only so that a `node:` import is reported below instead of failing the build.
    external: ["node:*"],
    metafile: true,
    absWorkingDir: root,
    write: false,
    logLevel: "silent",
  });
} catch (error) {
  record(
    "the core bundle builds (esbuild, platform neutral, minified)",
    false,
    error instanceof Error ? error.message : String(error),
  );
}
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
    "the core bundle has no adapter or emulator code (and bundles jose and valibot)",
    foreign.length === 0 && bundled("jose") && bundled("valibot") && output.imports.length === 0,
    foreign.length || output.imports.length
      ? `unexpected inputs: ${foreign.join(", ")}; left imports: ${output.imports.map((i) => i.path).join(", ")}`
      : undefined,
  );
  const gzipped = gzipSync(text, { level: 9 }).length;
  const bytesOf = (test) =>
    inputs.filter(test).reduce((sum, input) => sum + (output.inputs[input]?.bytesInOutput ?? 0), 0);
  const part = (label, test) => `${label} ${(bytesOf(test) / 1024).toFixed(1)} KiB`;
  console.log(
    `  core bundle: ${(text.length / 1024).toFixed(1)} KiB minified, ${(gzipped / 1024).toFixed(1)} KiB gzipped (${gzipped} bytes)`,
  );
  console.log(
    `  minified input: ${part("entra-edge", (i) => !i.includes("node_modules/"))}, ${part("jose", (i) => i.includes("node_modules/jose/"))}, ${part("valibot", (i) => i.includes("node_modules/valibot/"))}`,
  );
}

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
