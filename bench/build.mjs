// Bundles the current TypeScript sources (src/, adapters/) with esbuild into bench/.build, so the
// benchmark always measures the working tree, not a stale dist/. Also bundles the Worker used by
// the workerd scenario. Unminified, with source maps, so CPU profiles read like the sources.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const buildDir = join(root, "bench", ".build");

export async function buildAll() {
  await build({
    absWorkingDir: root,
    entryPoints: {
      index: "src/index.ts",
      testing: "src/testing/index.ts",
      "adapters/redis": "adapters/redis.ts",
      "adapters/workers-kv": "adapters/workers-kv.ts",
      "adapters/memory": "adapters/memory.ts",
      "support/redis-server": "test/support/redis-server.ts",
    },
    outdir: buildDir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outExtension: { ".js": ".mjs" },
    sourcemap: true,
    logLevel: "warning",
  });
  // The Workers, bundled for workerd: scenario 7's (entra-edge + the Workers KV adapter) and the
  // "isolates" scenario's (+ the Durable Object adapter and class).
  await build({
    absWorkingDir: root,
    entryPoints: {
      worker: "bench/lib/worker.ts",
      "isolates-worker": "bench/lib/isolates-worker.ts",
    },
    outdir: buildDir,
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    conditions: ["worker", "workerd", "browser"],
    target: "es2022",
    external: ["cloudflare:workers"],
    outExtension: { ".js": ".mjs" },
    logLevel: "warning",
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildAll();
