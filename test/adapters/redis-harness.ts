// The conformance harness of the Redis adapter over any client (single server or cluster, ioredis
// or node-redis), shared by the Redis test files.
import { expect } from "vitest";
import { redisCache, type RedisClientLike } from "../../adapters/redis";
import { type AuthenticationResult, CacheLevel } from "../../src/index";
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

/**
 * Expects what cold instances sharing a Redis store under the lease end with: one token request
 * to `entra`, one token for all, and some of them served from L2.
 */
export function expectOneLeasedToken(
  entra: { tokenRequests(): readonly unknown[] },
  results: readonly AuthenticationResult[],
): void {
  expect(entra.tokenRequests()).toHaveLength(1);
  expect(new Set(results.map((r) => r.accessToken)).size).toBe(1);
  expect(
    results.some((r) => r.authenticationResultMetadata.cacheLevel === CacheLevel.L2Cache),
  ).toBe(true);
}
