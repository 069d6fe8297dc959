// The e2e suite in Node 20+, on the built package imported as a user would (`entra-edge` resolves
// through package.json `exports` by self-reference). L2 stores: memory, and Redis through ioredis
// when REDIS_URL is set. Started by test/e2e/run.mjs: `node test/e2e/entries/node.mjs`.
import { readFile } from "node:fs/promises";
import { transform } from "esbuild";
import Redis from "ioredis";
import * as core from "entra-edge";
import * as testing from "entra-edge/testing";
import * as federation from "entra-edge/federation";
import { memoryCache } from "entra-edge/adapters/memory";
import { redisCache } from "entra-edge/adapters/redis";
import { loadFixtures } from "./fixtures.mjs";

// Node 20 cannot run TypeScript: the suite (which has no runtime import) is transpiled in memory.
const { code } = await transform(await readFile(new URL("../suite.ts", import.meta.url), "utf8"), {
  loader: "ts",
  format: "esm",
  target: "es2022",
});
const { runSuite, resultLine } = await import(
  `data:text/javascript;base64,${Buffer.from(code).toString("base64")}`
);

const redis = process.env.REDIS_URL
  ? new Redis(process.env.REDIS_URL, {
      maxRetriesPerRequest: 1,
      connectTimeout: 3000,
      lazyConnect: false,
    })
  : undefined;
const stores = [{ name: "memory", adapter: memoryCache() }];
if (redis) stores.push({ name: "redis (ioredis)", adapter: redisCache(redis) });
try {
  await runSuite(
    {
      runtime: "node",
      modules: { core, testing, federation },
      fixtures: await loadFixtures((url) => readFile(url, "utf8")),
      stores,
    },
    (result) => console.log(resultLine("node", result)),
  );
} finally {
  redis?.disconnect();
}
