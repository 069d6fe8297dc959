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
  const run = spawnSync(bin("vitest"), ["run", ...args, "--reporter=default", "--reporter=json", `--outputFile.json=${report}`], { stdio: "inherit" });
  if (!existsSync(report)) {
    results.push({ name, passed: 0, failed: 1 });
    return;
  }
  const json = JSON.parse(readFileSync(report, "utf8"));
  const failed = json.numFailedTests + (run.status !== 0 && json.numFailedTests === 0 ? 1 : 0);
  results.push({ name, passed: json.numPassedTests, failed, skipped: json.numPendingTests + json.numTodoTests });
}

check("typecheck src", bin("tsc"), ["--noEmit", "-p", "tsconfig.json"]);
check("typecheck tests", bin("tsc"), ["--noEmit", "-p", "tsconfig.test.json"]);
check("build", bin("unbuild"), []);
vitest("vitest (node)", []);

console.log("\n=== summary");
let passed = 0;
let failed = 0;
let skipped = 0;
for (const result of results) {
  console.log(`${result.name}: ${result.passed} passed, ${result.failed} failed${result.skipped ? `, ${result.skipped} skipped` : ""}`);
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
