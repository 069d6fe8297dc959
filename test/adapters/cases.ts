/**
 * The cache adapter conformance cases, runtime-neutral: plain async functions that throw on
 * failure, with no test framework and no `node:` imports, so the same cases run under vitest in
 * Node (`conformance.ts`) and inside Deno and Bun processes (`runtime/run-cases.ts`).
 *
 * Every case gets a fresh {@link AdapterHarness} and uses keys unique to the run, so harnesses may
 * share one store (one Redis server, one KV namespace) across cases.
 *
 * @module
 */

import type { CacheAdapter } from "../../src/cache/cache-adapter";

/** What a store can do; cases that do not apply are not registered. */
export interface AdapterCapabilities {
  /** The store's minimum time to live, in seconds; shorter TTLs are raised to it (KV: 60). */
  readonly minTtlSeconds: number;
  /** Whether the adapter implements `setIfAbsent` atomically (otherwise it must leave it out). */
  readonly atomicSetIfAbsent: boolean;
  /**
   * Whether the adapter implements `setIfEquals` and `deleteIfEquals` atomically (otherwise it
   * must leave both out).
   */
  readonly compareAndSet: boolean;
  /** The longest ASCII value, in bytes, the adapter accepts; one byte more must reject. */
  readonly maxValueBytes?: number;
  /**
   * Whether the adapter works on a store outside itself, which several adapters can share and
   * which can fail. False for memory: each adapter owns its `Map`, so its prefix cannot be
   * observed and there is no store to break.
   */
  readonly externalStore: boolean;
}

/** How a failing store fails: `throw` synchronously from the method, or return a rejected promise. */
export type FailureMode = "throw" | "reject";

/** One adapter under test, on one store. */
export interface AdapterHarness {
  /** The adapter with its default prefix. */
  readonly adapter: CacheAdapter;
  /** The default prefix, in the form {@link AdapterHarness.withPrefix} takes. */
  readonly defaultPrefix: string;
  /** Another adapter on the same store, with this prefix. */
  withPrefix(prefix: string): CacheAdapter;
  /** An adapter on a wrapper of the store whose every method fails with `error`. */
  failing(mode: FailureMode, error: Error): CacheAdapter;
  /**
   * The time to live, in ms, that the store itself holds for the entry `adapter` wrote under
   * `key` (KV: the stored `expiration`; Redis: `PTTL`); `undefined` if the store has no such entry.
   */
  storedTtlMs?(key: string): Promise<number | undefined>;
  /** Lets `ms` milliseconds pass: a fake clock jumps; by default a real sleep. */
  advance?(ms: number): Promise<void>;
  /** Releases what the harness made (not the store itself). */
  cleanup(): Promise<void>;
}

/** One conformance case. */
export interface AdapterCase {
  readonly name: string;
  run(harness: AdapterHarness): Promise<void>;
}

/** The result of one case, as a runtime runner prints it (one JSON line each). */
export interface CaseResult {
  readonly name: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly error?: string;
}

