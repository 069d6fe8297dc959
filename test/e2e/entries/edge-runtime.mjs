// The e2e suite in Vercel's Edge runtime (the `edge-runtime` package: no `process`, no `Buffer`),
// bundled by test/e2e/run.mjs with esbuild the way Vercel bundles an Edge Function (conditions
// edge-light, worker, browser; `entra-edge` resolved through package.json `exports`) and
// evaluated in an `EdgeRuntime`. L2 stores: memory, and Redis through @upstash/redis (REST, the
// Redis of Vercel's marketplace) on a local endpoint that speaks Upstash's protocol in front of a
// real redis-server. A POST with `{ fixtures, upstash: { url, token } }` answers with the results
// as JSON lines.
import { Redis } from "@upstash/redis";
import * as core from "entra-edge";
import * as testing from "entra-edge/testing";
import * as federation from "entra-edge/federation";
import { memoryCache } from "entra-edge/adapters/memory";
import { redisCache } from "entra-edge/adapters/redis";
import { resultLine, runSuite } from "../suite.ts";

const RUNTIME = "edge-runtime";

addEventListener("fetch", (event) => event.respondWith(handle(event.request)));

async function handle(request) {
  const { fixtures, upstash } = await request.json();
  const lines = [];
  await runSuite(
    {
      runtime: RUNTIME,
      modules: { core, testing, federation },
      fixtures,
      stores: [
        { name: "memory", adapter: memoryCache() },
        {
          name: "redis (@upstash/redis, REST)",
          adapter: redisCache(new Redis({ url: upstash.url, token: upstash.token, retry: false })),
        },
      ],
    },
    (result) => lines.push(resultLine(RUNTIME, result)),
  );
  // Proof of the runtime, for the report: Vercel's Edge runtime has no Buffer and no process.
  lines.push(
    JSON.stringify({
      type: "entra-edge:e2e-info",
      hasBuffer: typeof globalThis.Buffer === "function",
      hasProcess: typeof globalThis.process === "object",
      edgeRuntime: typeof globalThis.EdgeRuntime === "string",
    }),
  );
  return new Response(lines.join("\n") + "\n", {
    headers: { "content-type": "application/x-ndjson" },
  });
}
