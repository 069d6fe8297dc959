/**
 * Runs the cache adapter conformance cases for `denoKvCache` inside Deno, on a real Deno KV file
 * database, printing one JSON line per case. Started by `test/adapters/deno-kv.test.ts`:
 *
 *   deno run --unstable-kv --sloppy-imports --no-lock -A test/adapters/runtime/deno-kv.entry.ts <db path>
 *
 * @module
 */

import { denoKvCache, type DenoKvLike } from "../../../adapters/deno-kv";
import { failingStore, sleep, uniqueKey, type AdapterHarness, type FailureMode } from "../cases";
import { runAdapterCases } from "./run-cases";
import { denoKvSuite } from "./suites";

/** The parts of the `Deno` global used here (typed locally: the test tsconfig has Node types). */
interface DenoGlobal {
  readonly args: readonly string[];
  openKv(path?: string): Promise<DenoKvLike & { close(): void }>;
}
const { Deno } = globalThis as unknown as { Deno: DenoGlobal };

const path = Deno.args[0];
if (path === undefined) throw new Error("usage: deno-kv.entry.ts <database file>");
const kv = await Deno.openKv(path);

/** A store whose every method fails; `atomic()` itself is synchronous in Deno, so in "reject" mode only its `commit()` rejects. */
function failingKv(mode: FailureMode, error: Error): DenoKvLike {
  if (mode === "throw") return failingStore(kv, mode, error);
  const reject = (): Promise<never> => Promise.reject(error);
  const operation = {
    check: () => operation,
    set: () => operation,
    delete: () => operation,
    commit: reject,
  };
  return { get: reject, set: reject, delete: reject, atomic: () => operation };
}

const create = async (): Promise<AdapterHarness> => ({
  adapter: denoKvCache(kv),
  defaultPrefix: "entra-edge",
  withPrefix: (prefix) => denoKvCache(kv, { prefix }),
  failing: (mode, error) => denoKvCache(failingKv(mode, error)),
  // Deno KV cannot report a key's expireIn; the adapter's own expiresAt is what get() enforces.
  storedTtlMs: async (key) => {
    const entry = await kv.get(["entra-edge", key]);
    if (entry.versionstamp === null) return undefined;
    return (entry.value as { expiresAt: number }).expiresAt - Date.now();
  },
  cleanup: async () => {},
});

const [lazyExpiry, twoByte, arrayPrefix] = denoKvSuite.extraCases;

await runAdapterCases(create, denoKvSuite.capabilities, [
  {
    name: lazyExpiry,
    async run() {
      const cache = denoKvCache(kv);
      const key = uniqueKey("lazy");
      check((await cache.setIfAbsent(key, "owner-1", 300)) === true, "first lease");
      await sleep(500);
      const raw = await kv.get(["entra-edge", key]);
      check(raw.versionstamp !== null, "Deno KV still holds the expired entry (its sweep is lazy)");
      check((await cache.get(key)) === undefined, "get hides the expired entry");
      const results = await Promise.all(
        [1, 2, 3, 4, 5, 6, 7, 8].map((i) => cache.setIfAbsent(key, `owner-${i}`, 10_000)),
      );
      check(
        results.filter(Boolean).length === 1,
        `exactly one caller takes over the expired lease: ${JSON.stringify(results)}`,
      );
      const after = await kv.get(["entra-edge", key]);
      check(after.versionstamp !== raw.versionstamp, "the entry was replaced");
    },
  },
  {
    name: twoByte,
    async run() {
      const cache = denoKvCache(kv);
      const fits = "€".repeat(32_736); // 65,472 bytes serialised
      await cache.set(uniqueKey("two-byte"), fits, 60);
      let error: unknown;
      await cache.set(uniqueKey("two-byte"), `${fits}€`, 60).catch((e: unknown) => (error = e));
      check(
        error instanceof RangeError && /too large/.test(error.message),
        `a RangeError: ${String(error)}`,
      );
    },
  },
  {
    name: arrayPrefix,
    async run() {
      const cache = denoKvCache(kv, { prefix: ["app", "tokens"] });
      const key = uniqueKey("array");
      await cache.set(key, "v", 60);
      const raw = await kv.get(["app", "tokens", key]);
      const value = raw.value as { value: string; expiresAt: number };
      check(value.value === "v" && value.expiresAt > Date.now(), `stored ${JSON.stringify(value)}`);
      const none = denoKvCache(kv, { prefix: "" });
      await none.set(key, "bare", 60);
      check(
        ((await kv.get([key])).value as { value: string }).value === "bare",
        "empty prefix stores at [key]",
      );
    },
  },
]);

kv.close();

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}