/** The cases that apply to an adapter with these capabilities, in order. */
export function adapterCases(capabilities: AdapterCapabilities): AdapterCase[] {
  const cases: AdapterCase[] = [];
  const add = (name: string, run: AdapterCase["run"]): void => {
    cases.push({ name, run });
  };

  add("has a non-empty name", async ({ adapter }) => {
    assert(
      typeof adapter.name === "string" && adapter.name.length > 0,
      `name is ${String(adapter.name)}`,
    );
  });

  add("get of a missing key resolves to undefined", async ({ adapter }) => {
    assertEqual(await adapter.get(uniqueKey("missing")), undefined, "get(missing)");
  });

  add("set then get round-trips the value", async ({ adapter }) => {
    const key = uniqueKey("round-trip");
    const value = JSON.stringify({
      accessToken: "eyJ0eXAiOiJKV1Qi.e30.sig",
      expiresOn: 1_900_000_000,
    });
    assertEqual(await adapter.set(key, value, 300), undefined, "set resolves to undefined");
    assertEqual(await adapter.get(key), value, "get after set");
  });

  add("an empty string is a value, not a miss", async ({ adapter }) => {
    const key = uniqueKey("empty");
    await adapter.set(key, "", 300);
    assertEqual(await adapter.get(key), "", "get of an empty value");
  });

  add("set overwrites an existing value", async ({ adapter }) => {
    const key = uniqueKey("overwrite");
    await adapter.set(key, "first", 300);
    await adapter.set(key, "second", 300);
    assertEqual(await adapter.get(key), "second", "get after overwrite");
  });

  add("delete removes the value; deleting a missing key resolves", async ({ adapter }) => {
    const key = uniqueKey("delete");
    await adapter.set(key, "v", 300);
    assertEqual(await adapter.delete(key), undefined, "delete resolves to undefined");
    assertEqual(await adapter.get(key), undefined, "get after delete");
    assertEqual(await adapter.delete(key), undefined, "second delete");
    assertEqual(
      await adapter.delete(uniqueKey("never-set")),
      undefined,
      "delete of a key never set",
    );
  });

  add("stores 4 KB values, unicode and JSON punctuation unchanged", async ({ adapter }) => {
    const big = tokenLike(4096);
    const unicode = "tënant-€-𝄞-日本語-🙂-\u0000-\u2028-" + "ü".repeat(1000);
    const punctuation = JSON.stringify({
      a: '"quoted"\n\ttabbed\\',
      b: [1, null, true],
      c: "\r\n",
    });
    const values = { big, unicode, punctuation };
    for (const [label, value] of Object.entries(values)) {
      const key = uniqueKey(label);
      await adapter.set(key, value, 300);
      const read = await adapter.get(key);
      assert(
        read === value,
        `${label}: read back ${read == null ? String(read) : `${read.length} chars`}, wrote ${value.length}`,
      );
    }
    const unicodeKey = uniqueKey("ключ-🔑");
    await adapter.set(unicodeKey, "unicode key", 300);
    assertEqual(await adapter.get(unicodeKey), "unicode key", "value under a unicode key");
  });

  add("100 concurrent sets, then 100 concurrent gets", async ({ adapter }) => {
    const base = uniqueKey("parallel");
    const keys = Array.from({ length: 100 }, (_, i) => `${base}-${i}`);
    await Promise.all(keys.map((key, i) => adapter.set(key, `value-${i}-${tokenLike(64)}`, 300)));
    const read = await Promise.all(keys.map((key) => adapter.get(key)));
    read.forEach((value, i) =>
      assert(value?.startsWith(`value-${i}-`) === true, `key ${i}: ${String(value)}`),
    );
  });

  if (capabilities.externalStore) {
    add("uses its documented default prefix", async (harness) => {
      const key = uniqueKey("default-prefix");
      await harness.adapter.set(key, "v", 300);
      assertEqual(
        await harness.withPrefix(harness.defaultPrefix).get(key),
        "v",
        "same prefix, same entry",
      );
      assertEqual(await harness.withPrefix("other-prefix:").get(key), undefined, "other prefix");
    });

    add("two prefixes on one store are isolated", async (harness) => {
      const a = harness.withPrefix("conformance-a:");
      const b = harness.withPrefix("conformance-b:");
      const key = uniqueKey("isolation");
      await a.set(key, "A", 300);
      assertEqual(await b.get(key), undefined, "b does not see a's entry");
      await b.set(key, "B", 300);
      assertEqual(await a.get(key), "A", "a keeps its value");
      assertEqual(await b.get(key), "B", "b has its own value");
      await a.delete(key);
      assertEqual(await a.get(key), undefined, "a deleted");
      assertEqual(await b.get(key), "B", "b untouched by a's delete");
      if (capabilities.atomicSetIfAbsent) {
        const lease = uniqueKey("isolated-lease");
        assertEqual(await a.setIfAbsent?.(lease, "a", 10_000), true, "a takes its lease");
        assertEqual(await b.setIfAbsent?.(lease, "b", 10_000), true, "b takes its own lease");
      }
    });
  }

  add("set passes the time to live to the store, raised to the store's floor", async (harness) => {
    const { adapter, storedTtlMs } = harness;
    if (storedTtlMs === undefined) {
      // No way to read the store's TTL (memory): the expiry cases below cover it.
      return;
    }
    const floorMs = capabilities.minTtlSeconds * 1000;
    const check = async (key: string, expectedMs: number, label: string): Promise<void> => {
      const ttl = await storedTtlMs.call(harness, key);
      assert(ttl !== undefined, `${label}: the store has no entry`);
      assert(
        ttl <= expectedMs + 1000 && ttl >= expectedMs - 3000,
        `${label}: stored TTL ${ttl} ms, expected about ${expectedMs} ms`,
      );
    };
    const short = uniqueKey("ttl-short");
    await adapter.set(short, "v", 1);
    await check(short, Math.max(1000, floorMs), "ttl 1 s");
    const long = uniqueKey("ttl-long");
    await adapter.set(long, "v", 3600);
    await check(long, 3_600_000, "ttl 3600 s");
    await adapter.set(long, "v2", 120);
    await check(long, Math.max(120_000, floorMs), "overwritten with ttl 120 s");
  });

  if (capabilities.minTtlSeconds <= 1) {
    add("an entry is gone once its time to live has passed", async (harness) => {
      const { adapter } = harness;
      const key = uniqueKey("expires");
      const kept = uniqueKey("kept");
      await adapter.set(key, "short-lived", 1);
      await adapter.set(kept, "long-lived", 300);
      assertEqual(await adapter.get(key), "short-lived", "before expiry");
      await advance(harness, 1200);
      assertEqual(await adapter.get(key), undefined, "after 1.2 s");
      assertEqual(await adapter.get(kept), "long-lived", "a longer TTL is unaffected");
    });
  }

  if (capabilities.maxValueBytes !== undefined) {
    const max = capabilities.maxValueBytes;
    add(
      `accepts a ${max}-byte value and rejects a larger one with a clear error`,
      async ({ adapter }) => {
        const key = uniqueKey("max-size");
        await adapter.set(key, "x".repeat(max), 300);
        assertEqual((await adapter.get(key))?.length, max, "largest value read back");
        const error = await rejection(() =>
          adapter.set(uniqueKey("too-big"), "x".repeat(max + 1), 300),
        );
        assert(
          /too large|limit|exceed/i.test(errorMessage(error)),
          `unclear error: ${errorMessage(error)}`,
        );
      },
    );
  }

  if (capabilities.atomicSetIfAbsent) {
    add("setIfAbsent: the first caller wins, later ones get false", async ({ adapter }) => {
      const setIfAbsent = requireSetIfAbsent(adapter);
      const key = uniqueKey("lease");
      assertEqual(await setIfAbsent(key, "owner-1", 10_000), true, "first caller");
      assertEqual(await setIfAbsent(key, "owner-2", 10_000), false, "second caller");
      assertEqual(await adapter.get(key), "owner-1", "the winner's value is stored");
    });

    add("setIfAbsent: exactly one of 20 concurrent callers wins", async ({ adapter }) => {
      const setIfAbsent = requireSetIfAbsent(adapter);
      const key = uniqueKey("race");
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => setIfAbsent(key, `owner-${i}`, 10_000)),
      );
      const winners = results.flatMap((won, i) => (won ? [i] : []));
      assertEqual(winners.length, 1, `winners: ${JSON.stringify(winners)}`);
      assertEqual(await adapter.get(key), `owner-${winners[0]}`, "the winner's value is stored");
    });

    add("setIfAbsent: does not replace a value written by set", async ({ adapter }) => {
      const setIfAbsent = requireSetIfAbsent(adapter);
      const key = uniqueKey("existing");
      await adapter.set(key, "cached", 300);
      assertEqual(await setIfAbsent(key, "lease", 10_000), false, "key exists");
      assertEqual(await adapter.get(key), "cached", "value unchanged");
    });

    add("setIfAbsent: delete releases the lease", async ({ adapter }) => {
      const setIfAbsent = requireSetIfAbsent(adapter);
      const key = uniqueKey("release");
      assertEqual(await setIfAbsent(key, "owner-1", 10_000), true, "first lease");
      await adapter.delete(key);
      assertEqual(await setIfAbsent(key, "owner-2", 10_000), true, "after delete");
      assertEqual(await adapter.get(key), "owner-2", "new owner");
    });

    add("setIfAbsent: an expired lease counts as absent", async (harness) => {
      const setIfAbsent = requireSetIfAbsent(harness.adapter);
      const key = uniqueKey("lease-expiry");
      assertEqual(await setIfAbsent(key, "owner-1", 1000), true, "first lease");
      await advance(harness, 400);
      assertEqual(await setIfAbsent(key, "owner-2", 1000), false, "still held after 0.4 s");
      await advance(harness, 800);
      assertEqual(
        await harness.adapter.get(key),
        undefined,
        "expired lease is not returned by get",
      );
      const results = await Promise.all(
        [1, 2, 3, 4, 5].map((i) => setIfAbsent(key, `owner-${i + 2}`, 10_000)),
      );
      assertEqual(
        results.filter(Boolean).length,
        1,
        `one caller takes the expired lease: ${JSON.stringify(results)}`,
      );
    });
  } else {
    add("has no setIfAbsent (the store cannot do it atomically)", async ({ adapter }) => {
      assertEqual(adapter.setIfAbsent, undefined, "setIfAbsent");
    });
  }

  if (capabilities.compareAndSet) {
    add("deleteIfEquals: removes the value only if it is the expected one", async ({ adapter }) => {
      const { deleteIfEquals } = requireCompareAndSet(adapter);
      const key = uniqueKey("delete-if");
      await adapter.set(key, "owner-2", 300);
      assertEqual(await deleteIfEquals(key, "owner-1"), false, "another owner's value");
      assertEqual(await adapter.get(key), "owner-2", "still there");
      assertEqual(await deleteIfEquals(key, "owner-2"), true, "the expected value");
      assertEqual(await adapter.get(key), undefined, "gone");
      assertEqual(await deleteIfEquals(key, "owner-2"), false, "a missing key");
    });

    add(
      "setIfEquals: replaces only the expected value, for the new time to live",
      async (harness) => {
        const { adapter } = harness;
        const { setIfEquals } = requireCompareAndSet(adapter);
        const key = uniqueKey("set-if");
        assertEqual(await setIfEquals(key, "owner-1", "owner-2", 10_000), false, "a missing key");
        assertEqual(await adapter.get(key), undefined, "nothing written for a missing key");
        await adapter.set(key, "owner-1", 300);
        assertEqual(await setIfEquals(key, "owner-0", "owner-2", 10_000), false, "not expected");
        assertEqual(await adapter.get(key), "owner-1", "unchanged");
        assertEqual(await setIfEquals(key, "owner-1", "owner-2", 10_000), true, "expected");
        assertEqual(await adapter.get(key), "owner-2", "replaced");
        const ttl = await harness.storedTtlMs?.(key);
        assert(
          ttl === undefined || (ttl <= 10_000 && ttl > 7_000),
          `stored TTL ${String(ttl)} ms, expected about 10,000 ms`,
        );
      },
    );

    add("setIfEquals / deleteIfEquals: one of 20 concurrent callers wins", async ({ adapter }) => {
      const { setIfEquals, deleteIfEquals } = requireCompareAndSet(adapter);
      const key = uniqueKey("cas-race");
      await adapter.set(key, "owner-0", 300);
      const renewed = await Promise.all(
        Array.from({ length: 20 }, (_, i) => setIfEquals(key, "owner-0", `owner-${i + 1}`, 10_000)),
      );
      const winners = renewed.flatMap((won, i) => (won ? [i + 1] : []));
      assertEqual(winners.length, 1, `setIfEquals winners: ${JSON.stringify(winners)}`);
      assertEqual(await adapter.get(key), `owner-${winners[0]}`, "the winner's value is stored");
      const deleted = await Promise.all(
        Array.from({ length: 20 }, () => deleteIfEquals(key, `owner-${winners[0]}`)),
      );
      assertEqual(deleted.filter(Boolean).length, 1, `deleteIfEquals: ${JSON.stringify(deleted)}`);
    });

    add("setIfEquals / deleteIfEquals: an expired value matches nothing", async (harness) => {
      const { adapter } = harness;
      const { setIfEquals, deleteIfEquals } = requireCompareAndSet(adapter);
      const setIfAbsent = requireSetIfAbsent(adapter);
      const key = uniqueKey("cas-expired");
      assertEqual(await setIfAbsent(key, "owner-1", 1000), true, "lease taken");
      await advance(harness, 1200);
      assertEqual(await setIfEquals(key, "owner-1", "owner-1b", 10_000), false, "no renewal");
      assertEqual(await deleteIfEquals(key, "owner-1"), false, "no release");
      assertEqual(await setIfAbsent(key, "owner-2", 10_000), true, "free for the next holder");
      assertEqual(await deleteIfEquals(key, "owner-1"), false, "the old owner cannot release it");
      assertEqual(await adapter.get(key), "owner-2", "the new owner keeps it");
    });
  } else {
    add(
      "has no setIfEquals or deleteIfEquals (the store cannot compare and write)",
      async ({ adapter }) => {
        assertEqual(adapter.setIfEquals, undefined, "setIfEquals");
        assertEqual(adapter.deleteIfEquals, undefined, "deleteIfEquals");
      },
    );
  }

  for (const mode of capabilities.externalStore ? (["throw", "reject"] as const) : []) {
    add(
      `store errors reach the caller as rejections (store ${mode === "throw" ? "throws" : "rejects"})`,
      async (harness) => {
        const storeError = new Error(`store is down (${mode})`);
        const adapter = harness.failing(mode, storeError);
        const key = uniqueKey("failing");
        const calls: Array<[string, () => Promise<unknown>]> = [
          ["get", () => adapter.get(key)],
          ["set", () => adapter.set(key, "v", 300)],
          ["delete", () => adapter.delete(key)],
        ];
        if (adapter.setIfAbsent !== undefined) {
          const setIfAbsent = adapter.setIfAbsent.bind(adapter);
          calls.push(["setIfAbsent", () => setIfAbsent(key, "v", 10_000)]);
        }
        if (adapter.setIfEquals !== undefined && adapter.deleteIfEquals !== undefined) {
          const { setIfEquals, deleteIfEquals } = requireCompareAndSet(adapter);
          calls.push(["setIfEquals", () => setIfEquals(key, "v", "w", 10_000)]);
          calls.push(["deleteIfEquals", () => deleteIfEquals(key, "v")]);
        }
        for (const [method, call] of calls) {
          const error = await rejection(call, method);
          assert(
            error === storeError,
            `${method}: rejected with ${errorMessage(error)} instead of the store's own error`,
          );
        }
      },
    );
  }

  return cases;
}

