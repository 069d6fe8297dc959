// The e2e suite in workerd: a module Worker bundled by test/e2e/run.mjs with esbuild as wrangler
// bundles (conditions workerd, worker, browser; `entra-edge` resolved through package.json
// `exports`) and served by miniflare, with and without nodejs_compat. L2 stores: memory, and the
// Workers KV binding TOKENS. Fixtures arrive as the JSON binding FIXTURES. A GET answers with the
// results as JSON lines.
import * as core from "entra-edge";
import * as testing from "entra-edge/testing";
import * as federation from "entra-edge/federation";
import { memoryCache } from "entra-edge/adapters/memory";
import { workersKvCache } from "entra-edge/adapters/workers-kv";
import { resultLine, runSuite } from "../suite.ts";

export default {
  async fetch(_request, env) {
    const runtime = env.E2E_RUNTIME ?? "workerd";
    const lines = [];
    await runSuite(
      {
        runtime,
        modules: { core, testing, federation },
        fixtures: env.FIXTURES,
        stores: [
          { name: "memory", adapter: memoryCache() },
          { name: "workers-kv (KV binding)", adapter: workersKvCache(env.TOKENS) },
        ],
      },
      (result) => lines.push(resultLine(runtime, result)),
    );
    // Proof of the runtime, for the report: without nodejs_compat there is no Buffer or process.
    lines.push(
      JSON.stringify({
        type: "entra-edge:e2e-info",
        hasBuffer: typeof globalThis.Buffer === "function",
        hasProcess: typeof globalThis.process === "object",
      }),
    );
    return new Response(lines.join("\n") + "\n", {
      headers: { "content-type": "application/x-ndjson" },
    });
  },
};
