import { describe, expect, it } from "vitest";
import { memoryCache } from "../../adapters/memory";
import { testCacheAdapter } from "./conformance";

/** A fake clock, so expiry cases jump instead of sleeping. */
function fakeClock(): { now: () => number; advance: (ms: number) => Promise<void> } {
  let now = 1_800_000_000_000;
  return { now: () => now, advance: async (ms) => void (now += ms) };
}

testCacheAdapter({
  name: "memory",
  capabilities: {
    minTtlSeconds: 1,
    atomicSetIfAbsent: true,
    compareAndSet: true,
    externalStore: false,
  },
  create: async () => {
    const clock = fakeClock();
    return {
      adapter: memoryCache({ now: clock.now }),
      defaultPrefix: "entra-edge:",
      withPrefix: (prefix) => memoryCache({ prefix, now: clock.now }),
      failing: () => {
        throw new Error("memory has no external store to fail");
      },
      advance: clock.advance,
      cleanup: async () => {},
    };
  },
  additionalTests() {
    it("keeps at most maxEntries, dropping the least recently used", async () => {
      const cache = memoryCache({ maxEntries: 3 });
      for (const key of ["a", "b", "c"]) await cache.set(key, key, 60);
      await cache.get("a"); // a is now the most recently used
      await cache.set("d", "d", 60);
      expect(await Promise.all(["a", "b", "c", "d"].map((key) => cache.get(key)))).toEqual([
        "a",
        undefined,
        "c",
        "d",
      ]);
    });

    it("expires exactly at the time to live (checked on read, no timers)", async () => {
      const clock = fakeClock();
      const cache = memoryCache({ now: clock.now });
      await cache.set("k", "v", 2);
      await clock.advance(1999);
      expect(await cache.get("k")).toBe("v");
      await clock.advance(1);
      expect(await cache.get("k")).toBeUndefined();
    });

    it("rejects a bad maxEntries and a non-positive time to live", async () => {
      expect(() => memoryCache({ maxEntries: 0 })).toThrow(RangeError);
      expect(() => memoryCache({ maxEntries: 1.5 })).toThrow(RangeError);
      await expect(memoryCache().set("k", "v", 0)).rejects.toThrow(RangeError);
      await expect(memoryCache().setIfAbsent("k", "v", Number.NaN)).rejects.toThrow(RangeError);
    });

    describe("one adapter shared by two users", () => {
      it("is one store: what one writes the other reads", async () => {
        const shared = memoryCache();
        const [first, second] = [shared, shared];
        await first.set("k", "v", 60);
        expect(await second.get("k")).toBe("v");
      });
    });
  },
});
