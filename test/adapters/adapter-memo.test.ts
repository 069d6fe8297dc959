// One adapter per store and options: the shared memo, and each factory that uses it (so that
// applications built per request over one store share their per-isolate state).
import { Redis as Upstash } from "@upstash/redis";
import { describe, expect, it } from "vitest";
import { denoKvCache, type DenoKvLike } from "../../adapters/deno-kv";
import { durableObjectCache, type DurableObjectNamespaceLike } from "../../adapters/durable-object";
import { adapterMemo } from "../../adapters/internal/adapter-memo";
import { redisCache } from "../../adapters/redis";
import { workersKvCache } from "../../adapters/workers-kv";

describe("adapterMemo", () => {
  it("makes one adapter per store and options key, and keeps nothing when making fails", () => {
    const memo = adapterMemo<object, { made: number }>();
    let count = 0;
    const make = () => ({ made: ++count });
    const [a, b] = [{}, {}];
    const first = memo(a, "x", make);
    expect(memo(a, "x", make)).toBe(first);
    expect(memo(a, "y", make)).not.toBe(first);
    expect(memo(b, "x", make)).not.toBe(first);
    expect(count).toBe(3);
    expect(() =>
      memo(b, "z", () => {
        throw new TypeError("bad store");
      }),
    ).toThrow("bad store");
    expect(memo(b, "z", make)).toEqual({ made: 4 });
  });
});

describe("each adapter factory returns the adapter it made before for the same store and options", () => {
  const unused = async (): Promise<never> => {
    throw new Error("not called");
  };

  it("redisCache (a send client and an @upstash/redis client)", () => {
    const sender = { send: unused };
    expect(redisCache(sender)).toBe(redisCache(sender));
    expect(redisCache(sender, { prefix: "p:" })).toBe(redisCache(sender, { prefix: "p:" }));
    expect(redisCache(sender, { prefix: "p:" })).not.toBe(redisCache(sender));
    expect(redisCache({ send: unused })).not.toBe(redisCache(sender));
    const upstash = new Upstash({ url: "https://example.upstash.io", token: "t" });
    expect(redisCache(upstash)).toBe(redisCache(upstash));
  });

  // durableObjectCache uses the same memo; it loads `cloudflare:workers`, so it runs in workerd only.
  it("workersKvCache, denoKvCache", () => {
    const kv = { get: unused, put: unused, delete: unused };
    expect(workersKvCache(kv, { cacheTtl: 60 })).toBe(workersKvCache(kv, { cacheTtl: 60 }));
    expect(workersKvCache(kv, { cacheTtl: 60 })).not.toBe(workersKvCache(kv));
    const deno = { get: unused, set: unused, delete: unused, atomic: unused };
    const denoKv = deno as unknown as DenoKvLike;
    expect(denoKvCache(denoKv, { prefix: ["a"] })).toBe(denoKvCache(denoKv, { prefix: ["a"] }));
    expect(denoKvCache(denoKv, { prefix: ["a"] })).not.toBe(denoKvCache(denoKv));
  });
});
