// Fuzzing what an L2 store's `get` answers. A store is outside the library's control: it may
// answer `null` (Workers KV, Redis), bytes, numbers, objects, or strings that are almost a record
// (another key's, expired, truncated, unsealed, sealed under another key). Whatever it answers
// for the token record, the throttle marker and the refresh lease: the acquisition never fails
// (but for a valid throttle marker, which blocks for an hour at most), a token is served from
// the store only when the store holds a valid, fresh record for exactly this key, and every
// non-string answer other than `null`/`undefined` is reported as `invalid`.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { parseTokenRecord } from "../../src/cache/token-record";
import { ValueSealer } from "../../src/cache/sealing";
import {
  CacheLevel,
  ConfidentialClientApplication,
  ThrottledError,
  TokenSource,
  type CacheAdapter,
  type CacheErrorEvent,
} from "../../src/index";
import { fastHash128 } from "../../src/internal/fast-hash";
import type { EntraEmulator } from "../../src/testing/index";
import { clientId, emulator, graph, secret, tenantA } from "../app/setup";
import { anyCodeUnits, runs } from "./support";

const start = Date.parse("2026-11-22T10:00:00Z");
const now = (): number => start;
const marginMs = 300_000;
const hourMs = 3_600_000;
const encryption = { keys: [{ id: "k1", key: new Uint8Array(32).fill(9) }] };
const sealer = new ValueSealer(encryption);
const foreignSealer = new ValueSealer({ keys: [{ id: "k1", key: new Uint8Array(32).fill(1) }] });

let entra: EntraEmulator;
/** A record the library wrote for this app's key, its header and the full cache key in it. */
let header: Record<string, unknown>;
let fullKey: string;

function app(cache: CacheAdapter, sealed: boolean, events: CacheErrorEvent[]) {
  return new ConfidentialClientApplication({
    clientId,
    tenantId: tenantA,
    clientSecret: secret,
    fetch: entra.fetch,
    now,
    memoryCache: { shared: false },
    retry: { delayMs: 1 },
    cache,
    cacheOptions: {
      ...(sealed ? { encryption } : {}),
      lease: { ttlMs: 100 },
      onCacheError: (event) => void events.push(event),
    },
  });
}

beforeAll(async () => {
  entra = await emulator({ now });
  const stored = new Map<string, string>();
  await app(
    {
      get: async (key) => stored.get(key),
      set: async (key, value) => void stored.set(key, value),
      delete: async () => undefined,
    },
    false,
    [],
  ).acquireTokenForClient(graph);
  const record = [...stored.values()][0] as string;
  header = JSON.parse(record.slice(0, record.indexOf("\n"))) as Record<string, unknown>;
  fullKey = header["k"] as string;
});

/** What a store may answer: anything at all, bytes, numbers, `null`, text. */
const garbage = fc.oneof(
  fc.anything({
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withTypedArray: true,
    withSparseArray: true,
  }),
  fc.uint8Array({ maxLength: 64 }),
  fc.double(),
  fc.integer(),
  fc.constantFrom(null, undefined, "", "null", "{}", "\n"),
  anyCodeUnits(60),
);

/** A record that is almost this key's: fields changed, the token cut, the key another's. */
const nearRecord = fc
  .record({
    k: fc.constantFrom(
      () => fullKey,
      () => `${fullKey}x`,
      () => "",
      () => fullKey.toUpperCase(),
    ),
    v: fc.constantFrom(2, 2, 1, 3, "2"),
    exp: fc.constantFrom(-hourMs, 0, marginMs - 1, marginMs, marginMs + 1, hourMs, 1e15),
    tt: fc.constantFrom("Bearer", "Bearer", "", 7),
    token: fc.oneof(fc.constant(""), fc.string({ minLength: 1, maxLength: 30 })),
    cut: fc.option(fc.nat(), { freq: 5 }),
  })
  .map(({ k, v, exp, tt, token, cut }) => {
    const text = `${JSON.stringify({ ...header, k: k(), v, exp: start + exp, tt })}\n${token}`;
    return cut === null ? text : text.slice(0, cut % (text.length + 1));
  });

/** A marker that is almost valid: any time, statuses in and out of range, odd types. */
const nearMarker = fc
  .record({
    until: fc.oneof(
      fc.integer({ min: -hourMs, max: 10 * 24 * hourMs }).map((d) => start + d),
      fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER, "1e12"),
    ),
    status: fc.constantFrom(429, 503, 500, 200, 399, 600, 429.5, "429", null),
  })
  .map((marker) => JSON.stringify(marker));

/** A value to store: as is, or sealed (under this store key, or another, or with a foreign key). */
function stored(text: fc.Arbitrary<string>, kind: string): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: garbage },
    { weight: 3, arbitrary: text },
    {
      weight: 3,
      arbitrary: fc
        .tuple(text, fc.constantFrom("own", "other key", "foreign"))
        .map(([plain, how]) => ({ seal: how, plain, kind })),
    },
  );
}

