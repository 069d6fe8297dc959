// The cache behind every helper: reuse while more than the 60 s margin is left, a fresh fetch
// inside it (sent while it has not expired), one fetch for concurrent needs, a hung fetch abandoned once nobody waits, and
// tokens without `exp` never kept.
import { afterEach, describe, expect, it, vi } from "vitest";
import { ClientError } from "../../src/index";
import { ExternalTokenCache } from "../../federation/token-cache";

afterEach(() => vi.useRealTimers());

/** An unsigned JWT whose `exp` is `lifetimeSeconds` from now (the cache decodes only the payload). */
function jwt(lifetimeSeconds: number | undefined, id = crypto.randomUUID()): string {
  const encode = (value: object) =>
    btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  const payload =
    lifetimeSeconds === undefined
      ? { jti: id }
      : { jti: id, exp: Math.floor(Date.now() / 1000) + lifetimeSeconds };
  return `${encode({ alg: "RS256" })}.${encode(payload)}.c2ln`;
}

const live = () => new AbortController().signal;

/** Freezes `Date` (only) at a fixed instant that the test moves with `vi.setSystemTime`. */
function fakeDate(): void {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(1_800_000_000_000);
}

/** A cache over a source that hands out tokens of `lifetimeSeconds`, and how often it was asked. */
function countingCache(lifetimeSeconds: number | undefined) {
  let fetches = 0;
  const cache = new ExternalTokenCache("test source", async () => {
    fetches++;
    return jwt(lifetimeSeconds);
  });
  return { cache, fetches: () => fetches };
}

describe("ExternalTokenCache", () => {
  it("reuses a token while more than 60 s is left, and fetches again inside the margin", async () => {
    fakeDate();
    const { cache, fetches } = countingCache(300);
    const first = await cache.get("", live());
    vi.setSystemTime(Date.now() + 239_000); // 61 s left
    expect(await cache.get("", live())).toBe(first);
    vi.setSystemTime(Date.now() + 2_000); // 59 s left
    expect(await cache.get("", live())).not.toBe(first);
    expect(fetches()).toBe(2);
  });

  it("sends a fresh token that is already inside the margin, and fetches again at the next need; keys apart", async () => {
    fakeDate();
    const { cache, fetches } = countingCache(20);
    const first = await cache.get("a", live());
    const second = await cache.get("a", live());
    expect(second).not.toBe(first);
    expect(fetches()).toBe(2);
    const other = await cache.get("b", live());
    expect([first, second]).not.toContain(other);
  });

  it("shares one fetch between concurrent callers", async () => {
    let fetches = 0;
    const cache = new ExternalTokenCache("test source", async () => {
      fetches++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return jwt(300);
    });
    const tokens = await Promise.all([1, 2, 3, 4].map(() => cache.get("", live())));
    expect(new Set(tokens).size).toBe(1);
    expect(fetches).toBe(1);
  });

  it("abandons a hung fetch once every caller gave up, so the next caller fetches afresh", async () => {
    const signals: AbortSignal[] = [];
    let hang = true;
    const cache = new ExternalTokenCache("test source", (_key, signal) => {
      signals.push(signal);
      return hang ? new Promise<string>(() => undefined) : Promise.resolve(jwt(300));
    });
    const controller = new AbortController();
    const waiting = cache.get("", controller.signal);
    controller.abort(new Error("deadline"));
    await expect(waiting).rejects.toThrow("deadline");
    expect(signals[0]?.aborted).toBe(true);
    hang = false;
    await expect(cache.get("", live())).resolves.toMatch(/\./);
    expect(signals).toHaveLength(2);
  });

  it("never returns an expired token, and does not keep a token without exp", async () => {
    const expired = new ExternalTokenCache("test source", async () => jwt(-1));
    const error = await expired.get("", live()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    expect((error as Error).message).toMatch(/^test source gave a token that expired/);
    const { cache: noExp, fetches } = countingCache(undefined);
    await noExp.get("", live());
    await noExp.get("", live());
    expect(fetches()).toBe(2);
  });
});
