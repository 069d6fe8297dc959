import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { testCacheAdapterResults } from "./conformance";
import { localBinary, runCaseProcess, runtimeEntry } from "./runtime/spawn";
import { denoKvSuite } from "./runtime/suites";

// Deno KV only exists inside Deno: the cases run in a real `deno` process on a file database.
const dir = mkdtempSync(join(tmpdir(), "entra-edge-deno-kv-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

testCacheAdapterResults({
  ...denoKvSuite,
  run: () =>
    runCaseProcess(localBinary("deno"), [
      "run",
      "--unstable-kv",
      "--sloppy-imports", // the test files import each other without extensions, like the rest of the repo
      "--no-lock",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      runtimeEntry("deno-kv.entry.ts"),
      join(dir, "tokens.db"),
    ]),
});
