// The conformance harness of the Redis adapter over any client (single server or cluster, ioredis
// or node-redis), shared by the Redis test files.
import { redisCache, type RedisClientLike } from "../../adapters/redis";
import { failingStore, type AdapterHarness } from "./conformance";

/** A harness over `client`; `pttl` reads the TTL Redis holds for a key (-2: no key). */
export function redisHarness(
  client: () => RedisClientLike,
  pttl: (key: string) => Promise<unknown>,
): () => Promise<AdapterHarness> {
  return async () => ({
    adapter: redisCache(client()),
    defaultPrefix: "entra-edge:",
    withPrefix: (prefix) => redisCache(client(), { prefix }),
    failing: (mode, error) => redisCache(failingStore(client(), mode, error)),
    storedTtlMs: async (key) => {
      const ttl = Number(await pttl(`entra-edge:${key}`));
      return ttl >= 0 ? ttl : undefined;
    },
    cleanup: async () => {},
  });
}

/** What the Redis adapter promises, on a server and on a cluster alike. */
export const redisCapabilities = {
  minTtlSeconds: 1,
  atomicSetIfAbsent: true,
  compareAndSet: true,
  externalStore: true,
} as const;
