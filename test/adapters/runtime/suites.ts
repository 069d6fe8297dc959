/**
 * What the workerd, Deno and Bun runs execute: the capabilities (which select the shared cases) and the
 * names of their runtime-specific extra cases. Imported both by the entry scripts that run inside
 * those runtimes and by the vitest files that check their results. Runtime-neutral.
 *
 * @module
 */

import type { AdapterCapabilities } from "../cases";

/** Workers KV through `workersKvCache`, inside workerd (miniflare), on the worker's own binding. */
export const workersKvSuite = {
  name: "workers-kv (inside workerd)",
  capabilities: {
    minTtlSeconds: 60,
    atomicSetIfAbsent: false,
    compareAndSet: false,
    externalStore: true,
  } satisfies AdapterCapabilities,
  extraCases: [
    "workerd: a key over 512 UTF-8 bytes is stored as a SHA-256 digest (crypto.subtle in workerd)",
  ],
} as const;

/** Deno KV through `denoKvCache`, in a real `deno` process on a file database. */
export const denoKvSuite = {
  name: "deno-kv (Deno.openKv in deno)",
  capabilities: {
    minTtlSeconds: 1,
    atomicSetIfAbsent: true,
    compareAndSet: true,
    // 65,536 bytes per Deno KV entry minus the 64 bytes denoKvCache keeps for its envelope.
    maxValueBytes: 65_472,
    externalStore: true,
  } satisfies AdapterCapabilities,
  extraCases: [
    "deno-kv: an expired entry Deno KV has not swept yet is hidden, and its lease is taken over once",
    "deno-kv: two-byte characters count twice against the 64 KiB limit",
    "deno-kv: accepts an array prefix and stores entries at [...prefix, key]",
  ],
} as const;

/** Redis through Bun's built-in `RedisClient`, in a real `bun` process. */
export const bunRedisSuite = {
  name: "redis (Bun RedisClient in bun)",
  capabilities: {
    minTtlSeconds: 1,
    atomicSetIfAbsent: true,
    compareAndSet: true,
    externalStore: true,
  } satisfies AdapterCapabilities,
  extraCases: [
    "bun: the client is driven through send() (it has no call or sendCommand)",
    "bun: a client whose server is gone rejects instead of hanging",
  ],
} as const;
