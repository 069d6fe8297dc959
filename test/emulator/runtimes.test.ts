/**
 * The emulator must run unchanged in workerd, Deno and Bun (and Node): the same scenario is
 * bundled with esbuild and run in each, and must give the same answers.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCertificate } from "./helpers";

const here = dirname(fileURLToPath(import.meta.url));
const bin = (name: string) => resolve(here, "../../node_modules/.bin", name);
const expected = {
  secret: [
    200,
    "5fc87507-4086-4e77-b415-cee677eb232e",
    "1",
    "72f988bf-86f1-41af-91ab-2d7cd011db47",
  ],
  assertion: 200,
  replay: [50013],
  aborted: "AbortError",
  network: "TypeError: fetch failed",
  throttled: [429, "60", "Too Many Requests"],
  recordedContentType: "application/x-www-form-urlencoded",
  recorded: [200, 200, 401, null, null, 429],
};

let dir: string;
let script: string;
let worker: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "entra-emulator-runtimes-"));
  const { certificatePem, privateKeyPem, x5tS256 } = generateCertificate();
  const input = JSON.stringify({ certificatePem, privateKeyPem, x5tS256 });
  const bundle = async (contents: string, outfile: string) => {
    await build({
      stdin: { contents, resolveDir: here, loader: "ts" },
      bundle: true,
      format: "esm",
      platform: "neutral",
      mainFields: ["module", "main"],
      outfile,
      logLevel: "error",
    });
    return outfile;
  };
  script = await bundle(
    `import { run } from "./fixtures/runtime-smoke"; console.log(JSON.stringify(await run(${input})));`,
    join(dir, "main.mjs"),
  );
  worker = await bundle(
    `import { run } from "./fixtures/runtime-smoke";
     export default { async fetch() { return Response.json(await run(${input})); } };`,
    join(dir, "worker.mjs"),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (command: string, args: string[]) =>
  JSON.parse(execFileSync(command, args, { encoding: "utf8", timeout: 60_000 })) as unknown;

describe("runtime neutrality", () => {
  it("runs in Node", () => {
    expect(run(process.execPath, [script])).toEqual(expected);
  });

  it("runs in Deno", () => {
    expect(run(bin("deno"), ["run", "--quiet", "--no-prompt", script])).toEqual(expected);
  });

  it("runs in Bun", () => {
    expect(run(bin("bun"), [script])).toEqual(expected);
  });

  it("runs in workerd (miniflare)", async () => {
    const miniflare = new Miniflare({
      modules: true,
      script: readFileSync(worker, "utf8"),
      compatibilityDate: "2024-09-23",
    });
    try {
      const response = await miniflare.dispatchFetch("http://localhost/");
      expect(await response.json()).toEqual(expected);
    } finally {
      await miniflare.dispose();
    }
  });
});
