/**
 * Vitest wrappers around the runtime-neutral conformance cases in `cases.ts`.
 *
 * - {@link testCacheAdapter} runs the cases in this process, one `it` per case, against a harness
 *   the caller builds (memory, Workers KV through miniflare's binding proxy, Redis through ioredis
 *   and node-redis).
 * - {@link testCacheAdapterResults} registers the same `it` blocks for cases that ran in another
 *   runtime (workerd, Deno, Bun): a `beforeAll` runs them there and each `it` checks its result.
 *
 * @module
 */

import { beforeAll, describe, it } from "vitest";
import {
  adapterCases,
  type AdapterCapabilities,
  type AdapterHarness,
  type CaseResult,
} from "./cases";

export type { AdapterCapabilities, AdapterHarness, CaseResult, FailureMode } from "./cases";
export { failingStore, sleep, uniqueKey } from "./cases";

/** Options of {@link testCacheAdapter}. */
export interface TestCacheAdapterOptions {
  /** Shown in the `describe` title. */
  readonly name: string;
  /** Builds a fresh harness for each case (cheap: start servers in `beforeAll`, not here). */
  readonly create: () => Promise<AdapterHarness>;
  readonly capabilities: AdapterCapabilities;
  /** Registers adapter-specific `it` blocks inside the same `describe`. */
  readonly additionalTests?: () => void;
}

/**
 * Registers the conformance cases for an adapter whose store is reachable from this process.
 *
 * @example
 * ```ts
 * testCacheAdapter({
 *   name: "memory",
 *   capabilities: { minTtlSeconds: 1, atomicSetIfAbsent: true, compareAndSet: true, externalStore: false },
 *   create: async () => ({ adapter: memoryCache(), defaultPrefix: "entra-edge:", withPrefix, failing, cleanup }),
 * });
 * ```
 */
export function testCacheAdapter(options: TestCacheAdapterOptions): void {
  describe(`${options.name}: CacheAdapter conformance`, () => {
    for (const testCase of adapterCases(options.capabilities)) {
      it(testCase.name, async () => {
        const harness = await options.create();
        try {
          await testCase.run(harness);
        } finally {
          await harness.cleanup();
        }
      });
    }
    options.additionalTests?.();
  });
}

/** Options of {@link testCacheAdapterResults}. */
export interface TestCacheAdapterResultsOptions {
  readonly name: string;
  readonly capabilities: AdapterCapabilities;
  /** Names of runtime-specific cases the process runs after the shared ones. */
  readonly extraCases?: readonly string[];
  /** Runs the cases elsewhere (spawns the runtime) and returns one result per case. */
  readonly run: () => Promise<CaseResult[]>;
  /** Time allowed for `run`, in ms. Default 60,000. */
  readonly timeoutMs?: number;
}

/**
 * Registers one `it` per conformance case for cases that run in another runtime's process.
 *
 * @example
 * ```ts
 * testCacheAdapterResults({
 *   ...denoKvSuite, // name, capabilities, extraCases
 *   run: () => runCaseProcess(localBinary("deno"), ["run", "--unstable-kv", "--sloppy-imports", "-A", entry, dbPath]),
 * });
 * ```
 */
export function testCacheAdapterResults(options: TestCacheAdapterResultsOptions): void {
  describe(`${options.name}: CacheAdapter conformance`, () => {
    const results = new Map<string, CaseResult>();
    beforeAll(async () => {
      for (const result of await options.run()) results.set(result.name, result);
    }, options.timeoutMs ?? 60_000);

    const names = [
      ...adapterCases(options.capabilities).map((testCase) => testCase.name),
      ...(options.extraCases ?? []),
    ];
    for (const name of names) {
      it(name, () => {
        const result = results.get(name);
        if (result === undefined)
          throw new Error(`the case "${name}" did not run in the ${options.name} process`);
        if (!result.ok)
          throw new Error(
            `failed in the ${options.name} process:\n${result.error ?? "(no error text)"}`,
          );
      });
    }

    it("ran no case this file does not know", () => {
      const unknown = [...results.keys()].filter((name) => !names.includes(name));
      if (unknown.length > 0) throw new Error(`unexpected cases: ${unknown.join(", ")}`);
    });
  });
}