/** The plain value the library should see under `storeKey`: opened when sealing is on. */
async function materialise(value: unknown, storeKey: string): Promise<unknown> {
  if (typeof value !== "object" || value === null || !("seal" in value)) return value;
  const { seal, plain } = value as { seal: string; plain: string };
  if (seal === "own") return sealer.seal(storeKey, plain);
  if (seal === "other key") return sealer.seal(`${storeKey}x`, plain);
  return foreignSealer.seal(storeKey, plain);
}

/** What the library may make of `value` under `storeKey` (the oracle): the plain text, if any. */
async function plainOf(
  value: unknown,
  storeKey: string,
  sealed: boolean,
): Promise<string | undefined> {
  if (typeof value !== "string") return undefined;
  return sealed ? sealer.open(storeKey, value) : value;
}

function markerOf(text: string | undefined): { until: number; status: number } | undefined {
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const { until, status } = (json ?? {}) as { until?: unknown; status?: unknown };
  if (typeof until !== "number" || !Number.isFinite(until)) return undefined;
  if (typeof status !== "number" || !Number.isInteger(status) || status < 400 || status > 599)
    return undefined;
  return { until, status };
}

const isGarbage = (value: unknown): boolean =>
  typeof value !== "string" && value !== null && value !== undefined;

describe("L2 answers", () => {
  it("never fail an acquisition, never serve a token they should not, and are reported", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        stored(nearRecord, "at"),
        stored(nearMarker, "throttle"),
        garbage,
        fc.boolean(),
        async (sealed, tokenDraw, markerDraw, leaseValue, leaseHeld) => {
          const hash = fastHash128(fullKey);
          const keys = {
            at: `at3:${hash}`,
            throttle: `throttle3:${hash}`,
            lease: `lease3:${hash}`,
          };
          const tokenValue = await materialise(tokenDraw, keys.at);
          const markerValue = await materialise(markerDraw, keys.throttle);
          let leaseReads = 0;
          let takes = 0;
          const store: CacheAdapter = {
            name: "fuzzed",
            get: async (key) =>
              (key === keys.at
                ? tokenValue
                : key === keys.throttle
                  ? markerValue
                  : key === keys.lease && leaseReads++ === 0
                    ? leaseValue
                    : null) as string | null,
            set: async () => undefined,
            delete: async () => undefined,
            setIfAbsent: async () => !(leaseHeld && takes++ === 0),
          };
          const events: CacheErrorEvent[] = [];
          const before = entra.tokenRequests().length;
          const outcome = await app(store, sealed, events)
            .acquireTokenForClient(graph)
            .then(
              (result) => ({ result }),
              (error: unknown) => ({ error }),
            );

          const token = await plainOf(tokenValue, keys.at, sealed).then((plain) =>
            plain === undefined ? undefined : parseTokenRecord(fullKey, plain),
          );
          const servable = token !== undefined && start < token.expiresOn - marginMs;
          const marker = markerOf(await plainOf(markerValue, keys.throttle, sealed));
          if (servable) {
            if ("error" in outcome) throw outcome.error;
            expect(outcome.result.authenticationResultMetadata.cacheLevel).toBe(CacheLevel.L2Cache);
            expect(outcome.result.accessToken).toBe(token.accessToken);
            expect(entra.tokenRequests().length).toBe(before);
          } else if (marker !== undefined && marker.until > start) {
            expect("error" in outcome && outcome.error).toBeInstanceOf(ThrottledError);
            const error = (outcome as { error: ThrottledError }).error;
            expect(error.retryAfterMs).toBe(Math.min(marker.until - start, hourMs));
            expect(entra.tokenRequests().length).toBe(before);
          } else {
            if ("error" in outcome) throw outcome.error;
            expect(outcome.result.authenticationResultMetadata.tokenSource).toBe(
              TokenSource.IdentityProvider,
            );
            expect(entra.tokenRequests().length).toBe(before + 1);
          }

          expect(events.every((event) => event.error === undefined)).toBe(true);
          const reported = (operation: string): boolean =>
            events.some((event) => event.operation === operation && event.reason === "invalid");
          if (isGarbage(tokenValue)) expect(reported("get")).toBe(true);
          if (!servable && isGarbage(markerValue)) expect(reported("get")).toBe(true);
          if (leaseReads > 0 && isGarbage(leaseValue)) expect(reported("lease")).toBe(true);
          const none = (value: unknown): boolean => value === null || value === undefined;
          if (none(tokenValue) && none(markerValue) && none(leaseValue)) expect(events).toEqual([]);
        },
      ),
      { numRuns: runs.costly },
    );
  });
});