// --- Helpers (exported for the harnesses) ---

/**
 * Wraps a store so that every method fails with `error`: throws synchronously (`"throw"`) or
 * returns a rejected promise (`"reject"`). Non-function properties pass through.
 */
export function failingStore<T extends object>(store: T, mode: FailureMode, error: Error): T {
  const fail =
    mode === "throw"
      ? (): never => {
          throw error;
        }
      : (): Promise<never> => Promise.reject(error);
  return new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? fail : value;
    },
  });
}

/** A key no other case or run uses. */
export function uniqueKey(label: string): string {
  return `${label}-${crypto.randomUUID()}`;
}

/** Sleeps `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs one case on a fresh harness and reports the result (never throws). */
export async function runCase(
  testCase: AdapterCase,
  create: () => Promise<AdapterHarness>,
): Promise<CaseResult> {
  const started = Date.now();
  try {
    const harness = await create();
    try {
      await testCase.run(harness);
    } finally {
      await harness.cleanup();
    }
    return { name: testCase.name, ok: true, ms: Date.now() - started };
  } catch (error) {
    return { name: testCase.name, ok: false, ms: Date.now() - started, error: errorText(error) };
  }
}

// --- Internal helpers ---

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

function assertEqual<T>(actual: T, expected: T, message: string): void {
  if (!Object.is(actual, expected)) {
    throw new Error(
      `assertion failed: ${message}: expected ${show(expected)}, got ${show(actual)}`,
    );
  }
}

