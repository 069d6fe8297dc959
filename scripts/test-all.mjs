// Runs every check and suite of the project and ends with one line "N passed, N failed" that sums
// them all. Each step is a child process; a step that cannot run counts as failed, never skipped.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const bin = (name) => join("node_modules", ".bin", name);
const results = [];

/** Runs a command whose success is one check. */
function check(name, command, args) {
  console.log(`\n=== ${name}: ${command} ${args.join(" ")}`);
  const run = spawnSync(command, args, { stdio: "inherit" });
  const ok = run.status === 0;
  results.push({ name, passed: ok ? 1 : 0, failed: ok ? 0 : 1 });
}

/** Runs vitest with a JSON report and counts its tests. */
function vitest(name, args) {
  const report = join(mkdtempSync(join(tmpdir(), "entra-edge-vitest-")), "report.json");
  console.log(`\n=== ${name}: vitest run ${args.join(" ")}`);
  const run = spawnSync(
    bin("vitest"),
    ["run", ...args, "--reporter=default", "--reporter=json", `--outputFile.json=${report}`],
    { stdio: "inherit" },
  );
  if (!existsSync(report)) {
    results.push({ name, passed: 0, failed: 1 });
    return;
  }
  const json = JSON.parse(readFileSync(report, "utf8"));
  const failed = json.numFailedTests + (run.status !== 0 && json.numFailedTests === 0 ? 1 : 0);
  results.push({
    name,
    passed: json.numPassedTests,
    failed,
    skipped: json.numPendingTests + json.numTodoTests,
  });
}

/**
 * Runs a command that counts its own checks: it prints lines
 * `{"type":"entra-edge:summary","name":...,"passed":N,"failed":N}` (one per result row). No such
 * line, or a failing exit code with nothing failed, counts as one failure.
 */
function counted(name, command, args, timeoutMs = 300_000) {
  console.log(`\n=== ${name}: ${command} ${args.join(" ")}`);
  const run = spawnSync(command, args, {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    timeout: timeoutMs,
  });
  process.stdout.write(run.stdout ?? "");
  if (run.error) console.log(`${name}: ${run.error.message}`);
  const rows = [];
  for (const line of (run.stdout ?? "").split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const parsed = JSON.parse(line);
      if (parsed.type === "entra-edge:summary")
        rows.push({
          name: parsed.name ?? name,
          passed: Number(parsed.passed) || 0,
          failed: Number(parsed.failed) || 0,
        });
    } catch {
      // an ordinary output line
    }
  }
  if (rows.length === 0) rows.push({ name, passed: 0, failed: 1 });
  else if (run.status !== 0 && rows.every((row) => row.failed === 0))
    rows[rows.length - 1].failed += 1;
  results.push(...rows);
}

check("format (prettier --check: run `npx prettier --write .` to fix)", bin("prettier"), [
  "--check",
  ".",
]);
check("typecheck src", bin("tsc"), ["--noEmit", "-p", "tsconfig.json"]);
check("typecheck tests", bin("tsc"), ["--noEmit", "-p", "tsconfig.test.json"]);
check("build", bin("unbuild"), []);
check("API docs (typedoc: every public export documented)", bin("typedoc"), ["--logLevel", "Warn"]);
vitest("vitest (node)", []);

// The built package: publint, attw, every export built, the core bundle (no node:, no adapters, size).
counted("package checks", process.execPath, ["scripts/check-package.mjs"]);

// JSR: the jsr.json exports (TypeScript sources) type-check in Deno, and a publish dry run passes.
// The sources import without extensions (moduleResolution Bundler): Deno resolves them with
// --sloppy-imports, and `deno publish` rewrites them. Every public symbol has an explicit type, so
// JSR's "fast check" passes without --allow-slow-types.
const jsrEntries = Object.values(JSON.parse(readFileSync("jsr.json", "utf8")).exports);
check("deno check (JSR entry points)", bin("deno"), [
  "check",
  "--no-lock",
  "--sloppy-imports",
  ...jsrEntries,
]);
check("deno publish --dry-run (JSR)", bin("deno"), [
  "publish",
  "--dry-run",
  "--no-lock",
  "--allow-dirty",
  "--quiet",
]);

// The end-to-end suite (test/e2e/suite.ts) on the built package, one row per runtime.
for (const runtime of ["node", "deno", "bun", "workerd", "workerd-nodejs-compat", "edge-runtime"]) {
  counted(`e2e ${runtime}`, process.execPath, ["test/e2e/run.mjs", runtime], 120_000);
}

// `npm start` (the example Worker in workerd against the emulator), on the build above.
check("npm start (example Worker report)", process.execPath, ["scripts/start.mjs", "--no-build"]);

console.log("\n=== summary");
let passed = 0;
let failed = 0;
let skipped = 0;
for (const result of results) {
  console.log(
    `${result.name}: ${result.passed} passed, ${result.failed} failed${result.skipped ? `, ${result.skipped} skipped` : ""}`,
  );
  passed += result.passed;
  failed += result.failed;
  skipped += result.skipped ?? 0;
}
if (skipped > 0) {
  console.log(`${skipped} tests were skipped: every test must run.`);
  failed += skipped;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
