import { afterAll, beforeAll } from "vitest";
import { startRedisServer, type RedisServer } from "../support/redis-server";
import { testCacheAdapterResults } from "./conformance";
import { localBinary, runCaseProcess, runtimeEntry } from "./runtime/spawn";
import { bunRedisSuite } from "./runtime/suites";

// Bun's built-in RedisClient only exists inside Bun: the cases run in a real `bun` process
// against a real redis-server started here.
let server: RedisServer;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(() => server?.stop());

testCacheAdapterResults({
  ...bunRedisSuite,
  run: () =>
    runCaseProcess(localBinary("bun"), [runtimeEntry("bun-redis.entry.ts")], {
      env: { REDIS_URL: server.url },
    }),
});