/** Calls `call`, checks it did not throw synchronously, and returns what its promise rejected with. */
async function rejection(call: () => Promise<unknown>, label = "call"): Promise<unknown> {
  let promise: Promise<unknown>;
  try {
    promise = call();
  } catch (error) {
    throw new Error(
      `assertion failed: ${label} threw synchronously (${errorMessage(error)}) instead of rejecting`,
    );
  }
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error(`assertion failed: ${label} resolved; expected a rejection`);
}

function requireSetIfAbsent(adapter: CacheAdapter): NonNullable<CacheAdapter["setIfAbsent"]> {
  const { setIfAbsent } = adapter;
  assert(typeof setIfAbsent === "function", "the adapter should implement setIfAbsent");
  return setIfAbsent.bind(adapter);
}

function requireCompareAndSet(adapter: CacheAdapter): {
  setIfEquals: NonNullable<CacheAdapter["setIfEquals"]>;
  deleteIfEquals: NonNullable<CacheAdapter["deleteIfEquals"]>;
} {
  const { setIfEquals, deleteIfEquals } = adapter;
  assert(typeof setIfEquals === "function", "the adapter should implement setIfEquals");
  assert(typeof deleteIfEquals === "function", "the adapter should implement deleteIfEquals");
  return { setIfEquals: setIfEquals.bind(adapter), deleteIfEquals: deleteIfEquals.bind(adapter) };
}

async function advance(harness: AdapterHarness, ms: number): Promise<void> {
  if (harness.advance !== undefined) await harness.advance(ms);
  else await sleep(ms);
}

/** A base64url-looking string of `length` characters, like an access token. */
function tokenLike(length: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
  let text = "";
  for (let i = 0; i < length; i++) text += alphabet[(i * 7 + (i >> 3)) % alphabet.length];
  return text;
}

function show(value: unknown): string {
  if (typeof value === "string")
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  return typeof value === "function" ? "a function" : String(value);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function errorText(error: unknown): string {
  return error instanceof Error
    ? (error.stack ?? `${error.name}: ${error.message}`)
    : String(error);
}
