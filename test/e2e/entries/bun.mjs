// The e2e suite in Bun, on the built package imported as a user would (`entra-edge` resolves
// through package.json `exports`). L2 stores: memory, and Redis through Bun's built-in RedisClient
// at $REDIS_URL (a real redis-server started by test/e2e/run.mjs): `bun test/e2e/entries/bun.mjs`.
import { RedisClient } from "bun";
import * as core from "entra-edge";
import * as testing from "entra-edge/testing";
import * as federation from "entra-edge/federation";
import { memoryCache } from "entra-edge/adapters/memory";
import { redisCache } from "entra-edge/adapters/redis";
import { resultLine, runSuite } from "../suite.ts";
import { loadFixtures } from "./fixtures.mjs";

if (!Bun.env.REDIS_URL) throw new Error("REDIS_URL is not set");
// With no server, Bun's client would wait forever by default: bound it.
const redis = new RedisClient(Bun.env.REDIS_URL, {
  connectionTimeout: 3000,
  autoReconnect: false,
  maxRetries: 0,
});
try {
  await runSuite(
    {
      runtime: "bun",
      modules: { core, testing, federation },
      fixtures: await loadFixtures((url) => Bun.file(url).text()),
      stores: [
        { name: "memory", adapter: memoryCache() },
        { name: "redis (Bun RedisClient)", adapter: redisCache(redis) },
      ],
    },
    (result) => console.log(resultLine("bun", result)),
  );
} finally {
  redis.close();
}
