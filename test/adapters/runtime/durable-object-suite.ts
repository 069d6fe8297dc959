/**
 * What the Durable Object run inside workerd executes: the capabilities that select the shared
 * conformance cases. Imported by the worker entry and by the vitest file. Runtime-neutral.
 *
 * @module
 */

import type { AdapterCapabilities } from "../cases";

/** `durableObjectCache` inside workerd (miniflare), on a SQLite-backed Durable Object namespace. */
export const durableObjectSuite = {
  name: "durable-object (inside workerd)",
  capabilities: {
    minTtlSeconds: 1,
    atomicSetIfAbsent: true,
    compareAndSet: true,
    externalStore: true,
  } satisfies AdapterCapabilities,
  extraCases: [],
} as const;
